import type { UserService } from '../domain/user-service.js';
import { loginService } from '../wiring/login.js';
import { httpHandler } from '../../shared/http/handler.js';
import * as routes from '../routes/login.js';
import { sessionResponse } from './session-http.js';

export const createHandler = (users: () => Pick<UserService, 'login'> = loginService) =>
  httpHandler({
    ...routes.login.request,
    // The source address feeds the per-address brute-force limit (functions/users/README.md, "Sessions").
    handle: async ({ body, sourceIp }) => sessionResponse(await users().login(body, sourceIp)),
  });

export const handler = createHandler();
