import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../tests/support/lambda.js';
import type { OutgoingEvent } from '../../shared/events/contracts.js';
import type { EventPublisher } from '../../shared/events/event-publisher.js';
import { exampleEvent } from '../../shared/events/examples/examples.js';
import { idempotencyKey, orderItemOf } from '../adapters/dynamodb-order-repository.js';
import type { Order } from '../domain/order.js';
import { createHandler } from './publish-order-events.js';

const order: Order = {
  orderId: '01JZ8R3M5QK7V2W9X4Y6Z8A0BC',
  userId: 'user-example-1',
  productId: 'CATALOG-001',
  qty: 3,
  status: 'PENDING',
  createdAt: '2026-03-01T10:00:00.000Z',
  paymentMethod: 'pm_card_visa',
  correlationId: 'corr-example-1',
};

const keysOf = (image: object) => ({ pk: (image as { pk: string }).pk, sk: (image as { sk: string }).sk });

/** A record as the orders table's stream (NEW_IMAGE) hands it: the stored item, as the repository writes it. */
function record(sequenceNumber: string, eventName: 'INSERT' | 'MODIFY' | 'REMOVE', image?: object): DynamoDBRecord {
  return {
    eventName,
    dynamodb: {
      SequenceNumber: sequenceNumber,
      ...(image ? { Keys: marshall(keysOf(image)) as never, NewImage: marshall(image, { removeUndefinedValues: true }) as never } : {}),
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

class RecordingPublisher implements EventPublisher {
  published: OutgoingEvent[] = [];
  async publish(events: OutgoingEvent[]) {
    this.published.push(...events);
  }
}

async function relay(...records: DynamoDBRecord[]) {
  const publisher = new RecordingPublisher();
  const response = await createHandler(() => publisher)({ Records: records }, lambdaContext);
  return { response, published: publisher.published };
}

describe('publishOrderEvents (the orders table outbox)', () => {
  it('announces each stored order state and ignores idempotency claims and removals', async () => {
    const claim = { ...idempotencyKey(order.userId, 'k'), entity: 'IDEMPOTENCY', orderId: order.orderId, fingerprint: 'f', expiresAt: 1 };
    const confirmed: Order = {
      ...order,
      status: 'CONFIRMED',
      unitPrice: 1500,
      totalPrice: 4500,
      settledAt: '2026-03-01T10:00:00.250Z',
      paymentDueAt: '2026-03-01T10:01:00.250Z',
    };
    const { response, published } = await relay(
      record('100', 'INSERT', orderItemOf(order)),
      record('101', 'INSERT', claim),
      record('102', 'MODIFY', orderItemOf(confirmed)),
      record('103', 'REMOVE'),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(published).toEqual([exampleEvent('OrderPlaced'), exampleEvent('OrderConfirmed')]);
  });

  it('re-announces a PENDING order touched by the sweeper (same event, same id)', async () => {
    const { published } = await relay(record('200', 'MODIFY', { ...orderItemOf(order), announcements: 1 }));
    expect(published).toEqual([exampleEvent('OrderPlaced')]);
  });

  it('announces nothing for a write that only recorded an acknowledgement, and the state again for any other write', async () => {
    const cancelled: Order = {
      ...order,
      status: 'CANCELLED',
      reason: 'BUYER_CANCELLED',
      cancelledFrom: 'PAID',
      cancelledAt: '2026-03-01T10:05:00.100Z',
      unitPrice: 1500,
      totalPrice: 4500,
      paidAt: '2026-03-01T10:01:00.600Z',
    };
    const refunded = { ...orderItemOf(cancelled), refundedAt: '2026-03-01T10:05:00.700Z' };
    const { response, published } = await relay(
      record('300', 'MODIFY', { ...refunded, silent: true }),
      record('301', 'MODIFY', { ...refunded, announcements: 1 }),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(published).toEqual([exampleEvent('OrderCancelled')]);
  });

  it('fails (does not skip) a record without a new image: the stream view type is wrong', async () => {
    const { response, published } = await relay(record('400', 'INSERT'));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '400' }]);
    expect(published).toEqual([]);
  });
});
