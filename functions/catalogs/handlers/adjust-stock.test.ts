// POST /catalogs/{productId}/stock on the shared in-memory catalog: admins only, a non-zero bounded delta, never below
// 0, an Idempotency-Key that applies once and answers the same, and StockAdjusted published after the write (a repeat
// with the key publishes the recorded adjustment again, so a failed publish can be retried safely).
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiEvent, authorizedBy, lambdaContext } from '../../../tests/support/lambda.js';
import type { OutgoingEvent } from '../../shared/events/contracts.js';
import type { EventPublisher } from '../../shared/events/event-publisher.js';
import { logger } from '../../shared/observability.js';
import { InMemoryCatalogRepository } from '../adapters/in-memory-catalog-repository.js';
import { CatalogService } from '../domain/catalog-service.js';
import { createHandler } from './adjust-stock.js';

const ADMIN = 'admin-1';
const NOW = new Date('2026-03-01T09:10:00.000Z');
const BERLIN = { productId: 'CATALOG-001', productName: 'Berlin', unitPrice: 1500, stock: 100, createdAt: '2026-01-01T00:00:00.000Z' };

class InMemoryPublisher implements EventPublisher {
  readonly published: OutgoingEvent[] = [];
  failing = false;
  async publish(events: OutgoingEvent[]): Promise<void> {
    if (this.failing) throw new Error('PutEvents failed');
    this.published.push(...events);
  }
}

function setup(initialStock = 100) {
  const repository = new InMemoryCatalogRepository([{ ...BERLIN, stock: initialStock }]);
  repository.nowSeconds = () => Math.floor(NOW.getTime() / 1000); // a key's record is judged by the service's clock
  const publisher = new InMemoryPublisher();
  let ids = 0;
  const handler = createHandler(
    () =>
      new CatalogService(
        repository,
        () => NOW,
        () => `adjustment-${++ids}`,
      ),
    () => publisher,
  );
  const call = async (
    productId: string,
    body: unknown,
    headers: Record<string, string> = {},
    extra: Partial<APIGatewayProxyEvent> = authorizedBy(ADMIN, ['admin']),
  ) => {
    const response = await handler(
      apiEvent({
        httpMethod: 'POST',
        path: `/catalogs/${productId}/stock`,
        pathParameters: { productId },
        body,
        headers: { 'x-correlation-id': 'corr-admin-3', ...headers },
        ...extra,
      }),
      lambdaContext,
    );
    return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
  };
  const stock = () => repository.products.get('CATALOG-001')?.stock;
  return { repository, publisher, call, stock };
}

