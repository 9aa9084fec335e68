import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { OutgoingEvent } from '../../shared/events/contracts.js';
import type { EventPublisher } from '../../shared/events/event-publisher.js';
import { exampleEvent } from '../../shared/events/examples/examples.js';

process.env.EVENT_BUS_NAME ??= 'unit-test-bus';
const { publishOrderEvents } = await import('./publish-order-events.js');

const order = {
  pk: 'USER#user-example-1',
  sk: 'ORDER#01JZ8R3M5QK7V2W9X4Y6Z8A0BC',
  entity: 'ORDER',
  orderId: '01JZ8R3M5QK7V2W9X4Y6Z8A0BC',
  userId: 'user-example-1',
  productId: 'CATALOG-001',
  qty: 3,
  status: 'PENDING',
  createdAt: '2026-03-01T10:00:00.000Z',
  correlationId: 'corr-example-1',
  pendingShard: 'PENDING#0',
};

function record(sequenceNumber: string, eventName: 'INSERT' | 'MODIFY' | 'REMOVE', image?: Record<string, unknown>): DynamoDBRecord {
  return {
    eventID: sequenceNumber,
    eventName,
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:ddblocal:000000000000:table/orders/stream/x',
    dynamodb: {
      SequenceNumber: sequenceNumber,
      Keys: marshall({ pk: order.pk, sk: order.sk }) as never,
      ...(image
        ? {
            NewImage: marshall(image, { removeUndefinedValues: true }) as never,
          }
        : {}),
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

/** Records each PutEvents-sized call; a call holding a `failFor` event fails as a whole (after its retries). */
class RecordingPublisher implements EventPublisher {
  published: OutgoingEvent[] = [];
  calls = 0;
  failFor = new Set<string>();
  async publish(events: OutgoingEvent[]) {
    this.calls++;
    if (events.some((event) => this.failFor.has((event.detail.data as { orderId: string }).orderId))) {
      throw new Error('PutEvents failed for 1 entry after 4 attempts: InternalFailure');
    }
    this.published.push(...events);
  }
}

describe('the outbox relay (orders table stream -> bus)', () => {
  it('announces each stored order state and ignores other items and removals', async () => {
    const publisher = new RecordingPublisher();
    const event: DynamoDBStreamEvent = {
      Records: [
        record('100', 'INSERT', order),
        record('101', 'INSERT', {
          pk: 'ORDER#01JZ8R3M5QK7V2W9X4Y6Z8A0BC',
          sk: 'REF',
          entity: 'ORDER_REF',
          userId: 'u',
          orderId: 'o',
        }),
        record('102', 'INSERT', {
          pk: 'USER#u',
          sk: 'IDEMPOTENCY#k',
          entity: 'IDEMPOTENCY',
          orderId: 'o',
          fingerprint: 'f',
          expiresAt: 1,
        }),
        record('103', 'MODIFY', {
          ...order,
          pendingShard: undefined,
          status: 'CONFIRMED',
          unitPrice: 1500,
          totalPrice: 4500,
          settledAt: '2026-03-01T10:00:00.250Z',
        }),
        record('104', 'REMOVE'),
      ],
    };
    const response = await publishOrderEvents(publisher)(event);
    expect(response.batchItemFailures).toEqual([]);
    expect(publisher.published).toEqual([exampleEvent('OrderPlaced'), exampleEvent('OrderConfirmed')]);
  });

  it('re-announces a PENDING order touched by the sweeper (same event, same id)', async () => {
    const publisher = new RecordingPublisher();
    await publishOrderEvents(publisher)({
      Records: [record('200', 'MODIFY', { ...order, announcements: 1 })],
    });
    expect(publisher.published).toEqual([exampleEvent('OrderPlaced')]);
  });

  it('reports the records it could not publish by SequenceNumber, in stream order, so the stream hands them again', async () => {
    const publisher = new RecordingPublisher();
    const orders = Array.from({ length: 25 }, (_, i) => ({
      ...order,
      orderId: `01JZ8R3M5QK7V2W9X4Y6Z8A${String(i).padStart(3, '0')}`,
    }));
    publisher.failFor.add(orders[12]!.orderId); // in the second call of ten
    const response = await publishOrderEvents(publisher)({
      Records: orders.map((o, i) => record(String(500 + i), 'INSERT', o)),
    });
    expect(publisher.calls).toBe(3);
    expect(response.batchItemFailures).toEqual(
      Array.from({ length: 10 }, (_, i) => ({
        itemIdentifier: String(510 + i),
      })),
    );
    expect(publisher.published.map((e) => (e.detail.data as { orderId: string }).orderId)).toEqual(
      [...orders.slice(0, 10), ...orders.slice(20)].map((o) => o.orderId),
    );
  });

  it('fails (does not skip) an order image without a new image: the stream view type is wrong', async () => {
    const publisher = new RecordingPublisher();
    const response = await publishOrderEvents(publisher)({
      Records: [record('400', 'INSERT')],
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '400' }]);
  });
});
