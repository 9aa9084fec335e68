import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
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
      ...(image ? { NewImage: marshall(image, { removeUndefinedValues: true }) as never } : {}),
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

class RecordingPublisher implements EventPublisher {
  published: OutgoingEvent[] = [];
  failFor = new Set<string>();
  async publish(events: OutgoingEvent[]) {
    for (const event of events) {
      if (this.failFor.has(event.detailType)) throw new Error('PutEvents failed for 1 entry after 4 attempts: InternalFailure');
      this.published.push(event);
    }
  }
}

const context = { functionName: 'publishOrderEvents', awsRequestId: 'r1' } as Context;

describe('the outbox relay (orders table stream -> bus)', () => {
  it('announces each stored order state and ignores other items and removals', async () => {
    const publisher = new RecordingPublisher();
    const event: DynamoDBStreamEvent = {
      Records: [
        record('100', 'INSERT', order),
        record('101', 'INSERT', { pk: 'ORDER#01JZ8R3M5QK7V2W9X4Y6Z8A0BC', sk: 'REF', entity: 'ORDER_REF', userId: 'u', orderId: 'o' }),
        record('102', 'INSERT', { pk: 'USER#u', sk: 'IDEMPOTENCY#k', entity: 'IDEMPOTENCY', orderId: 'o', fingerprint: 'f', expiresAt: 1 }),
        record('103', 'MODIFY', { ...order, pendingShard: undefined, status: 'CONFIRMED', unitPrice: 1500, totalPrice: 4500, settledAt: '2026-03-01T10:00:00.250Z' }),
        record('104', 'REMOVE'),
      ],
    };
    const response = await publishOrderEvents(publisher)(event, context);
    expect(response.batchItemFailures).toEqual([]);
    expect(publisher.published).toEqual([exampleEvent('OrderPlaced'), exampleEvent('OrderConfirmed')]);
  });

  it('re-announces a PENDING order touched by the sweeper (same event, same id)', async () => {
    const publisher = new RecordingPublisher();
    await publishOrderEvents(publisher)({ Records: [record('200', 'MODIFY', { ...order, announcements: 1 })] }, context);
    expect(publisher.published).toEqual([exampleEvent('OrderPlaced')]);
  });

  it('reports a record it could not publish by its SequenceNumber, so the stream hands it again', async () => {
    const publisher = new RecordingPublisher();
    publisher.failFor.add('OrderRejected');
    const rejected = { ...order, status: 'REJECTED', reason: 'OUT_OF_STOCK', settledAt: '2026-03-01T10:00:00.250Z' };
    const response = await publishOrderEvents(publisher)(
      { Records: [record('300', 'INSERT', order), record('301', 'MODIFY', rejected)] },
      context,
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '301' }]);
    expect(publisher.published).toEqual([exampleEvent('OrderPlaced')]);
  });

  it('fails (does not skip) an order image without a new image: the stream view type is wrong', async () => {
    const publisher = new RecordingPublisher();
    const response = await publishOrderEvents(publisher)({ Records: [record('400', 'INSERT')] }, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '400' }]);
  });
});
