// requestPayments (the payment-due queue's consumer) on the shared in-memory orders fake: OrderConfirmed, handed back
// when the grace period is over, requests the payment once; an early one is retried, a cancelled order asks nothing.
import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { lambdaContext } from '../../../tests/support/lambda.js';
import type { OutgoingEvent } from '../../shared/events/contracts.js';
import { asSqsRecord, exampleEvent } from '../../shared/events/examples/examples.js';
import { logger, metrics } from '../../shared/observability.js';
import { InMemoryOrderRepository } from '../adapters/in-memory-order-repository.js';
import { orderEvent } from '../domain/order-events.js';
import { OrderService } from '../domain/order-service.js';
import type { Order } from '../domain/order.js';
import { createHandler } from './request-payments.js';

/** The order OrderConfirmed.json announces, as stored. */
const confirmed: Order = {
  orderId: '01JZ8R3M5QK7V2W9X4Y6Z8A0BC',
  userId: 'user-example-1',
  productId: 'CATALOG-001',
  qty: 3,
  status: 'CONFIRMED',
  createdAt: '2026-03-01T10:00:00.000Z',
  paymentMethod: 'pm_card_visa',
  unitPrice: 1500,
  totalPrice: 4500,
  settledAt: '2026-03-01T10:00:00.250Z',
  paymentDueAt: '2026-03-01T10:01:00.250Z',
  correlationId: 'corr-example-1',
};
/** When PaymentRequested.json says the payment was requested. */
const REQUESTED_AT = new Date('2026-03-01T10:01:00.400Z');

function setup(orders: Order[] = [confirmed], now = REQUESTED_AT) {
  const repository = new InMemoryOrderRepository(orders);
  const handler = createHandler(() => new OrderService(repository, () => now));
  const deliver = (...events: Array<[OutgoingEvent, string]>) =>
    handler({ Records: events.map(([event, id]) => asSqsRecord(event, id)) } as SQSEvent, lambdaContext);
  return { deliver, stored: () => repository.orders.get(confirmed.orderId) };
}

let addMetric: MockInstance<typeof metrics.addMetric>;
beforeEach(() => {
  addMetric = vi.spyOn(metrics, 'addMetric');
  vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
  vi.spyOn(logger, 'error').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());
const metricNames = () => addMetric.mock.calls.map(([name]) => name);

describe('requestPayments', () => {
  it('requests the payment of the CONFIRMED order once: the outbox will announce exactly PaymentRequested', async () => {
    const { deliver, stored } = setup();
    expect((await deliver([exampleEvent('OrderConfirmed'), 'm-1'])).batchItemFailures).toEqual([]);
    expect(orderEvent(stored() as Order)).toEqual(exampleEvent('PaymentRequested'));
    expect((await deliver([exampleEvent('OrderConfirmed'), 'again'])).batchItemFailures).toEqual([]);
    expect(stored()?.paymentRequestedAt).toBe(REQUESTED_AT.toISOString());
    expect(metricNames()).toEqual(['paymentsRequested', 'paymentRequestsRepeated']);
  });

  it('an early message fails alone (SQS hands it again later), counted as a retry, not a failure', async () => {
    const { deliver, stored } = setup([confirmed], new Date('2026-03-01T10:00:30.000Z'));
    expect((await deliver([exampleEvent('OrderConfirmed'), 'early'])).batchItemFailures).toEqual([{ itemIdentifier: 'early' }]);
    expect(stored()?.paymentRequestedAt).toBeUndefined();
    expect(metricNames()).toEqual(['consumerRetries']);
  });

  it('an order cancelled within its grace period asks for nothing, and the message succeeds', async () => {
    const cancelled: Order = {
      ...confirmed,
      status: 'CANCELLED',
      reason: 'BUYER_CANCELLED',
      cancelledFrom: 'CONFIRMED',
      cancelledAt: '2026-03-01T10:00:30.000Z',
    };
    const { deliver, stored } = setup([cancelled]);
    expect((await deliver([exampleEvent('OrderConfirmed'), 'm-1'])).batchItemFailures).toEqual([]);
    expect(stored()?.paymentRequestedAt).toBeUndefined();
    expect(metricNames()).toEqual(['paymentRequestsSkipped']);
  });

  it('an OrderConfirmed from another source than orders is dropped', async () => {
    const { deliver, stored } = setup();
    await deliver([{ ...exampleEvent('OrderConfirmed'), source: 'ecommerce.payments' }, 'forged']);
    expect(stored()?.paymentRequestedAt).toBeUndefined();
    expect(metricNames()).toEqual(['eventsFromWrongSource']);
  });
});