beforeEach(() => {
  vi.spyOn(logger, 'error').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());

describe('POST /catalogs/{productId}/stock (admin)', () => {
  it('a restock: 200 with the product at its new stock, and exactly StockAdjusted', async () => {
    const { publisher, call, stock } = setup();
    const response = await call('CATALOG-001', { delta: 20 });
    expect([response.statusCode, response.json]).toEqual([200, { ...BERLIN, stock: 120 }]);
    expect(stock()).toBe(120);
    expect(publisher.published).toEqual([
      {
        source: 'ecommerce.catalogs',
        detailType: 'StockAdjusted',
        detail: {
          metadata: {
            eventId: 'adjustment-1:StockAdjusted',
            correlationId: 'corr-admin-3',
            occurredAt: NOW.toISOString(),
            version: '1',
          },
          data: { adjustmentId: 'adjustment-1', productId: 'CATALOG-001', delta: 20, stock: 120 },
        },
      },
    ]);
  });

  it('a write-off down to exactly 0 is taken; one unit more is 409 INSUFFICIENT_STOCK, with nothing changed or published', async () => {
    const { publisher, call, stock } = setup(5);
    const refused = await call('CATALOG-001', { delta: -6 });
    expect([refused.statusCode, refused.json]).toEqual([
      409,
      { message: 'Product CATALOG-001 has 5 in stock: -6 would take it below 0', code: 'INSUFFICIENT_STOCK' },
    ]);
    expect(stock()).toBe(5);
    expect(publisher.published).toEqual([]);
    expect((await call('CATALOG-001', { delta: -5 })).json).toMatchObject({ stock: 0 });
  });

  it('with an Idempotency-Key a repeat applies nothing, answers the same and publishes the same adjustment again', async () => {
    const { publisher, call, stock } = setup();
    const first = await call('CATALOG-001', { delta: 3 }, { 'Idempotency-Key': 'restock-1' });
    const again = await call('CATALOG-001', { delta: 3 }, { 'Idempotency-Key': 'restock-1' });
    expect(first.statusCode).toBe(200);
    expect([again.statusCode, again.body]).toEqual([200, first.body]);
    expect(stock()).toBe(103);
    expect(publisher.published).toHaveLength(2);
    expect(publisher.published[1]).toEqual(publisher.published[0]);
  });

  it('the same key with another body, or for another product, is 409 IDEMPOTENCY_KEY_REUSED and changes nothing', async () => {
    const { repository, call, stock } = setup();
    repository.products.set('CATALOG-002', { ...BERLIN, productId: 'CATALOG-002' });
    await call('CATALOG-001', { delta: 3 }, { 'Idempotency-Key': 'restock-1' });
    const otherBody = await call('CATALOG-001', { delta: 4 }, { 'Idempotency-Key': 'restock-1' });
    expect([otherBody.statusCode, otherBody.json]).toEqual([
      409,
      { message: 'Idempotency-Key was already used with a different request', code: 'IDEMPOTENCY_KEY_REUSED' },
    ]);
    expect((await call('CATALOG-002', { delta: 3 }, { 'Idempotency-Key': 'restock-1' })).statusCode).toBe(409);
    expect(stock()).toBe(103);
    expect(repository.products.get('CATALOG-002')?.stock).toBe(100);
  });

  it('a failed publish after the write is a 500; the repeat with the key applies nothing and publishes the recorded adjustment', async () => {
    const { publisher, call, stock } = setup();
    publisher.failing = true;
    const failed = await call('CATALOG-001', { delta: 7 }, { 'Idempotency-Key': 'restock-2' });
    expect([failed.statusCode, failed.json]).toEqual([500, { message: 'Internal server error', code: 'INTERNAL_ERROR' }]);
    expect(stock()).toBe(107);
    publisher.failing = false;
    const retried = await call('CATALOG-001', { delta: 7 }, { 'Idempotency-Key': 'restock-2' });
    expect([retried.statusCode, retried.json]).toEqual([200, { ...BERLIN, stock: 107 }]);
    expect(stock()).toBe(107);
    expect(publisher.published.map((event) => [event.detail.metadata.eventId, event.detail.data])).toEqual([
      ['adjustment-1:StockAdjusted', { adjustmentId: 'adjustment-1', productId: 'CATALOG-001', delta: 7, stock: 107 }],
    ]);
  });

  it('answers 404 for an unknown product', async () => {
    const { call } = setup();
    const response = await call('CATALOG-999', { delta: 1 });
    expect([response.statusCode, response.json]).toEqual([404, { message: 'Product CATALOG-999 not found', code: 'NOT_FOUND' }]);
  });

  it('answers 403 to a caller without the role admin and 401 without a caller: nothing changes', async () => {
    const { call, stock } = setup();
    expect((await call('CATALOG-001', { delta: 1 }, {}, authorizedBy('user-1'))).statusCode).toBe(403);
    expect((await call('CATALOG-001', { delta: 1 }, {}, {})).statusCode).toBe(401);
    expect(stock()).toBe(100);
  });

  it.each([1_000_000, -1_000_000, 1, -1])('accepts delta %d', async (delta) => {
    const { call } = setup(1_000_000);
    expect((await call('CATALOG-001', { delta })).statusCode).toBe(200);
  });

  const DELTA = 'must be a non-zero integer between -1000000 and 1000000';
  it.each([
    ['0', { delta: 0 }, 'delta', DELTA],
    ['above the bound', { delta: 1_000_001 }, 'delta', DELTA],
    ['below the bound', { delta: -1_000_001 }, 'delta', DELTA],
    ['huge', { delta: 1e300 }, 'delta', DELTA],
    ['fractional', { delta: 1.5 }, 'delta', DELTA],
    ['a string', { delta: '3' }, 'delta', DELTA],
    ['missing', {}, 'delta', DELTA],
    ['with a stock to set', { delta: 1, stock: 5 }, 'stock', 'unknown field'],
    ['with roles', { delta: 1, roles: ['admin'] }, 'roles', 'unknown field'],
  ])('answers 400 for a delta %s, and changes nothing', async (_name, body, field, message) => {
    const { publisher, call, stock } = setup();
    const response = await call('CATALOG-001', body);
    expect(response.statusCode).toBe(400);
    expect(response.json).toMatchObject({ code: 'VALIDATION_FAILED', details: expect.arrayContaining([{ field, message }]) });
    expect(stock()).toBe(100);
    expect(publisher.published).toEqual([]);
  });

  it.each([
    ['a space inside', 'a key'],
    ['256 characters', 'k'.repeat(256)],
    ['an empty key', ''],
    ['Latin-1', 'cl\u00e9'],
  ])('answers 400 naming Idempotency-Key for %s, before anything is applied', async (_name, key) => {
    const { repository, call, stock } = setup();
    const response = await call('CATALOG-001', { delta: 1 }, { 'Idempotency-Key': key });
    expect([response.statusCode, response.json]).toEqual([
      400,
      {
        message: 'Invalid header: Idempotency-Key: must be 1-255 printable ASCII characters without spaces',
        code: 'VALIDATION_FAILED',
        details: [{ field: 'Idempotency-Key', message: 'must be 1-255 printable ASCII characters without spaces' }],
      },
    ]);
    expect(stock()).toBe(100);
    expect(repository.adjustments.size).toBe(0);
  });
});
