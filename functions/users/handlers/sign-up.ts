import * as z from '../../shared/schema.js';
import type { UserService } from '../domain/user-service.js';
import { signUpService } from '../wiring.js';
import { httpHandler, json } from '../../shared/http/handler.js';
import { EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../domain/user.js';

// Control characters in a name would end up in other people's screens and logs.
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u;

export const signUpBody = z.strictObject({
  email: z
    .string()
    .check(z.trim(), z.toLowerCase(), z.maxLength(EMAIL_MAX_LENGTH), z.regex(z.regexes.email, 'must be a valid email address')),
  name: z
    .string()
    .check(z.trim(), z.minLength(1), z.maxLength(NAME_MAX_LENGTH), z.regex(NO_CONTROL_CHARACTERS, 'must not contain control characters')),
  pwd: z.string().check(z.minLength(PASSWORD_MIN_LENGTH), z.maxLength(PASSWORD_MAX_LENGTH)),
});

export const createHandler = (users: () => Pick<UserService, 'register'> = signUpService) =>
  httpHandler({
    body: signUpBody,
    handle: async ({ body, correlationId }) => {
      const user = await users().register(body, correlationId);
      return json(201, { userId: user.userId, email: user.email, name: user.name }, { location: `/users/${user.userId}` });
    },
  });

export const handler = createHandler();
