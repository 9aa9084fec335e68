import { tokenConfigFromEnv } from '../../shared/auth/access-token-verifier.js';
import { requiredEnv } from '../../shared/config.js';
import { httpHandler } from '../../shared/http/handler.js';
import { json } from '../../shared/http/response.js';
import { once } from '../../shared/once.js';
import * as z from '../../shared/schema.js';
import { signingKeysLoader } from '../adapters/key-sources.js';
import { Argon2PasswordHasher } from '../auth/password-hasher.js';
import { RsaTokenIssuer } from '../auth/token-issuer.js';
import { UserService } from '../domain/user-service.js';
import { logRehashFailure, usersRepository } from '../wiring.js';

// Only the shape is checked here: whether the email is well-formed is none of a caller's business
// (an unknown or malformed email is the same 401 as a wrong password).
export const loginBody = z.strictObject({
  email: z.string().check(z.minLength(1), z.maxLength(320)),
  password: z.string().check(z.minLength(1), z.maxLength(1024)),
});

// Only the log-in function has (and may read) the signing keys.
const loginService = once(
  () =>
    new UserService({
      users: usersRepository(),
      passwords: new Argon2PasswordHasher(),
      tokens: new RsaTokenIssuer(signingKeysLoader(requiredEnv('JWT_SIGNING_KEYS_SOURCE')), tokenConfigFromEnv()),
      onRehashFailure: logRehashFailure,
    }),
);

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
