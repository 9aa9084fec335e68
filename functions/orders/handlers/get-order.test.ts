import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { apiEvent, authorizedBy, lambdaContext } from '../../../tests/support/lambda.js';
import { newOrderId } from '../domain/order-id.js';
import { InMemoryOrderRepository } from '../adapters/in-memory-order-repository.js';
import { OrderService } from '../domain/order-service.js';
import type { Order } from '../domain/order.js';
import { createHandler } from './get-order.js';

const USER = 'user-1';
const OTHER = 'user-2';
const id = (seed: number) => newOrderId(Date.UTC(2026, 2, 1, 10, seed), new Uint8Array(10).fill(seed));

const base = { userId: USER, productId: 'CATALOG-001', qty: 2, createdAt: '2026-03-01T10:00:00.000Z', correlationId: 'corr-1' };
const CONFIRMED: Order = {
  ...base,
  orderId: id(1),
  status: 'CONFIRMED',
  unitPrice: 1500,
  totalPrice: 3000,
  settledAt: '2026-03-01T10:00:05.000Z',
};
const REJECTED: Order = { ...base, orderId: id(2), status: 'REJECTED', reason: 'OUT_OF_STOCK', settledAt: '2026-03-01T10:00:05.000Z' };
const PENDING: Order = { ...base, orderId: id(3), status: 'PENDING' };
const OTHERS: Order = { ...base, orderId: id(4), userId: OTHER, status: 'PENDING' };

/** The shared fake with these orders, recording every read. */
class InMemoryOrders extends InMemoryOrderRepository {
  reads: { userId: string; orderId: string }[] = [];
  constructor() {
    super([CONFIRMED, REJECTED, PENDING, OTHERS]);
  }
  override async get(userId: string, orderId: string) {
    this.reads.push({ userId, orderId });
    return super.get(userId, orderId);
  }
}

function setup() {
  const repository = new InMemoryOrders();
  const handler = createHandler(() => new OrderService(repository));
  const call = async (orderId: string, extra: Partial<APIGatewayProxyEvent> = {}, userId = USER) => {
    const response = await handler(
      apiEvent({ path: `/users/${userId}/orders/${orderId}`, pathParameters: { userId, orderId }, ...authorizedBy(USER), ...extra }),
      lambdaContext,
    );
    return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
  };
  return { repository, call };
}

const view = { userId: USER, productId: 'CATALOG-001', qty: 2, createdAt: '2026-03-01T10:00:00.000Z' };

describe('GET /users/{userId}/orders/{orderId}', () => {
  it('answers 200 with a CONFIRMED order with unitPrice and totalPrice, and no internal fields', async () => {
    const { repository, call } = setup();
    const response = await call(CONFIRMED.orderId);
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ ...view, orderId: CONFIRMED.orderId, status: 'CONFIRMED', unitPrice: 1500, totalPrice: 3000 });
    expect(repository.reads).toEqual([{ userId: USER, orderId: CONFIRMED.orderId }]);
  });

  it('answers 200 with a REJECTED order with its reason', async () => {
    const response = await setup().call(REJECTED.orderId);
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ ...view, orderId: REJECTED.orderId, status: 'REJECTED', reason: 'OUT_OF_STOCK' });
  });

  it('answers 200 with a PENDING order, without price or reason', async () => {
    const response = await setup().call(PENDING.orderId);
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ ...view, orderId: PENDING.orderId, status: 'PENDING' });
  });

  it.each([
    ['an unknown order', id(9)],
    ["another user's order, asked for under the caller's path", OTHERS.orderId],
  ])('answers 404 for %s', async (_name, orderId) => {
    const { repository, call } = setup();
    const response = await call(orderId);
    expect(response.statusCode).toBe(404);
    expect(response.json).toEqual({ message: `Order ${orderId} not found`, code: 'NOT_FOUND' });
    expect(repository.reads).toEqual([{ userId: USER, orderId }]);
  });

  it.each([
    ['a lower-case id', CONFIRMED.orderId.toLowerCase()],
    ['a 25 character id', CONFIRMED.orderId.slice(1)],
    ['an id with a letter not in the alphabet', `${CONFIRMED.orderId.slice(0, 25)}U`],
    ['a path traversal', '..%2F..%2Fadmin'],
  ])('answers 400 naming orderId for %s, and reads nothing', async (_name, orderId) => {
    const { repository, call } = setup();
    const response = await call(orderId);
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({
      message: 'Invalid path: orderId: must be an order id',
      code: 'VALIDATION_FAILED',
      details: [{ field: 'orderId', message: 'must be an order id' }],
    });
    expect(repository.reads).toEqual([]);
  });

  it.each([
    ["another user's order", OTHERS.orderId],
    ['a malformed order id', 'not-an-order'],
  ])("answers 403 under another user's path for %s, and reads nothing", async (_name, orderId) => {
    const { repository, call } = setup();
    const response = await call(orderId, {}, OTHER);
    expect(response.statusCode).toBe(403);
    expect(response.json).toEqual({ message: 'You may only access your own user', code: 'FORBIDDEN' });
    expect(repository.reads).toEqual([]);
  });

  it.each([
    ['no authorizer context', { requestContext: {} as APIGatewayProxyEvent['requestContext'] }],
    [
      'only an Authorization header (gateway mode never reads it)',
      { requestContext: {} as APIGatewayProxyEvent['requestContext'], headers: { Authorization: 'Bearer forged.token.here' } },
    ],
  ])('answers 401 for %s, and reads nothing', async (_name, extra) => {
    const { repository, call } = setup();
    const response = await call(CONFIRMED.orderId, extra);
    expect(response.statusCode).toBe(401);
    expect(response.json).toEqual({ message: 'Unauthorized', code: 'UNAUTHORIZED' });
    expect(repository.reads).toEqual([]);
  });
});
