// reserveStock (the catalogs queue's consumer) on the shared in-memory catalog: the answer it records is the one
// it publishes, a failed publish fails the message, one product's orders take turns, and a forged source is dropped;
// an OrderCancelled gives the stock back once (or leaves a tombstone), whatever came first, and is always answered.
import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { lambdaContext } from '../../../tests/support/lambda.js';
import type { OutgoingEvent } from '../../shared/events/contracts.js';
import type { EventPublisher } from '../../shared/events/event-publisher.js';
import { asSqsRecord, exampleEvent } from '../../shared/events/examples/examples.js';
import { logger, metrics } from '../../shared/observability.js';
import { InMemoryCatalogRepository } from '../adapters/in-memory-catalog-repository.js';
import { CatalogService } from '../domain/catalog-service.js';
import type { Product } from '../domain/product.js';
import type { CancellationTombstone, ReleaseResult, Reservation, ReserveResult } from '../domain/reservation.js';
import { createHandler } from './reserve-stock.js';

/** The time the examples' answers were recorded at (StockReserved.json, StockRejected.json: occurredAt). */
const ANSWERED_AT = new Date('2026-03-01T10:00:00.120Z');
const placed = exampleEvent('OrderPlaced'); // 3 x CATALOG-001 for order 01JZ8R3M5QK7V2W9X4Y6Z8A0BC
/** Its cancel (BUYER_CANCELLED), and the time the example's release was recorded (StockReleased.json: occurredAt). */
const cancelled = exampleEvent('OrderCancelled');
const RELEASED_AT = new Date('2026-03-01T10:05:00.300Z');

const product = (productId: string, stock: number, unitPrice = 1500): Product => ({
  productId,
  productName: `Product ${productId}`,
  unitPrice,
  stock,
  createdAt: '2026-01-01T00:00:00.000Z',
});

/** An OrderPlaced for another order (and product, quantity), as the orders outbox publishes it. */
function orderPlaced(orderId: string, productId: string, qty: number): OutgoingEvent<'OrderPlaced'> {
  return {
    ...placed,
    detail: {
      metadata: { ...placed.detail.metadata, eventId: `${orderId}:OrderPlaced` },
      data: { ...placed.detail.data, orderId, productId, qty },
    },
  };
}

class InMemoryPublisher implements EventPublisher {
  readonly published: OutgoingEvent[] = [];
  failing = false;
  async publish(events: OutgoingEvent[]): Promise<void> {
    if (this.failing) throw new Error('PutEvents failed');
    this.published.push(...events);
  }
}

/** An OrderCancelled for another order (and product, quantity), as the orders outbox publishes it. */
function orderCancelled(orderId: string, productId: string, qty: number): OutgoingEvent<'OrderCancelled'> {
  return {
    ...cancelled,
    detail: {
      metadata: { ...cancelled.detail.metadata, eventId: `${orderId}:OrderCancelled` },
      data: { ...cancelled.detail.data, orderId, productId, qty },
    },
  };
}

function setup(catalog = new InMemoryCatalogRepository([product('CATALOG-001', 10)])) {
  const publisher = new InMemoryPublisher();
  const clock = { now: ANSWERED_AT };
  const service = new CatalogService(catalog, () => clock.now);
  const handler = createHandler(
    () => service,
    () => publisher,
  );
  const deliver = (...records: ReturnType<typeof asSqsRecord>[]) => handler({ Records: records } as SQSEvent, lambdaContext);
  return { catalog, publisher, deliver, clock };
}

