import type { UserService } from '../domain/user-service.js';
import { signUpService } from '../wiring/sign-up.js';
import { httpHandler, json } from '../../shared/http/handler.js';
import * as routes from '../routes/sign-up.js';

export const createHandler = (users: () => Pick<UserService, 'register'> = signUpService) =>
  httpHandler({
    ...routes.signUp.request,
    handle: async ({ body, correlationId }) => {
      const user = await users().register(body, correlationId);
      return json(201, { userId: user.userId, email: user.email, name: user.name }, { location: `/users/${user.userId}` });
    },
  });

export const handler = createHandler();
