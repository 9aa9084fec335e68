import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseEvent, type OutgoingEvent } from '../../shared/events/contracts.js';
import type { UserItem } from './dynamodb-user-repository.js';
import { insertedUserId, userRegisteredRelay } from './user-registered-relay.js';

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
const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', pk: string, sk: string, seq: string): DynamoDBRecord => ({
  eventName,
  dynamodb: { Keys: { pk: { S: pk }, sk: { S: sk } }, SequenceNumber: seq },
});

describe('the UserRegistered relay', () => {
  it('picks user inserts only (not credentials, updates or deletes)', () => {
    expect(insertedUserId(record('INSERT', `USER#${USER_ID}`, 'PROFILE', '1'))).toBe(USER_ID);
    expect(insertedUserId(record('INSERT', 'EMAIL#ada@example.com', 'CREDENTIAL', '2'))).toBeUndefined();
    expect(insertedUserId(record('MODIFY', `USER#${USER_ID}`, 'PROFILE', '3'))).toBeUndefined();
    expect(insertedUserId(record('REMOVE', `USER#${USER_ID}`, 'PROFILE', '4'))).toBeUndefined();
  });

  it('publishes a contract-valid UserRegistered with a stable eventId and the sign-up correlation id', async () => {
    const published: OutgoingEvent[] = [];
    const relay = userRegisteredRelay(async () => item, {
      publish: async (events) => void published.push(...events),
    });
    const result = await relay({
      Records: [record('INSERT', 'EMAIL#ada@example.com', 'CREDENTIAL', '1'), record('INSERT', item.pk, 'PROFILE', '2')],
    });
    expect(result.batchItemFailures).toEqual([]);
    expect(published).toHaveLength(1);
    const event = published[0] as OutgoingEvent<'UserRegistered'>;
    expect(event).toMatchObject({
      source: 'ecommerce.users',
      detailType: 'UserRegistered',
    });
    const envelope = parseEvent('UserRegistered', JSON.parse(JSON.stringify(event.detail)));
    expect(envelope.data).toEqual({
      userId: USER_ID,
      email: 'ada@example.com',
      name: 'Ada',
    });
    expect(envelope.metadata).toMatchObject({
      eventId: `UserRegistered-${USER_ID}`,
      correlationId: 'corr-1',
      occurredAt: item.createdAt,
    });
    expect(JSON.stringify(event)).not.toMatch(/password|scrypt|argon2/i);
  });

  it('reports the first record it could not publish, so the stream retries from there', async () => {
    let calls = 0;
    const relay = userRegisteredRelay(async () => item, {
      publish: async () => {
        if (++calls === 2) throw new Error('PutEvents failed');
      },
    });
    const result = await relay({
      Records: [
        record('INSERT', item.pk, 'PROFILE', '10'),
        record('INSERT', item.pk, 'PROFILE', '11'),
        record('INSERT', item.pk, 'PROFILE', '12'),
      ],
    });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '11' }]);
  });
});
