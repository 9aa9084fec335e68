// POST /login's wiring (functions/users/wiring.ts says how it is laid out).
import { positiveIntegerEnv } from '../../shared/config.js';
import { dynamoDocumentClient } from '../../shared/dynamodb.js';
import { logger } from '../../shared/observability.js';
import { DynamoDbLoginAttempts } from '../adapters/dynamodb-login-attempts.js';
import { Argon2PasswordHasher } from '../auth/password-hasher.js';
import { LoginAttemptGuard } from '../domain/login-attempts.js';
import { SessionService } from '../domain/sessions.js';
import { UserService } from '../domain/user-service.js';
import { sessionParts, sessionsTable, userRoles, usersRepository } from './shared.js';
import { accessTokenIssuer } from './token-issuer.js';

let login: UserService | undefined;
/** Checks the password within the brute-force limits and opens a session (access and refresh token, with the user's roles). */
export const loginService = () =>
  (login ??= new UserService({
    users: usersRepository(),
    passwords: new Argon2PasswordHasher(),
    sessions: new SessionService({ ...sessionParts(), tokens: accessTokenIssuer(), roles: userRoles() }),
    attempts: new LoginAttemptGuard(new DynamoDbLoginAttempts(dynamoDocumentClient(), sessionsTable()), {
      maxFailuresPerEmail: positiveIntegerEnv('LOGIN_MAX_FAILURES_PER_EMAIL'),
      maxFailuresPerAddress: positiveIntegerEnv('LOGIN_MAX_FAILURES_PER_ADDRESS'),
      windowSeconds: positiveIntegerEnv('LOGIN_ATTEMPT_WINDOW_SECONDS'),
    }),
    onRehashFailure: (error) => logger.warn('could not upgrade a password hash', { error: (error as Error).name }),
  }));
