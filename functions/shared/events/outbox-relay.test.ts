import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { buildEvent, type OutgoingEvent } from './contracts.js';
import type { EventPublisher } from './event-publisher.js';
import { outboxRelay } from './outbox-relay.js';

const USER = '0b5c3f0e-8d1b-4a57-9a43-3c1b2e6f4a10';
const record = (sequenceNumber: string, id: string): DynamoDBRecord => ({
  eventName: 'INSERT',
  dynamodb: { SequenceNumber: sequenceNumber, Keys: { pk: { S: id } } },
});
const idOf = (r: DynamoDBRecord) => r.dynamodb?.Keys?.pk?.S as string;
const eventFor = (id: string) =>
  buildEvent(
    'UserRegistered',
    { userId: USER, email: `${id}@example.com`, name: id },
    { eventId: `${id}:UserRegistered`, correlationId: 'c', occurredAt: '2026-05-01T00:00:00.000Z' },
  );

/** Records each call; a call holding a `failFor` id fails as a whole (as the publisher does after its retries). */
class RecordingPublisher implements EventPublisher {
  calls: OutgoingEvent[][] = [];
  failFor = new Set<string>();
  async publish(events: OutgoingEvent[]) {
    this.calls.push(events);
    if (events.some((event) => this.failFor.has((event as OutgoingEvent<'UserRegistered'>).detail.data.name)))
      throw new Error('PutEvents failed');
  }
}

describe('the outbox relay', () => {
  it('publishes the events of the records that have one, ten per call, and skips the rest', async () => {
    const publisher = new RecordingPublisher();
    const records = Array.from({ length: 23 }, (_, i) => record(String(100 + i), `r${i}`));
    const relay = outboxRelay(
      (r) => (idOf(r) === 'r3' ? undefined : eventFor(idOf(r))),
      () => publisher,
    );
    expect(await relay({ Records: records })).toEqual({ batchItemFailures: [] });
    expect(publisher.calls.map((call) => call.length)).toEqual([10, 10, 2]);
    expect(publisher.calls.flat().map((e) => e.detail.metadata.eventId)).toEqual(
      records.filter((r) => idOf(r) !== 'r3').map((r) => `${idOf(r)}:UserRegistered`),
    );
  });

  it('reports the records it could not publish by SequenceNumber, in stream order, so the stream hands them again', async () => {
    const publisher = new RecordingPublisher();
    publisher.failFor.add('r12'); // in the second call of ten
    const records = Array.from({ length: 25 }, (_, i) => record(String(500 + i), `r${i}`));
    const response = await outboxRelay(
      (r) => eventFor(idOf(r)),
      () => publisher,
    )({ Records: records });
    expect(publisher.calls).toHaveLength(3);
    expect(response.batchItemFailures).toEqual(Array.from({ length: 10 }, (_, i) => ({ itemIdentifier: String(510 + i) })));
  });

  it('reports a record it could not read, and still publishes the others', async () => {
    const publisher = new RecordingPublisher();
    const relay = outboxRelay(
      async (r) => {
        if (idOf(r) === 'r1') throw new Error('the table is unreachable');
        return eventFor(idOf(r));
      },
      () => publisher,
    );
    const response = await relay({ Records: [record('1', 'r0'), record('2', 'r1'), record('3', 'r2')] });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
    expect(publisher.calls.flat().map((e) => e.detail.metadata.eventId)).toEqual(['r0:UserRegistered', 'r2:UserRegistered']);
  });
});
