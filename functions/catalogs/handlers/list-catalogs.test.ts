import { describe, expect, it } from 'vitest';
import { apiEvent, lambdaContext } from '../../../tests/support/lambda.js';
import { PageTokens, type Page, type PageCursor } from '../../shared/pagination.js';
import { InMemoryCatalogRepository } from '../adapters/in-memory-catalog-repository.js';
import { CatalogService } from '../domain/catalog-service.js';
import { SEED_PRODUCTS, type Product } from '../domain/product.js';
import { createHandler } from './list-catalogs.js';

const CREATED_AT = '2026-01-01T00:00:00.000Z';
const PRODUCTS: Product[] = SEED_PRODUCTS.map((product) => ({ ...product, createdAt: CREATED_AT }));

const pageTokens = new PageTokens(['pk', 'sk']);

/** The shared fake (products in id order, `{pk, sk}` tokens as the DynamoDB adapter's), recording every list call (a bad token throws first). */
class InMemoryCatalog extends InMemoryCatalogRepository {
  listCalls: { limit: number; cursor: PageCursor | undefined }[] = [];
  override async listProducts(limit: number, nextToken?: string): Promise<Page<Product>> {
    const cursor = pageTokens.decode(nextToken);
    this.listCalls.push({ limit, cursor });
    return super.listProducts(limit, nextToken);
  }
}

function setup(products = PRODUCTS) {
  const repository = new InMemoryCatalog(products);
  const handler = createHandler(() => new CatalogService(repository));
  const call = async (query: Record<string, string> | null = null) => {
    const response = await handler(apiEvent({ path: '/catalogs', queryStringParameters: query }), lambdaContext);
    return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
  };
  return { repository, call };
}

const tokenOf = (cursor: PageCursor) => Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');

describe('GET /catalogs', () => {
  it('answers 200 with the items as the contract shapes them, and no nextToken on the last page', async () => {
    const { repository, call } = setup();
    const response = await call();
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({
      items: [
        { productId: 'CATALOG-001', productName: 'Berlin', unitPrice: 1500, stock: 100, createdAt: CREATED_AT },
        { productId: 'CATALOG-002', productName: 'Tokyo', unitPrice: 1000, stock: 110, createdAt: CREATED_AT },
        { productId: 'CATALOG-003', productName: 'Stockholm', unitPrice: 2000, stock: 120, createdAt: CREATED_AT },
      ],
    });
    expect(response.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(repository.listCalls).toEqual([{ limit: 20, cursor: undefined }]);
  });

  it('answers 200 with an empty list when there are no products', async () => {
    const response = await setup([]).call();
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ items: [] });
  });

  it('pages with limit and nextToken: a token exactly when there is a next page, and it continues there', async () => {
    const { repository, call } = setup();
    const first = await call({ limit: '2' });
    expect(first.statusCode).toBe(200);
    expect((first.json.items as Product[]).map((p) => p.productId)).toEqual(['CATALOG-001', 'CATALOG-002']);
    expect(first.json.nextToken).toBe(tokenOf({ pk: 'PRODUCT#CATALOG-002', sk: 'PRODUCT' }));

    const second = await call({ limit: '2', nextToken: first.json.nextToken as string });
    expect(second.statusCode).toBe(200);
    expect(second.json).toEqual({ items: [PRODUCTS[2]] });
    expect(repository.listCalls[1]).toEqual({ limit: 2, cursor: { pk: 'PRODUCT#CATALOG-002', sk: 'PRODUCT' } });
  });

  it.each(['1', '100'])('accepts limit=%s', async (limit) => {
    const { repository, call } = setup();
    expect((await call({ limit })).statusCode).toBe(200);
    expect(repository.listCalls).toEqual([{ limit: Number(limit), cursor: undefined }]);
  });

  it.each(['0', '101', '-1', '1.5', 'abc', '', '01'])('answers 400 naming limit for limit=%j, and lists nothing', async (limit) => {
    const { repository, call } = setup();
    const response = await call({ limit });
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({
      message: 'Invalid query: limit: must be an integer between 1 and 100',
      code: 'VALIDATION_FAILED',
      details: [{ field: 'limit', message: 'must be an integer between 1 and 100' }],
    });
    expect(repository.listCalls).toEqual([]);
  });

  it.each([
    ['not base64 JSON', '!!!'],
    ['JSON that is not an object', tokenOf([1, 2] as unknown as PageCursor)],
    ['another key set', tokenOf({ orderId: 'x' })],
    ['an extra key', tokenOf({ pk: 'a', sk: 'b', admin: 'yes' })],
  ])('answers 400 naming nextToken for %s', async (_name, nextToken) => {
    const { repository, call } = setup();
    const response = await call({ nextToken });
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({
      message: 'Invalid query: nextToken: not a valid page token',
      code: 'VALIDATION_FAILED',
      details: [{ field: 'nextToken', message: 'not a valid page token' }],
    });
    expect(repository.listCalls).toEqual([]);
  });

  it('answers 400 for an unknown query parameter', async () => {
    const { repository, call } = setup();
    const response = await call({ sort: 'price' });
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({
      message: 'Invalid query: sort: unknown field',
      code: 'VALIDATION_FAILED',
      details: [{ field: 'sort', message: 'unknown field' }],
    });
    expect(repository.listCalls).toEqual([]);
  });

  it('answers a bare 500 when the repository fails, without its details', async () => {
    const repository = new InMemoryCatalog(PRODUCTS);
    repository.listProducts = async () => {
      throw new Error('ProvisionedThroughputExceededException at table catalogs');
    };
    const response = await createHandler(() => new CatalogService(repository))(apiEvent(), lambdaContext);
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ message: 'Internal server error', code: 'INTERNAL_ERROR' });
  });
});
