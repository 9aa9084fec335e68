/**
 * The catalog's management end to end over HTTP (functions/catalogs/README.md, "Managing the catalog"): an admin adds
 * a product, changes its price (orders reserved after it pay the new one, an order confirmed before keeps its own),
 * restocks with an Idempotency-Key (a repeat applies once and answers the same, another body is 409), and write-offs
 * never take the stock below 0; every admin route answers 401 without a token and 403 to a user without the role.
 * Each 2xx also shows that the function could publish its event under its own role (a failed publish is a 500).
 * The admin is made on the local stack (admin-support.ts); the 401/403 checks run against any base URL.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeLocal } from '../support/env.js';
import { api } from '../support/http.js';
import { adminSession } from './admin-support.js';
import { getOrder, newSession, placeOrder, settledOrder, type Session } from './orders-support.js';

const PRODUCT_FIELDS = ['createdAt', 'productId', 'productName', 'stock', 'unitPrice'];
const newProductId = () => `E2E-ADMIN-${randomUUID().slice(0, 8)}`;
const getProduct = async (productId: string) => {
  const res = await api('GET', `/catalogs/${productId}`);
  if (res.status !== 200) throw new Error(`GET /catalogs/${productId} -> ${res.status} ${res.text}`);
  return res.body as Record<string, any>;
};

describe('the admin routes refuse callers without a token (401) or without the role admin (403), changing nothing', () => {
  let user: Session;
  beforeAll(async () => {
    user = await newSession('no-role');
  });

  it('POST /catalogs', async () => {
    const productId = newProductId();
    const body = { productId, productName: 'Not yours', unitPrice: 1, stock: 1 };
    const anonymous = await api('POST', '/catalogs', { body });
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 'UNAUTHORIZED']);
    const forbidden = await api('POST', '/catalogs', { body, token: user.token });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({ message: 'This route needs the role admin', code: 'FORBIDDEN' });
    // A mass-assigned role does not help: the token decides, and the body is never read.
    expect((await api('POST', '/catalogs', { body: { ...body, roles: ['admin'] }, token: user.token })).status).toBe(403);
    expect((await api('GET', `/catalogs/${productId}`)).status).toBe(404);
  });

  it('PATCH /catalogs/{productId}', async () => {
    const before = await getProduct('CATALOG-002');
    const anonymous = await api('PATCH', '/catalogs/CATALOG-002', { body: { unitPrice: 1 } });
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 'UNAUTHORIZED']);
    const forbidden = await api('PATCH', '/catalogs/CATALOG-002', { body: { unitPrice: 1, productName: 'Mine' }, token: user.token });
    expect([forbidden.status, forbidden.body.code]).toEqual([403, 'FORBIDDEN']);
    const after = await getProduct('CATALOG-002');
    expect([after.unitPrice, after.productName]).toEqual([before.unitPrice, before.productName]);
  });

  it('POST /catalogs/{productId}/stock', async () => {
    const before = await getProduct('CATALOG-003');
    const anonymous = await api('POST', '/catalogs/CATALOG-003/stock', { body: { delta: 1_000_000 } });
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 'UNAUTHORIZED']);
    const forbidden = await api('POST', '/catalogs/CATALOG-003/stock', {
      body: { delta: 1_000_000 },
      token: user.token,
      headers: { 'Idempotency-Key': `no-role-${randomUUID()}` },
    });
    expect([forbidden.status, forbidden.body.code]).toEqual([403, 'FORBIDDEN']);
    // Orders of other suites may still take stock; nobody may add any.
    expect((await getProduct('CATALOG-003')).stock).toBeLessThanOrEqual(before.stock);
  });
});

describeLocal('an admin manages the catalog', () => {
  let admin: Session;
  let buyer: Session;
  beforeAll(async () => {
    [admin, buyer] = await Promise.all([adminSession('catalog-admin'), newSession('catalog-buyer')]);
  });

  const create = (body: unknown) => api('POST', '/catalogs', { body, token: admin.token });
  const patch = (productId: string, body: unknown) => api('PATCH', `/catalogs/${productId}`, { body, token: admin.token });
  const adjust = (productId: string, body: unknown, key?: string) =>
    api('POST', `/catalogs/${productId}/stock`, { body, token: admin.token, headers: key ? { 'Idempotency-Key': key } : {} });

  async function newProduct(overrides: Record<string, unknown> = {}) {
    const body = { productId: newProductId(), productName: 'Lisbon', unitPrice: 1000, stock: 50, ...overrides };
    const res = await create(body);
    expect(res.status, res.text).toBe(201);
    return res.body as Record<string, any>;
  }

  it('creates a product: 201 with exactly the product and its location, listed and readable; the same id again is 409', async () => {
    const productId = newProductId();
    const body = { productId, productName: 'Lisbon', unitPrice: 1800, stock: 50 };
    const res = await create(body);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(PRODUCT_FIELDS);
    expect(res.body).toMatchObject(body);
    expect(res.headers.get('location')).toBe(`/catalogs/${productId}`);
    expect(await getProduct(productId)).toEqual(res.body);

    const again = await create({ ...body, productName: 'Other', stock: 1 });
    expect([again.status, again.body]).toEqual([409, { message: `Product ${productId} already exists`, code: 'PRODUCT_EXISTS' }]);
    expect(await getProduct(productId)).toEqual(res.body);
  });

  it('refuses a malformed product with 400, and creates nothing (a role in the body is an unknown field)', async () => {
    const productId = newProductId();
    const valid = { productId, productName: 'Lisbon', unitPrice: 1, stock: 1 };
    for (const [body, field] of [
      [{ ...valid, roles: ['admin'] }, 'roles'],
      [{ ...valid, unitPrice: 1_000_000_001 }, 'unitPrice'],
      [{ ...valid, stock: -1 }, 'stock'],
      [{ ...valid, productName: '' }, 'productName'],
    ] as const) {
      const res = await create(body);
      expect([res.status, res.body.code], field).toEqual([400, 'VALIDATION_FAILED']);
      expect(res.body.message).toContain(field);
    }
    expect((await api('GET', `/catalogs/${productId}`)).status).toBe(404);
  });

  it('a price change applies to orders placed after it; an order confirmed before keeps its price', async () => {
    const product = await newProduct({ unitPrice: 1000, stock: 50 });
    const before = await placeOrder(buyer, { productId: product.productId, qty: 2 });
    expect(before.status).toBe(201);
    expect(await settledOrder(buyer, before.body.orderId)).toMatchObject({ status: 'CONFIRMED', unitPrice: 1000, totalPrice: 2000 });

    const changed = await patch(product.productId, { unitPrice: 1250 });
    expect([changed.status, changed.body]).toEqual([200, { ...product, unitPrice: 1250, stock: 48 }]);

    const after = await placeOrder(buyer, { productId: product.productId, qty: 1 });
    expect(await settledOrder(buyer, after.body.orderId)).toMatchObject({ status: 'CONFIRMED', unitPrice: 1250, totalPrice: 1250 });
    expect((await getOrder(buyer, before.body.orderId)).body).toMatchObject({ status: 'CONFIRMED', unitPrice: 1000, totalPrice: 2000 });
    expect(await getProduct(product.productId)).toMatchObject({ unitPrice: 1250, stock: 47 });
  });

  it('renames a product without touching its price or stock; an empty change, the stock, or an unknown product are refused', async () => {
    const product = await newProduct();
    const renamed = await patch(product.productId, { productName: 'Lisboa' });
    expect([renamed.status, renamed.body]).toEqual([200, { ...product, productName: 'Lisboa' }]);
    expect((await patch(product.productId, {})).status).toBe(400);
    expect((await patch(product.productId, { stock: 1_000 })).status).toBe(400);
    const unknown = await patch(newProductId(), { unitPrice: 1 });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
    expect(await getProduct(product.productId)).toEqual({ ...product, productName: 'Lisboa' });
  });

  it('restocks with an Idempotency-Key: a repeat applies once and answers the same; the key with another body is 409', async () => {
    const product = await newProduct({ stock: 10 });
    const key = `restock-${randomUUID()}`;
    const first = await adjust(product.productId, { delta: 5 }, key);
    expect([first.status, first.body]).toEqual([200, { ...product, stock: 15 }]);
    const repeat = await adjust(product.productId, { delta: 5 }, key);
    expect([repeat.status, repeat.text]).toEqual([200, first.text]);
    expect((await getProduct(product.productId)).stock).toBe(15);

    const reused = await adjust(product.productId, { delta: 6 }, key);
    expect([reused.status, reused.body.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
    expect((await getProduct(product.productId)).stock).toBe(15);

    // Without a key each request applies: 15 + 2 + 2.
    expect((await adjust(product.productId, { delta: 2 })).body.stock).toBe(17);
    expect((await adjust(product.productId, { delta: 2 })).body.stock).toBe(19);
  });

  it('write-offs never take the stock below 0: 409 INSUFFICIENT_STOCK, and exactly to 0 is fine', async () => {
    const product = await newProduct({ stock: 4 });
    const tooMany = await adjust(product.productId, { delta: -5 }, `write-off-${randomUUID()}`);
    expect([tooMany.status, tooMany.body.code]).toEqual([409, 'INSUFFICIENT_STOCK']);
    expect((await getProduct(product.productId)).stock).toBe(4);

    const all = await adjust(product.productId, { delta: -4 });
    expect([all.status, all.body.stock]).toEqual([200, 0]);
    const more = await adjust(product.productId, { delta: -1 });
    expect([more.status, more.body.code]).toEqual([409, 'INSUFFICIENT_STOCK']);
    expect((await getProduct(product.productId)).stock).toBe(0);

    // An order for a product written off to 0 is rejected.
    const order = await placeOrder(buyer, { productId: product.productId, qty: 1 });
    expect(await settledOrder(buyer, order.body.orderId)).toMatchObject({ status: 'REJECTED', reason: 'OUT_OF_STOCK' });
  });

  it('refuses a bad delta or key with 400 and an unknown product with 404, changing nothing', async () => {
    const product = await newProduct({ stock: 3 });
    for (const body of [{ delta: 0 }, { delta: 1_000_001 }, { delta: 1.5 }, { delta: '1' }, { delta: 1, stock: 100 }]) {
      const res = await adjust(product.productId, body);
      expect([res.status, res.body.code], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
    }
    const badKey = await adjust(product.productId, { delta: 1 }, 'a key with spaces');
    expect([badKey.status, badKey.body.details]).toEqual([
      400,
      [{ field: 'Idempotency-Key', message: 'must be 1-255 printable ASCII characters without spaces' }],
    ]);
    const unknown = await adjust(newProductId(), { delta: 1 });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
    expect((await getProduct(product.productId)).stock).toBe(3);
  });
});
