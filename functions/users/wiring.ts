/**
 * The users context's adapters, each built once per function instance and only when a handler asks.
 * Password hashing (a native module) and the signing keys are wired in the two handlers that use them
 * (sign-up.ts, login.ts), so no other function bundles them.
 */
import { requiredEnv } from '../shared/config.js';
import { dynamoDocumentClient } from '../shared/dynamodb.js';
import { once } from '../shared/once.js';
import { logger } from '../shared/observability.js';
import { DynamoDbUserRepository } from './adapters/dynamodb-user-repository.js';

export const usersRepository = once(() => new DynamoDbUserRepository(dynamoDocumentClient(), requiredEnv('USERS_TABLE_NAME')));

export const logRehashFailure = (error: unknown) =>
  logger.warn('could not upgrade a password hash', {
    error: (error as Error).name,
  });
