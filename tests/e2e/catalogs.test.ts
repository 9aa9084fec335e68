import { describe, expect, it } from 'vitest';
import { api } from '../support/http.js';

const SEED = [
  { productId: 'CATALOG-001', productName: 'Berlin', stock: 100, unitPrice: 1500 },
  { productId: 'CATALOG-002', productName: 'Tokyo', stock: 110, unitPrice: 1000 },
  { productId: 'CATALOG-003', productName: 'Stockholm', stock: 120, unitPrice: 2000 },
];

describe('public routes', () => {
  it('GET /health is UP', async () => {
    const res = await api('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('UP');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('GET /welcome returns the stage message', async () => {
    const res = await api('GET', '/welcome');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Welcome to the Simple E-commerce' });
  });

  it('echoes a well-formed x-correlation-id and replaces a malformed one', async () => {
    const given = await api('GET', '/health', { headers: { 'x-correlation-id': 'test-corr-123' } });
    expect(given.headers.get('x-correlation-id')).toBe('test-corr-123');
    const bad = await api('GET', '/health', { headers: { 'x-correlation-id': 'bad id <script>' } });
    expect(bad.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers', async () => {
    const res = await api('GET', '/catalogs');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
  });
});

describe('GET /catalogs', () => {
  it('lists the seed products with the contract fields', async () => {
    const res = await api('GET', '/catalogs?limit=100');
    expect(res.status).toBe(200);
    for (const seed of SEED) {
      const item = res.body.items.find((i: { productId: string }) => i.productId === seed.productId);
      expect(item).toMatchObject({ productId: seed.productId, productName: seed.productName, unitPrice: seed.unitPrice });
      expect(typeof item.stock).toBe('number');
      expect(Number.isNaN(Date.parse(item.createdAt))).toBe(false);
      expect(Object.keys(item).sort()).toEqual(['createdAt', 'productId', 'productName', 'stock', 'unitPrice']);
    }
  });

  it('pages with limit and nextToken, nextToken present exactly when more remain', async () => {
    const all = await api('GET', '/catalogs?limit=100');
    const total = all.body.items.length as number;
    expect(all.body.nextToken).toBeUndefined();
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await api('GET', `/catalogs?limit=1${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(1);
      seen.push(res.body.items[0].productId);
      token = res.body.nextToken;
      pages++;
    } while (token && pages < 50);
    expect(pages).toBe(total);
    expect(new Set(seen).size).toBe(total);
  });

  it.each(['0', '101', '-1', 'abc', '1.5'])('rejects limit=%s with 400 naming the field', async (limit) => {
    const res = await api('GET', `/catalogs?limit=${limit}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.message).toContain('limit');
  });

  it('rejects a forged nextToken with 400', async () => {
    const res = await api('GET', '/catalogs?nextToken=not-a-token');
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('nextToken');
  });

  it('rejects unknown query parameters with 400', async () => {
    const res = await api('GET', '/catalogs?sort=desc');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('GET /catalogs/{productId}', () => {
  it('returns one product', async () => {
    const res = await api('GET', '/catalogs/CATALOG-002');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ productId: 'CATALOG-002', productName: 'Tokyo', unitPrice: 1000 });
  });

  it('404s an unknown product with the error contract', async () => {
    const res = await api('GET', '/catalogs/CATALOG-999');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: 'Product CATALOG-999 not found', code: 'NOT_FOUND' });
  });

  it('400s a malformed product id without a stack trace', async () => {
    const res = await api('GET', `/catalogs/${encodeURIComponent('x'.repeat(100))}`);
    expect(res.status).toBe(400);
    expect(res.text).not.toMatch(/at .*\.(m?js|ts):\d+/);
  });
});
