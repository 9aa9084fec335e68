import type { UserService } from '../domain/user-service.js';
import { loginService } from '../wiring.js';
import { httpHandler } from '../../shared/http/handler.js';
import * as z from '../../shared/schema.js';
import { sessionResponse } from './session-http.js';

// Only the shape is checked here: whether the email is well-formed is none of a caller's business
// (an unknown or malformed email is the same 401 as a wrong password).
export const loginBody = z.strictObject({
  email: z.string().check(z.minLength(1), z.maxLength(320)),
  password: z.string().check(z.minLength(1), z.maxLength(1024)),
});

export const createHandler = (users: () => Pick<UserService, 'login'> = loginService) =>
  httpHandler({
    body: loginBody,
    // The source address feeds the per-address brute-force limit (README, "Sessions").
    handle: async ({ body, sourceIp }) => sessionResponse(await users().login(body, sourceIp)),
  });

export const handler = createHandler();
