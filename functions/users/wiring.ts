/**
 * The users context's composition root: one builder per use case, each making (once per function
 * instance, on first use) only what that use case calls. Plain functions, so a handler's bundle keeps
 * only the builders it calls (tree-shaking). What tree-shaking cannot drop stays out of this file: a
 * builder that needs more than DynamoDB lives in a module of its own under wiring/, named after the
 * function whose handler alone imports it, so no other bundle holds (or evaluates at INIT) its parts,
 * which tree-shaking could not always drop (a CommonJS package such as opossum is kept whole wherever it
 * is imported; a choice made at run time, such as "with tokens or not", keeps both sides):
 *   wiring/login.ts          POST /login: password hashing, the log-in limits, the token issuer
 *   wiring/refresh-token.ts  POST /token/refresh: the token issuer
 *   wiring/token-issuer.ts   the signing keys (SSM or the local file) and the issuer, for those two
 *   wiring/get-user.ts       GET /users/{userId}: the orders query (Lambda) behind a circuit breaker
 * Here: the parts the users functions share (DynamoDB only) and the builders made of them alone.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { positiveIntegerEnv, requiredEnv } from '../shared/config.js';
import { dynamoDocumentClient } from '../shared/dynamodb.js';
import { logger } from '../shared/observability.js';
import { DynamoDbSessionStore } from './adapters/dynamodb-session-store.js';
import { DynamoDbUserRepository } from './adapters/dynamodb-user-repository.js';
import { insertedUserId } from './adapters/user-stream.js';
import { Argon2PasswordHasher } from './auth/password-hasher.js';
import { SessionService, type SessionServiceParts } from './domain/sessions.js';
import { userRegisteredEvent } from './domain/user-events.js';
import { UserService } from './domain/user-service.js';

let repository: DynamoDbUserRepository | undefined;
export const usersRepository = () => (repository ??= new DynamoDbUserRepository(dynamoDocumentClient(), requiredEnv('USERS_TABLE_NAME')));

let signUp: UserService | undefined;
export const signUpService = () => (signUp ??= new UserService({ users: usersRepository(), passwords: new Argon2PasswordHasher() }));

/** Sessions and log-in attempt counters (resources/users.yml, UsersSessionsTable). */
export const sessionsTable = () => requiredEnv('SESSIONS_TABLE_NAME');

/** What every session service has; log-in and refresh add the token issuer (wiring/token-issuer.ts). */
export const sessionParts = (): SessionServiceParts => ({
  store: new DynamoDbSessionStore(dynamoDocumentClient(), sessionsTable()),
  lifetimes: {
    refreshTokenTtlSeconds: positiveIntegerEnv('REFRESH_TOKEN_TTL_SECONDS'),
    sessionMaxSeconds: positiveIntegerEnv('SESSION_MAX_SECONDS'),
  },
  onReuse: (details) => logger.warn('spent refresh token presented again: its session family is revoked', details),
});

let signOut: SessionService | undefined;
/** POST /logout and POST /users/{userId}/sessions/revoke: no access tokens signed, so no signing keys. */
export const signOutService = () => (signOut ??= new SessionService(sessionParts()));

let listUsers: UserService | undefined;
export const listUsersService = () => (listUsers ??= new UserService({ users: usersRepository() }));

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
