import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../tests/support/lambda.js';
import { parseEvent, type OutgoingEvent } from '../../shared/events/contracts.js';
import type { EventPublisher } from '../../shared/events/event-publisher.js';
import type { UserItem } from '../adapters/dynamodb-user-repository.js';
import { userRegisteredOf } from '../wiring.js';
import { createHandler } from './publish-user-events.js';

const USER_ID = '0b5c3f0e-8d1b-4a57-9a43-3c1b2e6f4a10';
const item: UserItem = {
  pk: `USER#${USER_ID}`,
  sk: 'PROFILE',
  entity: 'USER',
  userId: USER_ID,
  email: 'ada@example.com',
  name: 'Ada',
  createdAt: '2026-05-01T00:00:00.000Z',
  correlationId: 'corr-1',
};
/** A record as the users table's stream (KEYS_ONLY) hands it. */
const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', pk: string, sk: string, seq: string): DynamoDBRecord => ({
  eventName,
  dynamodb: { Keys: { pk: { S: pk }, sk: { S: sk } }, SequenceNumber: seq },
});

function setup(readUser: (userId: string) => Promise<UserItem | undefined> = async () => item) {
  const published: OutgoingEvent[] = [];
  const reads: string[] = [];
  const publisher: EventPublisher = { publish: async (events) => void published.push(...events) };
  const handler = createHandler(
    userRegisteredOf(() => ({ getUserItem: (userId) => (reads.push(userId), readUser(userId)) })),
    () => publisher,
  );
  return { published, reads, relay: (...records: DynamoDBRecord[]) => handler({ Records: records }, lambdaContext) };
}

describe('publishUserEvents (the users table outbox)', () => {
  it('announces user inserts only (not credentials, updates or removals)', async () => {
    const { reads, relay } = setup();
    const response = await relay(
      record('INSERT', 'EMAIL#ada@example.com', 'CREDENTIAL', '1'),
      record('INSERT', item.pk, 'PROFILE', '2'),
      record('MODIFY', item.pk, 'PROFILE', '3'),
      record('REMOVE', item.pk, 'PROFILE', '4'),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(reads).toEqual([USER_ID]);
  });

  it('publishes a contract-valid UserRegistered with a deterministic eventId and the sign-up correlation id', async () => {
    const { published, relay } = setup();
    await relay(record('INSERT', item.pk, 'PROFILE', '2'));
    expect(published).toHaveLength(1);
    const event = published[0] as OutgoingEvent<'UserRegistered'>;
    expect(event).toMatchObject({ source: 'ecommerce.users', detailType: 'UserRegistered' });
    const envelope = parseEvent('UserRegistered', JSON.parse(JSON.stringify(event.detail)));
    expect(envelope.data).toEqual({ userId: USER_ID, email: 'ada@example.com', name: 'Ada' });
    expect(envelope.metadata).toMatchObject({ eventId: `${USER_ID}:UserRegistered`, correlationId: 'corr-1', occurredAt: item.createdAt });
    expect(JSON.stringify(event)).not.toMatch(/password|scrypt|argon2/i);
  });

  it('skips a user that is gone, and reports a record whose user could not be read', async () => {
    const { published, relay } = setup(async (userId) => {
      if (userId === 'gone') return undefined;
      if (userId === 'unreadable') throw new Error('the table is unreachable');
      return item;
    });
    const response = await relay(
      record('INSERT', 'USER#gone', 'PROFILE', '10'),
      record('INSERT', 'USER#unreadable', 'PROFILE', '11'),
      record('INSERT', item.pk, 'PROFILE', '12'),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '11' }]);
    expect(published).toHaveLength(1);
  });
});
