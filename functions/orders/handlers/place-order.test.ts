import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { apiEvent, authorizedBy, lambdaContext } from '../../../tests/support/lambda.js';
import { InMemoryOrderRepository } from '../adapters/in-memory-order-repository.js';
import { OrderService, type CreateOrderResult, type IdempotencyClaim } from '../domain/order-service.js';
import type { Order } from '../domain/order.js';
import { createHandler } from './place-order.js';

const USER = 'user-1';
const OTHER = 'user-2';
const NOW = '2026-03-01T10:00:00.000Z';
const ORDER_ID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** The shared fake, recording every create. */
class InMemoryOrders extends InMemoryOrderRepository {
  creates: { order: Order; claim: IdempotencyClaim | undefined }[] = [];
  override async create(order: Order, claim?: IdempotencyClaim): Promise<CreateOrderResult> {
    this.creates.push({ order, claim });
    return super.create(order, claim);
  }
}

function setup() {
  // The claims expire by the same clock the service stamps them with.
  const repository = new InMemoryOrders([], () => Math.floor(Date.parse(NOW) / 1000));
  const handler = createHandler(() => new OrderService(repository, () => new Date(NOW)));
  const call = async (body: unknown, extra: Partial<APIGatewayProxyEvent> = {}, userId = USER) => {
    const response = await handler(
      apiEvent({ httpMethod: 'POST', path: `/users/${userId}/orders`, pathParameters: { userId }, body, ...authorizedBy(USER), ...extra }),
      lambdaContext,
    );
    return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
  };
  return { repository, call };
}

const valid = { productId: 'CATALOG-001', qty: 2 };
const QTY_MESSAGE = 'must be an integer between 1 and 1000';
const invalid = (field: string, message: string) => ({
  message: `Invalid request body: ${field}: ${message}`,
  code: 'VALIDATION_FAILED',
  details: [{ field, message }],
});

const PAYMENT_METHOD_MESSAGE = 'must be one of pm_card_visa, pm_card_declined, pm_card_insufficient_funds';

