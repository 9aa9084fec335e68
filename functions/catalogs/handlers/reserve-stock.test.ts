// reserveStock (the catalogs queue's consumer) on the shared in-memory catalog: the answer it records is the one
// it publishes, a failed publish fails the message, one product's orders take turns, and a forged source is dropped.
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
import type { Reservation, ReserveResult } from '../domain/reservation.js';
import { createHandler } from './reserve-stock.js';

/** The time the examples' answers were recorded at (StockReserved.json, StockRejected.json: occurredAt). */
const ANSWERED_AT = new Date('2026-03-01T10:00:00.120Z');
const placed = exampleEvent('OrderPlaced'); // 3 x CATALOG-001 for order 01JZ8R3M5QK7V2W9X4Y6Z8A0BC

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

function setup(catalog = new InMemoryCatalogRepository([product('CATALOG-001', 10)])) {
  const publisher = new InMemoryPublisher();
  const service = new CatalogService(catalog, () => ANSWERED_AT);
  const handler = createHandler(
    () => service,
    () => publisher,
  );
  const deliver = (...records: ReturnType<typeof asSqsRecord>[]) => handler({ Records: records } as SQSEvent, lambdaContext);
  return { catalog, publisher, deliver };
}

let addMetric: MockInstance<typeof metrics.addMetric>;
beforeEach(() => {
  addMetric = vi.spyOn(metrics, 'addMetric');
  vi.spyOn(logger, 'error').mockImplementation(() => undefined);
  vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());
const metricNames = () => addMetric.mock.calls.map(([name]) => name);

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
});
