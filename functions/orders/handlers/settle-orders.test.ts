// settleOrders (the orders queue's consumer) on the shared in-memory orders fake: the catalog's answer settles a
// PENDING order once; a repeat changes nothing, another answer for a settled order leaves the first standing, and an
// answer that does not fit the order (another product or quantity, or no such order) fails its message. Payments'
// answers pay or cancel a CONFIRMED order; the compensations' answers are recorded on a cancelled one.
import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { lambdaContext } from '../../../tests/support/lambda.js';
import type { OutgoingEvent } from '../../shared/events/contracts.js';
import { asSqsRecord, exampleEvent } from '../../shared/events/examples/examples.js';
import { logger, metrics } from '../../shared/observability.js';
import { InMemoryOrderRepository } from '../adapters/in-memory-order-repository.js';
import { announcementOf, orderEvent } from '../domain/order-events.js';
import { OrderService } from '../domain/order-service.js';
import type { Order } from '../domain/order.js';
import { createHandler } from './settle-orders.js';

/** The order the examples answer (OrderPlaced.json), still PENDING. */
const pending: Order = {
  orderId: '01JZ8R3M5QK7V2W9X4Y6Z8A0BC',
  userId: 'user-example-1',
  productId: 'CATALOG-001',
  qty: 3,
  status: 'PENDING',
  createdAt: '2026-03-01T10:00:00.000Z',
  correlationId: 'corr-example-1',
};
/** When the examples' orders were settled (OrderConfirmed.json, OrderRejected.json: occurredAt). */
const SETTLED_AT = new Date('2026-03-01T10:00:00.250Z');
const reserved = exampleEvent('StockReserved'); // 3 x CATALOG-001 at 1500
const rejected = exampleEvent('StockRejected'); // OUT_OF_STOCK

function setup(orders: Order[] = [pending]) {
  const repository = new InMemoryOrderRepository(orders);
  const clock = { now: SETTLED_AT };
  const service = new OrderService(repository, () => clock.now);
  const handler = createHandler(() => service);
  const deliver = (...events: Array<OutgoingEvent | [OutgoingEvent, string]>) =>
    handler(
      {
        Records: events.map((event, i) => (Array.isArray(event) ? asSqsRecord(event[0], event[1]) : asSqsRecord(event, `m-${i + 1}`))),
      } as SQSEvent,
      lambdaContext,
    );
  const stored = (orderId = pending.orderId) => repository.orders.get(orderId);
  return { repository, clock, deliver, stored };
}

