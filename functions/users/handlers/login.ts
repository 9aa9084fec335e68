import type { UserService } from '../domain/user-service.js';
import { loginService } from '../wiring.js';
import { httpHandler, json } from '../../shared/http/handler.js';
import * as z from '../../shared/schema.js';

// Only the shape is checked here: whether the email is well-formed is none of a caller's business
// (an unknown or malformed email is the same 401 as a wrong password).
export const loginBody = z.strictObject({
  email: z.string().check(z.minLength(1), z.maxLength(320)),
  password: z.string().check(z.minLength(1), z.maxLength(1024)),
});

export const createHandler = (users: () => Pick<UserService, 'login'> = loginService) =>
  httpHandler({
    body: loginBody,
    handle: async ({ body }) => {
      const { token, expiresIn, userId } = await users().login(body);
      // As the original did, the token and user id also travel as response headers.
      return json(200, { token, tokenType: 'Bearer', expiresIn, userId }, { token, userId });
    },
  });

export const handler = createHandler();
