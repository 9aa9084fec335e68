// settleOrders (the orders queue's consumer) on the shared in-memory orders fake: the catalog's answer settles a
// PENDING order once; a repeat changes nothing, another answer for a settled order leaves the first standing, and an
// answer that does not fit the order (another product or quantity, or no such order) fails its message.
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
    expect(stored()).toEqual({ ...pending, status: 'CONFIRMED', unitPrice: 1500, totalPrice: 4500, settledAt: SETTLED_AT.toISOString() });
    expect(orderEvent(stored() as Order)).toEqual(exampleEvent('OrderConfirmed'));
    expect(metricNames()).toContain('ordersConfirmed');
  });

  it('StockRejected rejects the PENDING order with the reason: the outbox will announce exactly OrderRejected', async () => {
    const { deliver, stored } = setup();
    expect((await deliver(rejected)).batchItemFailures).toEqual([]);
    expect(stored()).toEqual({ ...pending, status: 'REJECTED', reason: 'OUT_OF_STOCK', settledAt: SETTLED_AT.toISOString() });
    expect(orderEvent(stored() as Order)).toEqual(exampleEvent('OrderRejected'));
    expect(metricNames()).toContain('ordersRejected');
  });

  it('a settled order leaves the sweep: nothing is re-announced for it', async () => {
    const { repository, deliver } = setup();
    await deliver(reserved);
    expect(await repository.findDue('9999-01-01T00:00:00.000Z', 10)).toEqual([]);
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
    expect(metricNames()).toContain('stockAnswersConflicting');
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
});
