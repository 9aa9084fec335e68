// What the users functions' wiring shares (functions/users/wiring.ts says how it is laid out): DynamoDB only.
import { positiveIntegerEnv, requiredEnv } from '../../shared/config.js';
import { dynamoDocumentClient } from '../../shared/dynamodb.js';
import { logger } from '../../shared/observability.js';
import { DynamoDbSessionStore } from '../adapters/dynamodb-session-store.js';
import { DynamoDbUserRepository, readUserRoles } from '../adapters/dynamodb-user-repository.js';
import type { SessionServiceParts } from '../domain/sessions.js';
import type { UserRoles } from '../domain/user.js';

let repository: DynamoDbUserRepository | undefined;
export const usersRepository = () => (repository ??= new DynamoDbUserRepository(dynamoDocumentClient(), requiredEnv('USERS_TABLE_NAME')));

/** The users' roles alone (one GetItem of USER#<userId>): what log-in and refresh read to put them in the access token. */
export const userRoles = (): UserRoles => {
  const tableName = requiredEnv('USERS_TABLE_NAME');
  return { findRoles: (userId) => readUserRoles(dynamoDocumentClient(), tableName, userId) };
};

/** Sessions and log-in attempt counters (resources/users.yml, UsersSessionsTable). */
export const sessionsTable = () => requiredEnv('SESSIONS_TABLE_NAME');

/** What every session service has; log-in and refresh add the token issuer (token-issuer.ts) and the users' roles. */
export const sessionParts = (): SessionServiceParts => ({
  store: new DynamoDbSessionStore(dynamoDocumentClient(), sessionsTable()),
  lifetimes: {
    refreshTokenTtlSeconds: positiveIntegerEnv('REFRESH_TOKEN_TTL_SECONDS'),
    sessionMaxSeconds: positiveIntegerEnv('SESSION_MAX_SECONDS'),
  },
  onReuse: (details) => logger.warn('spent refresh token presented again: its session family is revoked', details),
});
