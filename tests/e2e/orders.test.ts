/**
 * The orders routes end to end over HTTP (any base URL): behind the authorizer, own orders only,
 * strict bodies, Idempotency-Key, paging, and the saga settling each order with the catalog's price.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/http.js';
import { getOrder, listedOrders, newSession, placeOrder, settledOrder, type Session } from './orders-support.js';

const ORDER_ID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const PLACED_FIELDS = ['createdAt', 'orderId', 'productId', 'qty', 'status', 'userId'];

let alice: Session;
let bob: Session;

beforeAll(async () => {
  [alice, bob] = await Promise.all([newSession('alice'), newSession('bob')]);
});

describe('POST /users/{userId}/orders', () => {
  it('201 PENDING with exactly the contract fields, a time-sortable id and a Location', async () => {
    const res = await placeOrder(alice, { productId: 'CATALOG-002', qty: 1 });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(PLACED_FIELDS);
    expect(res.body).toMatchObject({ userId: alice.userId, productId: 'CATALOG-002', qty: 1, status: 'PENDING' });
    expect(res.body.orderId).toMatch(ORDER_ID);
    expect(Number.isNaN(Date.parse(res.body.createdAt))).toBe(false);
    expect(res.headers.get('location')).toBe(`/users/${alice.userId}/orders/${res.body.orderId}`);
  });

  it('settles CONFIRMED at the catalog price (a client price is ignored) and lowers the stock', async () => {
    const before = await api('GET', '/catalogs/CATALOG-001');
    const placed = await placeOrder(alice, { productId: 'CATALOG-001', qty: 1, unitPrice: 1 });
    expect(placed.status).toBe(201);
    const settled = await settledOrder(alice, placed.body.orderId);
    const after = await api('GET', '/catalogs/CATALOG-001');
    if (before.body.stock >= 1) {
      // CONFIRMED until its grace period is over, then PAID (the test stacks' grace is a few seconds; a slow poll may see PAID).
      const { status, paymentDueAt, paidAt, ...rest } = settled as Record<string, unknown>;
      expect(rest).toEqual({ ...placed.body, status: undefined, unitPrice: before.body.unitPrice, totalPrice: before.body.unitPrice });
      expect(['CONFIRMED', 'PAID']).toContain(status);
      expect(Number.isNaN(Date.parse(String(paymentDueAt)))).toBe(false);
      expect(paidAt === undefined || status === 'PAID').toBe(true);
      expect(after.body.stock).toBe(before.body.stock - 1);
    } else {
      // A long-lived stage whose seed stock earlier runs used up.
      expect(settled).toMatchObject({ status: 'REJECTED', reason: 'OUT_OF_STOCK' });
    }
  });

  it('settles REJECTED with UNKNOWN_PRODUCT for a product the catalog does not have', async () => {
    const placed = await placeOrder(alice, { productId: `NO-SUCH-${randomUUID().slice(0, 8)}`, qty: 2 });
    expect(placed.status).toBe(201);
    expect(await settledOrder(alice, placed.body.orderId)).toEqual({ ...placed.body, status: 'REJECTED', reason: 'UNKNOWN_PRODUCT' });
  });

  it('settles REJECTED with OUT_OF_STOCK for more than the stock, and the stock stays', async () => {
    const before = await api('GET', '/catalogs/CATALOG-003');
    const placed = await placeOrder(alice, { productId: 'CATALOG-003', qty: 1000 });
    expect(await settledOrder(alice, placed.body.orderId)).toMatchObject({ status: 'REJECTED', reason: 'OUT_OF_STOCK' });
    expect((await api('GET', '/catalogs/CATALOG-003')).body.stock).toBe(before.body.stock);
  });

  it.each([
    ['qty 0', { productId: 'CATALOG-001', qty: 0 }, 'qty'],
    ['qty 1001', { productId: 'CATALOG-001', qty: 1001 }, 'qty'],
    ['a fractional qty', { productId: 'CATALOG-001', qty: 1.5 }, 'qty'],
    ['qty as a string', { productId: 'CATALOG-001', qty: '2' }, 'qty'],
    ['no qty', { productId: 'CATALOG-001' }, 'qty'],
    ['no productId', { qty: 1 }, 'productId'],
    ['a malformed productId', { productId: 'a b', qty: 1 }, 'productId'],
    ['an unknown field', { productId: 'CATALOG-001', qty: 1, status: 'CONFIRMED' }, 'status'],
    ['a non-numeric unitPrice', { productId: 'CATALOG-001', qty: 1, unitPrice: 'free' }, 'unitPrice'],
  ])('400 naming the field for %s', async (_name, body, field) => {
    const res = await placeOrder(alice, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.message).toContain(field);
  });

  it('415 for a body that is not JSON, 400 for malformed JSON, 413 for a huge body', async () => {
    const path = `/users/${alice.userId}/orders`;
    expect(
      (await api('POST', path, { rawBody: 'productId=CATALOG-001', headers: { 'content-type': 'text/plain' }, token: alice.token })).status,
    ).toBe(415);
    expect(
      (await api('POST', path, { rawBody: '{"productId":', headers: { 'content-type': 'application/json' }, token: alice.token })).status,
    ).toBe(400);
    expect(
      (await api('POST', path, { body: { productId: 'CATALOG-001', qty: 1, pad: 'x'.repeat(8000) }, token: alice.token })).status,
    ).toBe(413);
  });

  it('401 without a token or with a bad one, 403 for another user', async () => {
    expect((await api('POST', `/users/${alice.userId}/orders`, { body: { productId: 'CATALOG-001', qty: 1 } })).status).toBe(401);
    expect(
      (await api('POST', `/users/${alice.userId}/orders`, { body: { productId: 'CATALOG-001', qty: 1 }, token: 'not.a.token' })).status,
    ).toBe(401);
    const res = await api('POST', `/users/${alice.userId}/orders`, { body: { productId: 'CATALOG-001', qty: 1 }, token: bob.token });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });
});

describe('Idempotency-Key', () => {
  it('a repeat with the same body returns the same order (201, same body) and creates nothing', async () => {
    const session = await newSession('idem');
    const key = randomUUID();
    const first = await placeOrder(session, { productId: 'CATALOG-002', qty: 2 }, { 'Idempotency-Key': key });
    const repeat = await placeOrder(session, { qty: 2, productId: 'CATALOG-002' }, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(first.body);
    await settledOrder(session, first.body.orderId);
    const afterSettling = await placeOrder(session, { productId: 'CATALOG-002', qty: 2 }, { 'Idempotency-Key': key });
    expect(afterSettling.body).toEqual(first.body);
    const list = await listedOrders(session, [first.body.orderId]);
    expect(list.map((o) => o.orderId)).toEqual([first.body.orderId]);
  });

  it('the same key with a different body is a 409', async () => {
    const key = randomUUID();
    expect((await placeOrder(alice, { productId: 'CATALOG-002', qty: 1 }, { 'Idempotency-Key': key })).status).toBe(201);
    const res = await placeOrder(alice, { productId: 'CATALOG-002', qty: 3 }, { 'Idempotency-Key': key });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it("keys are per user: another user's same key makes their own order", async () => {
    const key = randomUUID();
    const a = await placeOrder(alice, { productId: 'CATALOG-002', qty: 1 }, { 'Idempotency-Key': key });
    const b = await placeOrder(bob, { productId: 'CATALOG-002', qty: 1 }, { 'Idempotency-Key': key });
    expect(b.status).toBe(201);
    expect(b.body.orderId).not.toBe(a.body.orderId);
    expect(b.body.userId).toBe(bob.userId);
  });

  it('concurrent repeats of one key make one order', async () => {
    const session = await newSession('idem-race');
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => placeOrder(session, { productId: 'CATALOG-002', qty: 1 }, { 'Idempotency-Key': key })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(results.map((r) => r.body.orderId)).size).toBe(1);
    expect(await listedOrders(session, [results[0]!.body.orderId])).toHaveLength(1);
  });

  it('400 for a malformed key', async () => {
    const res = await placeOrder(alice, { productId: 'CATALOG-002', qty: 1 }, { 'Idempotency-Key': 'has spaces in it' });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('Idempotency-Key');
  });
});

describe('GET /users/{userId}/orders and /orders/{orderId}', () => {
  let carol: Session;
  const placed: string[] = [];

  beforeAll(async () => {
    carol = await newSession('carol');
    for (let i = 0; i < 5; i++) {
      const res = await placeOrder(carol, { productId: 'CATALOG-002', qty: 1 });
      placed.push(res.body.orderId as string);
    }
    await listedOrders(carol, placed);
  });

  it('lists newest first, paging with limit and nextToken (present exactly when more remain)', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await api('GET', `/users/${carol.userId}/orders?limit=2${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`, {
        token: carol.token,
      });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((o: { orderId: string }) => o.orderId));
      token = res.body.nextToken;
      pages++;
      if (token) expect(res.body.items).toHaveLength(2);
    } while (token && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...placed].reverse());
    const all = await api('GET', `/users/${carol.userId}/orders?limit=5`, { token: carol.token });
    expect(all.body.nextToken).toBeUndefined();
    for (const order of all.body.items) expect(order.userId).toBe(carol.userId);
  });

  it('an empty list for a user without orders', async () => {
    const dave = await newSession('dave');
    const res = await api('GET', `/users/${dave.userId}/orders`, { token: dave.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
  });

  it.each(['0', '101', 'x'])('400 for limit=%s', async (limit) => {
    expect((await api('GET', `/users/${carol.userId}/orders?limit=${limit}`, { token: carol.token })).status).toBe(400);
  });

  it("a nextToken forged to point into another user's orders yields nothing of theirs", async () => {
    // Alice's newest order (an unknown product: no stock is taken); a token is `{orderId}`, base64url JSON.
    const theirs = (await placeOrder(alice, { productId: `FORGE-${randomUUID().slice(0, 8)}`, qty: 1 })).body.orderId as string;
    const forge = (cursor: object) => Buffer.from(JSON.stringify(cursor)).toString('base64url');
    const list = (nextToken: string) => api('GET', `/users/${carol.userId}/orders?nextToken=${nextToken}`, { token: carol.token });

    // The token names her order; the list stays the caller's (the partition is never the token's).
    const res = await list(forge({ orderId: theirs }));
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    for (const order of res.body.items) expect(order.userId).toBe(carol.userId);
    expect(res.body.items.map((o: { orderId: string }) => o.orderId)).not.toContain(theirs);

    // Tokens that name her partition are not tokens of this list at all.
    for (const cursor of [
      { pk: `USER#${alice.userId}`, sk: `ORDER#${theirs}` },
      { orderId: theirs, gsi1pk: `USER#${alice.userId}` },
    ]) {
      const forged = await list(forge(cursor));
      expect(forged.status).toBe(400);
      expect(forged.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'nextToken' }] });
    }
  });

  it('gets one order; 404 for an unknown id, 400 for a malformed one', async () => {
    const one = await getOrder(carol, placed[0]!);
    expect(one.status).toBe(200);
    expect(one.body.orderId).toBe(placed[0]);
    const unknown = await getOrder(carol, '01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('NOT_FOUND');
    expect((await getOrder(carol, 'not-an-order-id')).status).toBe(400);
  });

  it("another user's orders are 403 (list and one), and not reachable through one's own path", async () => {
    expect((await api('GET', `/users/${carol.userId}/orders`, { token: alice.token })).status).toBe(403);
    expect((await api('GET', `/users/${carol.userId}/orders/${placed[0]}`, { token: alice.token })).status).toBe(403);
    expect((await getOrder(alice, placed[0]!)).status).toBe(404);
    expect((await api('GET', `/users/${carol.userId}/orders`)).status).toBe(401);
  });
});
