/**
 * The users context's composition root: one builder per use case, each making (once per function
 * instance, on first use) only what that use case calls. Plain functions, so a handler's bundle keeps
 * only the builders it calls (tree-shaking): the password-hashing addon is in the sign-up and log-in
 * functions only, the signing keys in log-in and refresh only, the Lambda client in GET /users/{userId} only.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { tokenConfigFromEnv } from '../shared/auth/access-token-verifier.js';
import { positiveIntegerEnv, requiredEnv } from '../shared/config.js';
import { dynamoDocumentClient } from '../shared/dynamodb.js';
import { logger } from '../shared/observability.js';
import { CircuitBreakingUserOrders } from './adapters/circuit-breaking-user-orders.js';
import { DynamoDbLoginAttempts } from './adapters/dynamodb-login-attempts.js';
import { DynamoDbSessionStore } from './adapters/dynamodb-session-store.js';
import { DynamoDbUserRepository } from './adapters/dynamodb-user-repository.js';
import { signingKeysLoader } from './adapters/key-sources.js';
import { lambdaOrdersSource } from './adapters/lambda-orders-source.js';
import { insertedUserId } from './adapters/user-stream.js';
import { Argon2PasswordHasher } from './auth/password-hasher.js';
import { RsaTokenIssuer } from './auth/token-issuer.js';
import { LoginAttemptGuard } from './domain/login-attempts.js';
import { SessionService } from './domain/sessions.js';
import { userRegisteredEvent } from './domain/user-events.js';
import { UserService } from './domain/user-service.js';

let repository: DynamoDbUserRepository | undefined;
export const usersRepository = () => (repository ??= new DynamoDbUserRepository(dynamoDocumentClient(), requiredEnv('USERS_TABLE_NAME')));

let signUp: UserService | undefined;
export const signUpService = () => (signUp ??= new UserService({ users: usersRepository(), passwords: new Argon2PasswordHasher() }));

/** Sessions and log-in attempt counters (resources/users.yml, UsersSessionsTable). */
const sessionsTable = () => requiredEnv('SESSIONS_TABLE_NAME');

/** `withTokens`: log-in and refresh sign access tokens; log-out and revoke-all do not (and have no signing keys). */
const sessionService = (withTokens: boolean) =>
  new SessionService({
    store: new DynamoDbSessionStore(dynamoDocumentClient(), sessionsTable()),
    lifetimes: {
      refreshTokenTtlSeconds: positiveIntegerEnv('REFRESH_TOKEN_TTL_SECONDS'),
      sessionMaxSeconds: positiveIntegerEnv('SESSION_MAX_SECONDS'),
    },
    tokens: withTokens ? new RsaTokenIssuer(signingKeysLoader(requiredEnv('JWT_SIGNING_KEYS_SOURCE')), tokenConfigFromEnv()) : undefined,
    onReuse: (details) => logger.warn('spent refresh token presented again: its session family is revoked', details),
  });

let login: UserService | undefined;
export const loginService = () =>
  (login ??= new UserService({
    users: usersRepository(),
    passwords: new Argon2PasswordHasher(),
    sessions: sessionService(true),
    attempts: new LoginAttemptGuard(new DynamoDbLoginAttempts(dynamoDocumentClient(), sessionsTable()), {
      maxFailuresPerEmail: positiveIntegerEnv('LOGIN_MAX_FAILURES_PER_EMAIL'),
      maxFailuresPerAddress: positiveIntegerEnv('LOGIN_MAX_FAILURES_PER_ADDRESS'),
      windowSeconds: positiveIntegerEnv('LOGIN_ATTEMPT_WINDOW_SECONDS'),
    }),
    onRehashFailure: (error) => logger.warn('could not upgrade a password hash', { error: (error as Error).name }),
  }));

let refresh: SessionService | undefined;
export const refreshService = () => (refresh ??= sessionService(true));

let signOut: SessionService | undefined;
/** POST /logout and POST /users/{userId}/sessions/revoke. */
export const signOutService = () => (signOut ??= sessionService(false));

let listUsers: UserService | undefined;
export const listUsersService = () => (listUsers ??= new UserService({ users: usersRepository() }));

let userWithOrders: UserService | undefined;
/** GET /users/{userId}: the user, and their orders from the orders context's query function behind a circuit breaker. */
export const userWithOrdersService = () =>
  (userWithOrders ??= new UserService({
    users: usersRepository(),
    orders: new CircuitBreakingUserOrders(lambdaOrdersSource(requiredEnv('ORDERS_QUERY_FUNCTION')), undefined, (state) =>
      logger.warn('orders circuit breaker', { state }),
    ),
  }));

/** The outbox's mapping for the users table's stream (KEYS_ONLY): a new user's insert -> UserRegistered, the user read back. */
export const userRegisteredOf =
  (users: () => Pick<DynamoDbUserRepository, 'getUserItem'> = usersRepository) =>
  async (record: DynamoDBRecord) => {
    const userId = insertedUserId(record);
    if (userId === undefined) return undefined;
    const user = await users().getUserItem(userId);
    if (!user) logger.warn('user from the stream no longer exists; not announced', { userId });
    return user && userRegisteredEvent(user);
  };
