/**
 * The outbox relay's logic: users table stream records (KEYS_ONLY, so no password hash ever travels
 * in the stream) -> `UserRegistered` on the bus. Each new user item is read back and announced; a
 * failure reports that record (and so everything after it) for retry; after the retries the
 * event source mapping sends it to the DLQ. The eventId is derived from the user id, so a
 * redelivery is recognisably the same event.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { buildEvent, type OutgoingEvent } from '../../shared/events/contracts.js';
import type { EventPublisher } from '../../shared/events/event-publisher.js';
import { logger } from '../../shared/observability.js';
import type { UserItem } from './dynamodb-user-repository.js';

/** The new user's id when the record is the insert of a user item (credential items are skipped). */
export function insertedUserId(record: DynamoDBRecord): string | undefined {
  if (record.eventName !== 'INSERT') return undefined;
  const keys = record.dynamodb?.Keys;
  const pk = keys?.pk?.S;
  if (keys?.sk?.S !== 'PROFILE' || !pk?.startsWith('USER#')) return undefined;
  return pk.slice('USER#'.length);
}

export function userRegisteredEvent(
  user: Pick<UserItem, 'userId' | 'email' | 'name' | 'createdAt' | 'correlationId'>,
): OutgoingEvent<'UserRegistered'> {
  return buildEvent(
    'UserRegistered',
    { userId: user.userId, email: user.email, name: user.name },
    {
      eventId: `UserRegistered-${user.userId}`,
      correlationId: user.correlationId,
      occurredAt: user.createdAt,
    },
  );
}

export function userRegisteredRelay(readUser: (userId: string) => Promise<UserItem | undefined>, publisher: EventPublisher) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    for (const record of event.Records) {
      const userId = insertedUserId(record);
      if (!userId) continue;
      try {
        const user = await readUser(userId);
        if (!user) {
          logger.warn('user from the stream no longer exists; not announced', {
            userId,
          });
          continue;
        }
        await publisher.publish([userRegisteredEvent(user)]);
      } catch (error) {
        logger.error('could not publish UserRegistered; the stream will retry', { userId, error });
        // Lambda retries from the lowest failed sequence number: this record and all after it.
        return {
          batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }],
        };
      }
    }
    return { batchItemFailures: [] };
  };
}
