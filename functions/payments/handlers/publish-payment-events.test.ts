import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../tests/support/lambda.js';
import type { OutgoingEvent } from '../../shared/events/contracts.js';
import type { EventPublisher } from '../../shared/events/event-publisher.js';
import { exampleEvent } from '../../shared/events/examples/examples.js';
import { paymentItemOf } from '../adapters/dynamodb-payment-repository.js';
import { providerLedgerKey } from '../adapters/payment-simulator.js';
import type { ChargingPayment, Payment } from '../domain/payment.js';
import { createHandler } from './publish-payment-events.js';

const claim: ChargingPayment = {
  orderId: '01JZ8R3M5QK7V2W9X4Y6Z8A0BC',
  userId: 'user-example-1',
  amount: 4500,
  paymentMethod: 'pm_card_visa',
  requestedAt: '2026-03-01T10:01:00.410Z',
  correlationId: 'corr-example-1',
  status: 'CHARGING',
};
const charged: Payment = {
  ...claim,
  status: 'CHARGED',
  paymentId: 'pay_01JZ8R3M5QK7V2W9X4Y6Z8A0BC',
  chargedAt: '2026-03-01T10:01:00.520Z',
};

/** A record as the payments table's stream (NEW_IMAGE) hands it: the stored item, as the adapters write it. */
function record(sequenceNumber: string, eventName: 'INSERT' | 'MODIFY' | 'REMOVE', image?: object): DynamoDBRecord {
  const keys = image as { pk: string; sk: string } | undefined;
  return {
    eventName,
    dynamodb: {
      SequenceNumber: sequenceNumber,
      ...(image
        ? { Keys: marshall({ pk: keys?.pk, sk: keys?.sk }) as never, NewImage: marshall(image, { removeUndefinedValues: true }) as never }
        : {}),
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

class RecordingPublisher implements EventPublisher {
  published: OutgoingEvent[] = [];
  failing = false;
  async publish(events: OutgoingEvent[]) {
    if (this.failing) throw new Error('PutEvents failed');
    this.published.push(...events);
  }
}

async function relay(publisher: RecordingPublisher, ...records: DynamoDBRecord[]) {
  return createHandler(() => publisher)({ Records: records }, lambdaContext);
}

describe('publishPaymentEvents (the payments table outbox)', () => {
  it('announces each decided payment and each tombstone; claims, the simulator’s ledger and removals announce nothing', async () => {
    const publisher = new RecordingPublisher();
    const tombstone = paymentItemOf({
      status: 'CANCELLED',
      orderId: claim.orderId,
      userId: 'u',
      cancelledAt: '2026-03-01T10:00:40.300Z',
      correlationId: 'corr-example-1',
    });
    const ledger = { ...providerLedgerKey(claim.orderId), entity: 'PROVIDER', orderId: claim.orderId, charges: 1, chargeRequests: 1 };
    const response = await relay(
      publisher,
      record('100', 'INSERT', paymentItemOf(claim)),
      record('101', 'INSERT', ledger),
      record('102', 'MODIFY', paymentItemOf(charged)),
      record('103', 'INSERT', tombstone),
      // A repeated cancellation re-announces the tombstone.
      record('103.5', 'MODIFY', { ...tombstone, announcements: 1, lastAnnouncedAt: '2026-03-01T10:03:00.000Z' }),
      // A re-announcement: the same record with its bookkeeping bumped is announced again, with the same eventId.
      record('104', 'MODIFY', { ...paymentItemOf(charged), announcements: 1, lastAnnouncedAt: '2026-03-01T10:03:00.000Z' }),
      record('105', 'MODIFY', paymentItemOf({ ...charged, status: 'REFUNDED', refundedAt: '2026-03-01T10:05:00.700Z' })),
      record('106', 'REMOVE'),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(publisher.published).toEqual([
      exampleEvent('PaymentSucceeded'),
      exampleEvent('PaymentCancelled'),
      exampleEvent('PaymentCancelled'),
      exampleEvent('PaymentSucceeded'),
      exampleEvent('PaymentRefunded'),
    ]);
  });

  it('a decline announces PaymentDeclined; once it carries the order’s cancellation, PaymentCancelled', async () => {
    const publisher = new RecordingPublisher();
    const declined = paymentItemOf({
      ...claim,
      paymentMethod: 'pm_card_declined',
      status: 'DECLINED',
      reason: 'CARD_DECLINED',
      declinedAt: '2026-03-01T10:01:00.520Z',
    });
    const answered = { ...declined, cancelledAt: '2026-03-01T10:00:40.300Z' };
    const response = await relay(publisher, record('300', 'MODIFY', declined), record('301', 'MODIFY', answered));
    expect(response.batchItemFailures).toEqual([]);
    expect(publisher.published).toEqual([exampleEvent('PaymentDeclined'), exampleEvent('PaymentCancelled')]);
  });

  it('a failed publish reports its records, so the stream hands them again', async () => {
    const publisher = new RecordingPublisher();
    publisher.failing = true;
    const response = await relay(publisher, record('200', 'INSERT', paymentItemOf(claim)), record('201', 'MODIFY', paymentItemOf(charged)));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '201' }]);
  });
});