describe('POST /users/{userId}/orders', () => {
  it('answers 201 with the PENDING order and its location, and stores it with the request correlation id', async () => {
    const { repository, call } = setup();
    const response = await call(valid, { headers: { 'X-Correlation-Id': 'corr-order-1' } });
    expect(response.statusCode).toBe(201);
    expect(response.json).toEqual({
      orderId: expect.stringMatching(ORDER_ID),
      userId: USER,
      productId: 'CATALOG-001',
      qty: 2,
      status: 'PENDING',
      createdAt: NOW,
    });
    const orderId = response.json.orderId as string;
    expect(response.headers).toMatchObject({ location: `/users/${USER}/orders/${orderId}`, 'content-type': 'application/json' });
    expect(repository.creates).toHaveLength(1);
    expect(repository.creates[0]).toEqual({
      order: {
        orderId,
        userId: USER,
        productId: 'CATALOG-001',
        qty: 2,
        status: 'PENDING',
        createdAt: NOW,
        paymentMethod: 'pm_card_visa',
        correlationId: 'corr-order-1',
      },
      claim: undefined,
    });
  });

  it('accepts and ignores unitPrice: the stored order and the answer carry no price', async () => {
    const { repository, call } = setup();
    const response = await call({ ...valid, unitPrice: 1 });
    expect(response.statusCode).toBe(201);
    expect(response.json).not.toHaveProperty('unitPrice');
    expect(repository.creates[0]?.order).not.toHaveProperty('unitPrice');
    expect(repository.creates[0]?.order).not.toHaveProperty('totalPrice');
  });

  it.each(['pm_card_visa', 'pm_card_declined', 'pm_card_insufficient_funds'] as const)(
    'stores the payment method %s given, and never shows it',
    async (paymentMethod) => {
      const { repository, call } = setup();
      const response = await call({ ...valid, paymentMethod });
      expect(response.statusCode).toBe(201);
      expect(response.json).not.toHaveProperty('paymentMethod');
      expect(repository.creates[0]?.order.paymentMethod).toBe(paymentMethod);
    },
  );

  it('accepts an unknown product (the catalog rejects it later, asynchronously)', async () => {
    const { repository, call } = setup();
    const response = await call({ productId: 'NO-SUCH-PRODUCT', qty: 1 });
    expect(response.statusCode).toBe(201);
    expect(response.json).toMatchObject({ productId: 'NO-SUCH-PRODUCT', status: 'PENDING' });
    expect(repository.orders.size).toBe(1);
  });

  it.each([1, 1000])('accepts qty %i', async (qty) => {
    const response = await setup().call({ ...valid, qty });
    expect(response.statusCode).toBe(201);
    expect(response.json.qty).toBe(qty);
  });

  it('encodes the user id in the location', async () => {
    const { call } = setup();
    const response = await call(valid, authorizedBy('tenant:42'), 'tenant:42');
    expect(response.statusCode).toBe(201);
    expect(response.headers?.location).toBe(`/users/tenant%3A42/orders/${response.json.orderId as string}`);
  });

  it.each([
    ['qty 0', { qty: 0 }, 'qty', QTY_MESSAGE],
    ['qty 1001', { qty: 1001 }, 'qty', QTY_MESSAGE],
    ['a fractional qty', { qty: 1.5 }, 'qty', QTY_MESSAGE],
    ['a negative qty', { qty: -3 }, 'qty', QTY_MESSAGE],
    ['qty as a string', { qty: '2' }, 'qty', QTY_MESSAGE],
    ['a missing qty', { qty: undefined }, 'qty', QTY_MESSAGE],
    ['a missing productId', { productId: undefined }, 'productId', 'Invalid input: expected string, received undefined'],
    ['an empty productId', { productId: '' }, 'productId', 'must be 1-64 letters, digits, - or _'],
    ['a productId with a space', { productId: 'CATALOG 001' }, 'productId', 'must be 1-64 letters, digits, - or _'],
    ['a 65 character productId', { productId: `P${'x'.repeat(64)}` }, 'productId', 'must be 1-64 letters, digits, - or _'],
    ['a string unitPrice', { unitPrice: 'free' }, 'unitPrice', 'must be a number (it is ignored)'],
    ['an unknown payment method', { paymentMethod: 'pm_card_amex' }, 'paymentMethod', PAYMENT_METHOD_MESSAGE],
    ['an empty payment method', { paymentMethod: '' }, 'paymentMethod', PAYMENT_METHOD_MESSAGE],
    ['a payment method in another case', { paymentMethod: 'PM_CARD_VISA' }, 'paymentMethod', PAYMENT_METHOD_MESSAGE],
    ['a numeric payment method', { paymentMethod: 4242 }, 'paymentMethod', PAYMENT_METHOD_MESSAGE],
  ])('answers 400 naming the field for %s, and stores nothing', async (_name, change, field, message) => {
    const { repository, call } = setup();
    const response = await call({ ...valid, ...change });
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual(invalid(field, message));
    expect(repository.creates).toEqual([]);
  });

  it.each([
    ['userId', OTHER],
    ['price', 1],
    ['totalPrice', 2],
    ['status', 'CONFIRMED'],
    ['orderId', '01JZ8R3M5QK7V2W9X4Y6Z8A0BC'],
    ['correlationId', 'forged'],
  ])('answers 400 for the unknown field %s (no mass assignment), and stores nothing', async (field, value) => {
    const { repository, call } = setup();
    const response = await call({ ...valid, [field]: value });
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual(invalid(field, 'unknown field'));
    expect(repository.creates).toEqual([]);
  });

  it('answers 400 MALFORMED_JSON for a body that does not parse', async () => {
    const { repository, call } = setup();
    const response = await call('{"productId":"CATALOG-001","qty":');
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({ message: 'Request body is not valid JSON', code: 'MALFORMED_JSON' });
    expect(repository.creates).toEqual([]);
  });

  it.each([
    ['a text/plain body', { body: JSON.stringify(valid), headers: { 'Content-Type': 'text/plain' } }],
    ['no body', { body: null }],
  ])('answers 415 for %s, and stores nothing', async (_name, extra) => {
    const { repository, call } = setup();
    const response = await call(undefined, extra);
    expect(response.statusCode).toBe(415);
    expect(response.json).toEqual({
      message: 'Request body must be JSON (Content-Type: application/json)',
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    expect(repository.creates).toEqual([]);
  });

  it('answers 413 for a body over 4 KiB, and stores nothing', async () => {
    const { repository, call } = setup();
    const response = await call({ ...valid, note: 'x'.repeat(4 * 1024) });
    expect(response.statusCode).toBe(413);
    expect(response.json).toEqual({ message: 'Request body exceeds 4096 bytes', code: 'PAYLOAD_TOO_LARGE' });
    expect(repository.creates).toEqual([]);
  });

  describe('Idempotency-Key', () => {
    it('a repeat with the same body (in any key order) answers 201 with the same body and creates nothing', async () => {
      const { repository, call } = setup();
      const headers = { 'Idempotency-Key': 'key-1' };
      const first = await call(valid, { headers });
      const again = await call({ qty: 2, productId: 'CATALOG-001' }, { headers });
      expect(first.statusCode).toBe(201);
      expect(again.statusCode).toBe(201);
      expect(again.body).toBe(first.body);
      expect(again.headers?.location).toBe(first.headers?.location);
      expect(repository.orders.size).toBe(1);
      expect(repository.creates.map((c) => c.claim?.key)).toEqual(['key-1', 'key-1']);
    });

    it('the same key with another body answers 409 and creates nothing', async () => {
      const { repository, call } = setup();
      const headers = { 'Idempotency-Key': 'key-1' };
      expect((await call(valid, { headers })).statusCode).toBe(201);
      const response = await call({ ...valid, qty: 3 }, { headers });
      expect(response.statusCode).toBe(409);
      expect(response.json).toEqual({
        message: 'Idempotency-Key was already used with a different request body',
        code: 'IDEMPOTENCY_KEY_REUSED',
      });
      expect(repository.orders.size).toBe(1);
    });

    it('is per user: another user with the same key gets an order of their own', async () => {
      const { repository, call } = setup();
      const first = await call(valid, { headers: { 'Idempotency-Key': 'shared' } });
      const second = await call(valid, { headers: { 'Idempotency-Key': 'shared' }, ...authorizedBy(OTHER) }, OTHER);
      expect(second.statusCode).toBe(201);
      expect(second.json.userId).toBe(OTHER);
      expect(second.json.orderId).not.toBe(first.json.orderId);
      expect(repository.orders.size).toBe(2);
    });

    it.each([
      ['a space', 'two words'],
      ['256 characters', 'k'.repeat(256)],
      ['a non-ASCII character', 'clé'],
    ])('answers 400 naming Idempotency-Key for a key with %s, and stores nothing', async (_name, key) => {
      const { repository, call } = setup();
      const response = await call(valid, { headers: { 'Idempotency-Key': key } });
      expect(response.statusCode).toBe(400);
      expect(response.json).toEqual({
        message: 'Invalid header: Idempotency-Key: must be 1-255 printable ASCII characters without spaces',
        code: 'VALIDATION_FAILED',
        details: [{ field: 'Idempotency-Key', message: 'must be 1-255 printable ASCII characters without spaces' }],
      });
      expect(repository.creates).toEqual([]);
    });
  });

  describe('who may place it', () => {
    it("answers 403 for another user's path, and stores nothing", async () => {
      const { repository, call } = setup();
      const response = await call(valid, {}, OTHER);
      expect(response.statusCode).toBe(403);
      expect(response.json).toEqual({ message: 'You may only access your own user', code: 'FORBIDDEN' });
      expect(repository.creates).toEqual([]);
    });

    it.each([
      ['no authorizer context', { requestContext: {} as APIGatewayProxyEvent['requestContext'] }],
      [
        'only an Authorization header (gateway mode never reads it)',
        { requestContext: {} as APIGatewayProxyEvent['requestContext'], headers: { Authorization: 'Bearer forged.token.here' } },
      ],
    ])('answers 401 for %s, and stores nothing', async (_name, extra) => {
      const { repository, call } = setup();
      const response = await call(valid, extra);
      expect(response.statusCode).toBe(401);
      expect(response.json).toEqual({ message: 'Unauthorized', code: 'UNAUTHORIZED' });
      expect(repository.creates).toEqual([]);
    });

    it('answers 401 before reading the body: no 415 or 400 for a caller without a token', async () => {
      const { call } = setup();
      const noCaller = { requestContext: {} as APIGatewayProxyEvent['requestContext'] };
      expect((await call('{not json', noCaller)).statusCode).toBe(401);
      expect((await call(valid, { ...noCaller, headers: { 'Content-Type': 'text/plain' } })).statusCode).toBe(401);
      expect((await call({ ...valid, role: 'admin' }, noCaller)).statusCode).toBe(401);
    });
  });
});