let addMetric: MockInstance<typeof metrics.addMetric>;
let warn: MockInstance<typeof logger.warn>;
beforeEach(() => {
  addMetric = vi.spyOn(metrics, 'addMetric');
  warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
  vi.spyOn(logger, 'error').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());
const metricNames = () => addMetric.mock.calls.map(([name]) => name);

describe('settleOrders', () => {
  it('StockReserved confirms the PENDING order at the catalog price: the outbox will announce exactly OrderConfirmed', async () => {
    const { deliver, stored } = setup();
    expect((await deliver(reserved)).batchItemFailures).toEqual([]);
    expect(stored()).toMatchObject({
      ...pending,
      status: 'CONFIRMED',
      unitPrice: 1500,
      totalPrice: 4500,
      settledAt: SETTLED_AT.toISOString(),
      paymentDueAt: '2026-03-01T10:01:00.250Z',
    });
    expect(orderEvent(stored() as Order)).toEqual(exampleEvent('OrderConfirmed'));
    expect(metricNames()).toContain('ordersConfirmed');
  });

  it('StockRejected rejects the PENDING order with the reason: the outbox will announce exactly OrderRejected', async () => {
    const { deliver, stored } = setup();
    expect((await deliver(rejected)).batchItemFailures).toEqual([]);
    expect(stored()).toEqual({ ...pending, status: 'REJECTED', reason: 'OUT_OF_STOCK', settledAt: SETTLED_AT.toISOString() });
    expect(stored()).not.toHaveProperty('sweepShard');
    expect(orderEvent(stored() as Order)).toEqual(exampleEvent('OrderRejected'));
    expect(metricNames()).toContain('ordersRejected');
  });

  it('a confirmed order is watched from its payment due time (the sweeper requests the payment if nothing else does)', async () => {
    const { repository, deliver } = setup();
    await deliver(reserved);
    expect(await repository.findDue('2026-03-01T10:01:00.250Z', 10)).toEqual([]);
    expect(await repository.findDue('2026-03-01T10:01:00.251Z', 10)).toEqual([
      { orderId: pending.orderId, status: 'CONFIRMED', announcements: 0 },
    ]);
  });

  it('the same answer again is a no-op: the order keeps its first settlement, the message succeeds', async () => {
    const { clock, deliver, stored } = setup();
    await deliver(reserved);
    const first = structuredClone(stored());
    clock.now = new Date('2026-03-02T00:00:00.000Z');
    expect((await deliver([reserved, 'again'])).batchItemFailures).toEqual([]);
    expect(stored()).toEqual(first);
    expect(metricNames().filter((name) => name !== 'ordersConfirmed')).toEqual(['stockAnswersRepeated']);
    expect(warn).not.toHaveBeenCalled();
  });

  it('another answer for a settled order leaves the first standing, logged and counted, and the message succeeds', async () => {
    const { deliver, stored } = setup();
    await deliver(reserved);
    const first = structuredClone(stored());
    expect((await deliver([rejected, 'late'])).batchItemFailures).toEqual([]);
    expect(stored()).toEqual(first);
    expect(metricNames()).toContain('stockAnswersIgnored');
    expect(warn.mock.calls[0]?.[1]).toMatchObject({ orderId: pending.orderId, status: 'CONFIRMED', answer: 'StockRejected' });
  });

  it('an answer naming another product or quantity than the order fails its message and settles nothing', async () => {
    const { deliver, stored } = setup();
    const otherQty: OutgoingEvent = { ...reserved, detail: { ...reserved.detail, data: { ...reserved.detail.data, qty: 2 } } };
    const otherProduct: OutgoingEvent = {
      ...reserved,
      detail: { ...reserved.detail, data: { ...reserved.detail.data, productId: 'CATALOG-002' } },
    };
    const response = await deliver([otherQty, 'qty'], [otherProduct, 'product']);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'qty' }, { itemIdentifier: 'product' }]);
    expect(stored()).toMatchObject({ status: 'PENDING' });
    expect(stored()).not.toHaveProperty('settledAt');
  });

  it('an answer for an order that does not exist fails its message (the queue retries it, then its DLQ keeps it)', async () => {
    const { deliver, repository } = setup([]);
    expect((await deliver([reserved, 'unknown'])).batchItemFailures).toEqual([{ itemIdentifier: 'unknown' }]);
    expect(repository.orders.size).toBe(0);
  });

  it('an answer from a source other than the catalogs context is dropped: the order stays PENDING, nothing retried', async () => {
    const { deliver, stored } = setup();
    expect((await deliver([{ ...reserved, source: 'ecommerce.orders' }, 'forged'])).batchItemFailures).toEqual([]);
    expect(stored()).toMatchObject({ status: 'PENDING' });
    expect(metricNames()).toEqual(['eventsFromWrongSource']);
  });

  describe("payments' answers", () => {
    /** The example order, CONFIRMED and its payment requested (PaymentRequested.json). */
    const requested: Order = {
      ...pending,
      paymentMethod: 'pm_card_visa',
      status: 'CONFIRMED',
      unitPrice: 1500,
      totalPrice: 4500,
      settledAt: '2026-03-01T10:00:00.250Z',
      paymentDueAt: '2026-03-01T10:01:00.250Z',
      paymentRequestedAt: '2026-03-01T10:01:00.400Z',
    };

    it('PaymentSucceeded pays the CONFIRMED order: the outbox will announce exactly OrderPaid', async () => {
      const { clock, deliver, stored } = setup([requested]);
      clock.now = new Date('2026-03-01T10:01:00.600Z');
      expect((await deliver(exampleEvent('PaymentSucceeded'))).batchItemFailures).toEqual([]);
      expect(orderEvent(stored() as Order)).toEqual(exampleEvent('OrderPaid'));
      expect(metricNames()).toContain('ordersPaid');
      expect((await deliver([exampleEvent('PaymentSucceeded'), 'again'])).batchItemFailures).toEqual([]);
      expect(metricNames()).toContain('paymentAnswersRepeated');
    });

    it('PaymentDeclined cancels it (PAYMENT_DECLINED): the outbox will announce OrderCancelled, so the stock comes back', async () => {
      const { deliver, stored } = setup([requested]);
      expect((await deliver(exampleEvent('PaymentDeclined'))).batchItemFailures).toEqual([]);
      expect(stored()).toMatchObject({ status: 'CANCELLED', reason: 'PAYMENT_DECLINED', cancelledFrom: 'CONFIRMED' });
      expect(orderEvent(stored() as Order)).toMatchObject({
        detailType: 'OrderCancelled',
        detail: { data: { previousStatus: 'CONFIRMED' } },
      });
      expect(metricNames()).toContain('ordersCancelledPaymentDeclined');
    });

    it("a charge that raced the buyer's cancel is recorded, silently (payments refunds it)", async () => {
      const cancelled: Order = {
        ...requested,
        status: 'CANCELLED',
        reason: 'BUYER_CANCELLED',
        cancelledFrom: 'CONFIRMED',
        cancelledAt: '2026-03-01T10:01:00.500Z',
      };
      const { deliver, stored } = setup([cancelled]);
      await deliver(exampleEvent('PaymentSucceeded'));
      expect(stored()).toMatchObject({ status: 'CANCELLED', paidAt: SETTLED_AT.toISOString(), silent: true });
      expect(metricNames()).toContain('chargesAfterCancel');
    });

    it('an answer from a source other than payments is dropped, nothing changed', async () => {
      const { deliver, stored } = setup([requested]);
      expect((await deliver([{ ...exampleEvent('PaymentSucceeded'), source: 'ecommerce.catalogs' }, 'forged'])).batchItemFailures).toEqual(
        [],
      );
      expect(stored()).toMatchObject({ status: 'CONFIRMED' });
      expect(metricNames()).toEqual(['eventsFromWrongSource']);
    });
  });

  describe('the compensations, acknowledged on a cancelled order', () => {
    const cancelled: Order = {
      ...pending,
      status: 'CANCELLED',
      unitPrice: 1500,
      totalPrice: 4500,
      paidAt: '2026-03-01T10:01:00.600Z',
      reason: 'BUYER_CANCELLED',
      cancelledFrom: 'PAID',
      cancelledAt: '2026-03-01T10:05:00.100Z',
    };

    it('StockReleased and PaymentRefunded are recorded, announce nothing, and each counts its latency from the cancellation', async () => {
      const { clock, deliver, stored } = setup([cancelled]);
      clock.now = new Date('2026-03-01T10:05:00.300Z');
      await deliver(exampleEvent('StockReleased'));
      clock.now = new Date('2026-03-01T10:05:00.700Z');
      await deliver(exampleEvent('PaymentRefunded'));
      expect(stored()).toMatchObject({ stockReleasedAt: '2026-03-01T10:05:00.300Z', refundedAt: '2026-03-01T10:05:00.700Z', silent: true });
      expect(stored()).not.toHaveProperty('sweepShard');
      expect(addMetric.mock.calls.filter(([name]) => name === 'compensationLatency').map(([, , value]) => value)).toEqual([200, 600]);
      expect(metricNames()).toEqual(expect.arrayContaining(['stockReleasesAcknowledged', 'refundsAcknowledged']));
    });

    it('a repeat is a no-op; for an order that is not cancelled the answer is ignored and logged', async () => {
      const { deliver, stored } = setup([cancelled]);
      await deliver(exampleEvent('StockReleased'));
      const first = structuredClone(stored());
      await deliver([exampleEvent('StockReleased'), 'again']);
      expect(stored()).toEqual(first);
      expect(metricNames()).toContain('stockAnswersRepeated');

      const notCancelled = setup([pending]);
      expect((await notCancelled.deliver(exampleEvent('PaymentRefunded'))).batchItemFailures).toEqual([]);
      expect(notCancelled.stored()).not.toHaveProperty('refundedAt');
      expect(metricNames()).toContain('paymentAnswersIgnored');
      expect(warn.mock.calls.at(-1)?.[1]).toMatchObject({ answer: 'PaymentRefunded', status: 'PENDING' });
    });
  });

  describe('PaymentCancelled: payments answered the cancel holding no charge', () => {
    /** The example order (PaymentCancelled.json), its payment requested, then cancelled by its buyer. */
    const cancelled: Order = {
      ...pending,
      paymentMethod: 'pm_card_visa',
      status: 'CANCELLED',
      unitPrice: 1500,
      totalPrice: 4500,
      settledAt: '2026-03-01T10:00:00.250Z',
      paymentDueAt: '2026-03-01T10:00:30.250Z',
      paymentRequestedAt: '2026-03-01T10:00:30.400Z',
      reason: 'BUYER_CANCELLED',
      cancelledFrom: 'CONFIRMED',
      cancelledAt: '2026-03-01T10:00:40.000Z',
    };

    it('is recorded on the cancelled order, announces nothing, counts its latency; with the stock back the order is compensated', async () => {
      const { clock, deliver, stored } = setup([cancelled]);
      clock.now = new Date('2026-03-01T10:00:40.500Z');
      expect((await deliver(exampleEvent('PaymentCancelled'))).batchItemFailures).toEqual([]);
      expect(stored()).toMatchObject({ paymentCancelAcknowledgedAt: '2026-03-01T10:00:40.500Z', silent: true });
      expect(announcementOf({ order: stored() as Order, silent: stored()?.silent === true })).toBeUndefined();
      // Before the stock is back it is still watched; the catalog's answer completes it.
      expect(stored()?.sweepShard).toMatch(/^SWEEP#/);
      clock.now = new Date('2026-03-01T10:00:41.000Z');
      await deliver([exampleEvent('StockReleased'), 'stock']);
      expect(stored()).not.toHaveProperty('sweepShard');
      expect(addMetric.mock.calls.filter(([name]) => name === 'compensationLatency').map(([, , value]) => value)).toEqual([500, 1000]);
      expect(metricNames()).toContain('paymentCancelsAcknowledged');
    });

    it('a repeat is a no-op counted as paymentAnswersRepeated', async () => {
      const { clock, deliver, stored } = setup([cancelled]);
      await deliver(exampleEvent('PaymentCancelled'));
      const first = structuredClone(stored());
      clock.now = new Date('2026-03-01T10:09:00.000Z');
      expect((await deliver([exampleEvent('PaymentCancelled'), 'again'])).batchItemFailures).toEqual([]);
      expect(stored()).toEqual(first);
      expect(metricNames()).toContain('paymentAnswersRepeated');
      expect(addMetric.mock.calls.filter(([name]) => name === 'compensationLatency')).toHaveLength(1);
    });

    it('for an order that is not cancelled it is ignored: logged, counted as paymentAnswersIgnored, nothing recorded', async () => {
      const confirmed: Order = { ...cancelled, status: 'CONFIRMED' };
      delete confirmed.reason;
      delete confirmed.cancelledFrom;
      delete confirmed.cancelledAt;
      const { deliver, stored } = setup([confirmed]);
      expect((await deliver(exampleEvent('PaymentCancelled'))).batchItemFailures).toEqual([]);
      expect(stored()).not.toHaveProperty('paymentCancelAcknowledgedAt');
      expect(stored()?.status).toBe('CONFIRMED');
      expect(metricNames()).toContain('paymentAnswersIgnored');
      expect(metricNames()).not.toContain('compensationLatency');
      expect(warn.mock.calls.at(-1)?.[1]).toMatchObject({ answer: 'PaymentCancelled', status: 'CONFIRMED' });
    });

    it('from a source other than payments it is dropped, nothing recorded', async () => {
      const { deliver, stored } = setup([cancelled]);
      await deliver([{ ...exampleEvent('PaymentCancelled'), source: 'ecommerce.catalogs' }, 'forged']);
      expect(stored()).not.toHaveProperty('paymentCancelAcknowledgedAt');
      expect(metricNames()).toEqual(['eventsFromWrongSource']);
    });
  });
});