let addMetric: MockInstance<typeof metrics.addMetric>;
beforeEach(() => {
  addMetric = vi.spyOn(metrics, 'addMetric');
  vi.spyOn(logger, 'error').mockImplementation(() => undefined);
  vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());
const metricNames = () => addMetric.mock.calls.map(([name]) => name);
const answers = (publisher: InMemoryPublisher) =>
  publisher.published.map((event) => [event.detailType, (event.detail.data as { orderId: string }).orderId]);

describe('reserveStock', () => {
  it('reserves the stock at the catalog price and publishes exactly that answer', async () => {
    const { catalog, publisher, deliver } = setup();
    const response = await deliver(asSqsRecord(placed));
    expect(response.batchItemFailures).toEqual([]);
    expect(publisher.published).toEqual([exampleEvent('StockReserved')]);
    expect(catalog.products.get('CATALOG-001')?.stock).toBe(7);
    expect(catalog.reservations.get(placed.detail.data.orderId)).toMatchObject({ status: 'RESERVED', qty: 3, unitPrice: 1500 });
    expect(metricNames()).toContain('stockReserved');
  });

  it('rejects an order the stock cannot cover, takes nothing, and publishes exactly the rejection', async () => {
    const { catalog, publisher, deliver } = setup(new InMemoryCatalogRepository([product('CATALOG-001', 2)]));
    const response = await deliver(asSqsRecord(placed));
    expect(response.batchItemFailures).toEqual([]);
    expect(publisher.published).toEqual([exampleEvent('StockRejected')]);
    expect(catalog.products.get('CATALOG-001')?.stock).toBe(2);
    expect(catalog.reservations.get(placed.detail.data.orderId)).toMatchObject({ status: 'REJECTED', reason: 'OUT_OF_STOCK' });
    expect(metricNames()).toContain('stockRejected');
  });

  it('a redelivered OrderPlaced changes nothing and gets the recorded answer again (same event id)', async () => {
    const { catalog, publisher, deliver } = setup();
    await deliver(asSqsRecord(placed, 'first'));
    catalog.products.get('CATALOG-001')!.unitPrice = 9999; // the price moved since: the recorded answer still stands
    const response = await deliver(asSqsRecord(placed, 'again'));
    expect(response.batchItemFailures).toEqual([]);
    expect(publisher.published).toEqual([exampleEvent('StockReserved'), exampleEvent('StockReserved')]);
    expect(catalog.products.get('CATALOG-001')?.stock).toBe(7);
    expect(metricNames().filter((name) => name.startsWith('stock'))).toEqual(['stockReserved', 'stockAnswersRepeated']);
  });

  it('a failed publish fails the message; its redelivery publishes the recorded answer without taking stock again', async () => {
    const { catalog, publisher, deliver } = setup();
    publisher.failing = true;
    expect((await deliver(asSqsRecord(placed, 'm-1'))).batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(publisher.published).toEqual([]);
    expect(catalog.products.get('CATALOG-001')?.stock).toBe(7);

    publisher.failing = false;
    expect((await deliver(asSqsRecord(placed, 'm-1'))).batchItemFailures).toEqual([]);
    expect(publisher.published).toEqual([exampleEvent('StockReserved')]);
    expect(catalog.products.get('CATALOG-001')?.stock).toBe(7);
  });

  describe('a batch runs side by side, one product’s orders in turn', () => {
    /** The shared fake, with each reserve held open for a moment and logged, so overlapping reserves show. */
    class SlowCatalog extends InMemoryCatalogRepository {
      readonly log: string[] = [];
      /** Orders whose reserve fails (after its moment), as a write DynamoDB refused would. */
      readonly failing = new Set<string>();
      override async reserve(reservation: Reservation & { status: 'RESERVED' }): Promise<ReserveResult> {
        this.log.push(`start ${reservation.orderId}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        this.log.push(`end ${reservation.orderId}`);
        if (this.failing.has(reservation.orderId)) throw new Error('the write failed');
        return super.reserve(reservation);
      }
    }

    it('two orders of one product reserve one after the other, and both are answered', async () => {
      const catalog = new SlowCatalog([product('HOT', 5)]);
      const { publisher, deliver } = setup(catalog);
      const response = await deliver(
        asSqsRecord(orderPlaced('order-a', 'HOT', 2), 'a'),
        asSqsRecord(orderPlaced('order-b', 'HOT', 2), 'b'),
      );
      expect(response.batchItemFailures).toEqual([]);
      expect(catalog.log).toEqual(['start order-a', 'end order-a', 'start order-b', 'end order-b']);
      expect(catalog.products.get('HOT')?.stock).toBe(1);
      expect(publisher.published.map((event) => [event.detailType, (event.detail.data as { orderId: string }).orderId])).toEqual([
        ['StockReserved', 'order-a'],
        ['StockReserved', 'order-b'],
      ]);
    });

    it('control: orders of two products overlap (the turns are per product, not per batch)', async () => {
      const catalog = new SlowCatalog([product('ONE', 5), product('TWO', 5)]);
      const { deliver } = setup(catalog);
      await deliver(asSqsRecord(orderPlaced('order-a', 'ONE', 1), 'a'), asSqsRecord(orderPlaced('order-b', 'TWO', 1), 'b'));
      expect(catalog.log.slice(0, 2)).toEqual(['start order-a', 'start order-b']);
    });

    it('an order whose reservation fails fails alone; the next order of its product still takes its turn', async () => {
      const catalog = new SlowCatalog([product('HOT', 5)]);
      catalog.failing.add('order-a');
      const { publisher, deliver } = setup(catalog);
      const response = await deliver(
        asSqsRecord(orderPlaced('order-a', 'HOT', 1), 'a'),
        asSqsRecord(orderPlaced('order-b', 'HOT', 1), 'b'),
      );
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
      expect(catalog.log).toEqual(['start order-a', 'end order-a', 'start order-b', 'end order-b']);
      expect(publisher.published.map((event) => [event.detailType, (event.detail.data as { orderId: string }).orderId])).toEqual([
        ['StockReserved', 'order-b'],
      ]);
      expect(catalog.products.get('HOT')?.stock).toBe(4);
    });
  });

  it('an OrderPlaced from a source other than the orders context is dropped: nothing reserved, nothing published, not retried', async () => {
    const { catalog, publisher, deliver } = setup();
    const response = await deliver(asSqsRecord({ ...placed, source: 'ecommerce.users' }, 'forged'));
    expect(response.batchItemFailures).toEqual([]);
    expect(publisher.published).toEqual([]);
    expect(catalog.reservations.size).toBe(0);
    expect(catalog.products.get('CATALOG-001')?.stock).toBe(10);
    expect(metricNames()).toEqual(['eventsFromWrongSource']);
  });

  describe('OrderCancelled: the compensation', () => {
    const orderId = placed.detail.data.orderId;
    const releasedNothing = () => ({
      ...exampleEvent('StockReleased'),
      detail: { ...exampleEvent('StockReleased').detail, data: { ...exampleEvent('StockReleased').detail.data, releasedQty: 0 } },
    });

    it('a reserved order: the stock comes back, the record is RELEASED, and exactly the release is published', async () => {
      const { catalog, publisher, deliver, clock } = setup();
      await deliver(asSqsRecord(placed));
      clock.now = RELEASED_AT;
      const response = await deliver(asSqsRecord(cancelled));
      expect(response.batchItemFailures).toEqual([]);
      expect(publisher.published).toEqual([exampleEvent('StockReserved'), exampleEvent('StockReleased')]);
      expect(catalog.products.get('CATALOG-001')?.stock).toBe(10);
      expect(catalog.reservations.get(orderId)).toMatchObject({ status: 'RELEASED', releasedAt: RELEASED_AT.toISOString() });
      expect(metricNames()).toContain('stockReleased');
    });

    it('a redelivered cancel gives nothing back twice and publishes the same answer again (same event id, same body)', async () => {
      const { catalog, publisher, deliver, clock } = setup();
      await deliver(asSqsRecord(placed));
      clock.now = RELEASED_AT;
      await deliver(asSqsRecord(cancelled, 'first'));
      clock.now = new Date('2026-03-01T11:00:00.000Z');
      await deliver(asSqsRecord(cancelled, 'again'));
      expect(publisher.published.slice(1)).toEqual([exampleEvent('StockReleased'), exampleEvent('StockReleased')]);
      expect(catalog.products.get('CATALOG-001')?.stock).toBe(10);
      expect(metricNames().filter((name) => name.startsWith('stockRelease'))).toEqual(['stockReleased', 'stockReleaseRepeated']);
    });

    it('a cancel before the reservation: a tombstone, released 0; the late OrderPlaced reserves nothing and publishes nothing', async () => {
      const { catalog, publisher, deliver, clock } = setup();
      clock.now = RELEASED_AT;
      expect((await deliver(asSqsRecord(cancelled))).batchItemFailures).toEqual([]);
      expect(publisher.published).toEqual([releasedNothing()]);
      expect(catalog.reservations.get(orderId)).toMatchObject({ status: 'CANCELLED' });

      expect((await deliver(asSqsRecord(placed, 'late'), asSqsRecord(placed, 'later'))).batchItemFailures).toEqual([]);
      expect(publisher.published).toEqual([releasedNothing()]);
      expect(catalog.products.get('CATALOG-001')?.stock).toBe(10);
      expect(catalog.reservations.get(orderId)).toMatchObject({ status: 'CANCELLED' });
      expect(metricNames()).toEqual(['reservationsCancelledFirst', 'reservationsPrevented', 'reservationsPrevented']);

      await deliver(asSqsRecord(cancelled, 'again'));
      expect(publisher.published).toEqual([releasedNothing(), releasedNothing()]);
      expect(metricNames().at(-1)).toBe('stockReleaseRepeated');
    });

    it('a rejected order: nothing to give back, released 0, the rejection stays', async () => {
      const { catalog, publisher, deliver, clock } = setup(new InMemoryCatalogRepository([product('CATALOG-001', 2)]));
      await deliver(asSqsRecord(placed));
      clock.now = RELEASED_AT;
      await deliver(asSqsRecord(cancelled));
      expect(publisher.published).toEqual([exampleEvent('StockRejected'), releasedNothing()]);
      expect(catalog.products.get('CATALOG-001')?.stock).toBe(2);
      expect(catalog.reservations.get(orderId)).toMatchObject({ status: 'REJECTED' });
      expect(metricNames()).toContain('stockReleaseNothingReserved');
    });

    it('an OrderPlaced redelivered after the release reserves nothing again and publishes nothing', async () => {
      const { catalog, publisher, deliver } = setup();
      await deliver(asSqsRecord(placed));
      await deliver(asSqsRecord(cancelled));
      await deliver(asSqsRecord(placed, 'again'));
      expect(answers(publisher)).toEqual([
        ['StockReserved', orderId],
        ['StockReleased', orderId],
      ]);
      expect(catalog.products.get('CATALOG-001')?.stock).toBe(10);
      expect(metricNames().at(-1)).toBe('orderPlacedAfterRelease');
    });

    it('a failed publish fails the cancel; its redelivery publishes the release without giving the stock back twice', async () => {
      const { catalog, publisher, deliver, clock } = setup();
      await deliver(asSqsRecord(placed));
      clock.now = RELEASED_AT;
      publisher.failing = true;
      expect((await deliver(asSqsRecord(cancelled, 'c-1'))).batchItemFailures).toEqual([{ itemIdentifier: 'c-1' }]);
      expect(catalog.products.get('CATALOG-001')?.stock).toBe(10);

      publisher.failing = false;
      clock.now = new Date('2026-03-01T11:00:00.000Z');
      expect((await deliver(asSqsRecord(cancelled, 'c-1'))).batchItemFailures).toEqual([]);
      expect(publisher.published).toEqual([exampleEvent('StockReserved'), exampleEvent('StockReleased')]);
      expect(catalog.products.get('CATALOG-001')?.stock).toBe(10);
    });

    it('a cancel from a source other than the orders context is dropped: nothing released, no tombstone, nothing published', async () => {
      const { catalog, publisher, deliver } = setup();
      await deliver(asSqsRecord(placed));
      const response = await deliver(asSqsRecord({ ...cancelled, source: 'ecommerce.payments' }, 'forged'));
      expect(response.batchItemFailures).toEqual([]);
      expect(answers(publisher)).toEqual([['StockReserved', orderId]]);
      expect(catalog.products.get('CATALOG-001')?.stock).toBe(7);
      expect(catalog.reservations.get(orderId)?.status).toBe('RESERVED');
      expect(metricNames().at(-1)).toBe('eventsFromWrongSource');
    });

    describe('in one batch, every arrival order', () => {
      it.each([
        ['placed, cancelled', ['p', 'c'], [['StockReserved'], ['StockReleased', 3]]],
        ['cancelled, placed', ['c', 'p'], [['StockReleased', 0]]],
        [
          'placed, placed, cancelled, cancelled',
          ['p', 'p', 'c', 'c'],
          [['StockReserved'], ['StockReserved'], ['StockReleased', 3], ['StockReleased', 3]],
        ],
        [
          'cancelled, cancelled, placed, placed',
          ['c', 'c', 'p', 'p'],
          [
            ['StockReleased', 0],
            ['StockReleased', 0],
          ],
        ],
        [
          'cancelled, placed, cancelled',
          ['c', 'p', 'c'],
          [
            ['StockReleased', 0],
            ['StockReleased', 0],
          ],
        ],
      ] as const)('%s: the stock ends where it started; answered as the record says', async (_name, deliveries, expected) => {
        const { catalog, publisher, deliver } = setup();
        const records = deliveries.map((kind, i) => asSqsRecord(kind === 'p' ? placed : cancelled, `m-${i}`));
        // One product's messages take turns in the order of the batch.
        expect((await deliver(...records)).batchItemFailures).toEqual([]);
        expect(catalog.products.get('CATALOG-001')?.stock).toBe(10);
        expect(
          publisher.published.map((event) =>
            event.detailType === 'StockReleased'
              ? [event.detailType, (event.detail.data as { releasedQty: number }).releasedQty]
              : [event.detailType],
          ),
        ).toEqual(expected);
      });
    });

    it("a reservation and a cancel of one product take turns (both write the product's stock)", async () => {
      class SlowCatalog extends InMemoryCatalogRepository {
        readonly log: string[] = [];
        override async reserve(reservation: Reservation & { status: 'RESERVED' }): Promise<ReserveResult> {
          this.log.push(`start reserve ${reservation.orderId}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
          this.log.push(`end reserve ${reservation.orderId}`);
          return super.reserve(reservation);
        }
        override async release(reservation: Reservation & { status: 'RESERVED' }, releasedAt: string): Promise<ReleaseResult> {
          this.log.push(`start release ${reservation.orderId}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
          this.log.push(`end release ${reservation.orderId}`);
          return super.release(reservation, releasedAt);
        }
        override async recordTombstone(tombstone: CancellationTombstone): Promise<boolean> {
          this.log.push(`tombstone ${tombstone.orderId}`);
          return super.recordTombstone(tombstone);
        }
      }
      const catalog = new SlowCatalog([product('HOT', 5)]);
      catalog.reservations.set('order-a', {
        orderId: 'order-a',
        productId: 'HOT',
        qty: 2,
        status: 'RESERVED',
        unitPrice: 1500,
        createdAt: 'x',
      });
      catalog.products.get('HOT')!.stock = 3;
      const { deliver } = setup(catalog);
      const response = await deliver(
        asSqsRecord(orderCancelled('order-a', 'HOT', 2), 'a'),
        asSqsRecord(orderPlaced('order-b', 'HOT', 1), 'b'),
      );
      expect(response.batchItemFailures).toEqual([]);
      expect(catalog.log).toEqual(['start release order-a', 'end release order-a', 'start reserve order-b', 'end reserve order-b']);
      expect(catalog.products.get('HOT')?.stock).toBe(4);
    });
  });
});
