// The users table's outbox relay's wiring (functions/users/wiring.ts says how it is laid out).
import type { DynamoDBRecord } from 'aws-lambda';
import { logger } from '../../shared/observability.js';
import type { DynamoDbUserRepository } from '../adapters/dynamodb-user-repository.js';
import { insertedUserId } from '../adapters/user-stream.js';
import { userRegisteredEvent } from '../domain/user-events.js';
import { usersRepository } from './shared.js';

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
