import { describe, expect, it } from 'vitest';
import { apiEvent, lambdaContext } from '../../../tests/support/lambda.js';
import { InMemoryCatalogRepository } from '../adapters/in-memory-catalog-repository.js';
import { CatalogService } from '../domain/catalog-service.js';
import type { Product } from '../domain/product.js';
import { createHandler } from './get-catalog.js';

const BERLIN: Product = {
  productId: 'CATALOG-001',
  productName: 'Berlin',
  unitPrice: 1500,
  stock: 100,
  createdAt: '2026-01-01T00:00:00.000Z',
};

/** The shared fake, recording which ids were read. */
class InMemoryCatalog extends InMemoryCatalogRepository {
  reads: string[] = [];
  constructor() {
    super([BERLIN]);
  }
  override async getProduct(productId: string) {
    this.reads.push(productId);
    return super.getProduct(productId);
  }
}

function setup() {
  const repository = new InMemoryCatalog();
  const handler = createHandler(() => new CatalogService(repository));
  const call = async (productId: string) => {
    const response = await handler(apiEvent({ path: `/catalogs/${productId}`, pathParameters: { productId } }), lambdaContext);
    return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
  };
  return { repository, call };
}

describe('GET /catalogs/{productId}', () => {
  it('answers 200 with the product, exactly', async () => {
    const { repository, call } = setup();
    const response = await call('CATALOG-001');
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({
      productId: 'CATALOG-001',
      productName: 'Berlin',
      unitPrice: 1500,
      stock: 100,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(repository.reads).toEqual(['CATALOG-001']);
  });

  it('answers 404 for an unknown product', async () => {
    const { repository, call } = setup();
    const response = await call('CATALOG-999');
    expect(response.statusCode).toBe(404);
    expect(response.json).toEqual({ message: 'Product CATALOG-999 not found', code: 'NOT_FOUND' });
    expect(repository.reads).toEqual(['CATALOG-999']);
  });

  it('accepts the longest id the pattern allows (64 characters)', async () => {
    const { repository, call } = setup();
    const id = `A${'b'.repeat(63)}`;
    expect((await call(id)).statusCode).toBe(404);
    expect(repository.reads).toEqual([id]);
  });

  it.each([
    ['a leading dash', '-CATALOG'],
    ['a space', 'CATALOG 001'],
    ['a slash', 'a/b'],
    ['65 characters', `A${'b'.repeat(64)}`],
    ['an empty id', ''],
  ])('answers 400 naming productId for %s, and reads nothing', async (_name, productId) => {
    const { repository, call } = setup();
    const response = await call(productId);
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({
      message: 'Invalid path: productId: must be 1-64 letters, digits, - or _',
      code: 'VALIDATION_FAILED',
      details: [{ field: 'productId', message: 'must be 1-64 letters, digits, - or _' }],
    });
    expect(repository.reads).toEqual([]);
  });

  it('answers 400 naming productId when the gateway passes no path parameter', async () => {
    const { repository } = setup();
    const response = await createHandler(() => new CatalogService(repository))(apiEvent(), lambdaContext);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'productId' }] });
    expect(repository.reads).toEqual([]);
  });
});
