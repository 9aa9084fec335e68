import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { apiEvent, authorizedBy, lambdaContext } from '../../../tests/support/lambda.js';
import { PageTokens, type Page, type PageCursor } from '../../shared/pagination.js';
import { newOrderId } from '../domain/order-id.js';
import { InMemoryOrderRepository } from '../adapters/in-memory-order-repository.js';
import { OrderService } from '../domain/order-service.js';
import type { Order } from '../domain/order.js';
import { createHandler } from './list-orders.js';

const USER = 'user-1';
const OTHER = 'user-2';
const at = (minute: number) => Date.UTC(2026, 2, 1, 10, minute);
const idAt = (minute: number) => newOrderId(at(minute), new Uint8Array(10).fill(minute));

const order = (minute: number, userId = USER): Order => ({
  orderId: idAt(minute),
  userId,
  productId: 'CATALOG-001',
  qty: 2,
  status: 'PENDING',
  createdAt: new Date(at(minute)).toISOString(),
  correlationId: `corr-${minute}`,
});
const CONFIRMED: Order = { ...order(1), status: 'CONFIRMED', unitPrice: 1500, totalPrice: 3000, settledAt: '2026-03-01T10:01:05.000Z' };
const REJECTED: Order = {
  ...order(2),
  productId: 'NOPE',
  status: 'REJECTED',
  reason: 'UNKNOWN_PRODUCT',
  settledAt: '2026-03-01T10:02:05.000Z',
};
const PENDING = order(3);

const pageTokens = new PageTokens(['orderId']);

/** The shared fake (a user's orders newest first, `{orderId}` tokens as the adapter's), recording every list call (a bad token throws first). */
class InMemoryOrders extends InMemoryOrderRepository {
  lists: { userId: string; limit: number; cursor: PageCursor | undefined }[] = [];
  override async list(userId: string, limit: number, nextToken?: string): Promise<Page<Order>> {
    this.lists.push({ userId, limit, cursor: pageTokens.decode(nextToken) });
    return super.list(userId, limit, nextToken);
  }
}

function setup(orders = [CONFIRMED, REJECTED, PENDING, order(4, OTHER)]) {
  const repository = new InMemoryOrders(orders);
  const handler = createHandler(() => new OrderService(repository));
  const call = async (query: Record<string, string> | null = null, extra: Partial<APIGatewayProxyEvent> = {}, userId = USER) => {
    const response = await handler(
      apiEvent({
        path: `/users/${userId}/orders`,
        pathParameters: { userId },
        queryStringParameters: query,
        ...authorizedBy(USER),
        ...extra,
      }),
      lambdaContext,
    );
    return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
  };
  return { repository, call };
}

const tokenOf = (cursor: unknown) => Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
const INVALID_TOKEN = {
  message: 'Invalid query: nextToken: not a valid page token',
  code: 'VALIDATION_FAILED',
  details: [{ field: 'nextToken', message: 'not a valid page token' }],
};

describe('GET /users/{userId}/orders', () => {
  it("answers 200 with the caller's orders newest first, as the API shows them (no internal bookkeeping)", async () => {
    const { repository, call } = setup();
    const response = await call();
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({
      items: [
        { orderId: PENDING.orderId, userId: USER, productId: 'CATALOG-001', qty: 2, status: 'PENDING', createdAt: PENDING.createdAt },
        {
          orderId: REJECTED.orderId,
          userId: USER,
          productId: 'NOPE',
          qty: 2,
          status: 'REJECTED',
          reason: 'UNKNOWN_PRODUCT',
          createdAt: REJECTED.createdAt,
        },
        {
          orderId: CONFIRMED.orderId,
          userId: USER,
          productId: 'CATALOG-001',
          qty: 2,
          status: 'CONFIRMED',
          unitPrice: 1500,
          totalPrice: 3000,
          createdAt: CONFIRMED.createdAt,
        },
      ],
    });
    expect(repository.lists).toEqual([{ userId: USER, limit: 20, cursor: undefined }]);
  });

  it('answers 200 with no items for a caller without orders', async () => {
    const response = await setup([]).call();
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ items: [] });
  });

  it('pages: nextToken exactly when there is a next page, and it continues from there', async () => {
    const { repository, call } = setup();
    const first = await call({ limit: '2' });
    expect((first.json.items as Order[]).map((o) => o.orderId)).toEqual([PENDING.orderId, REJECTED.orderId]);
    expect(first.json.nextToken).toBe(tokenOf({ orderId: REJECTED.orderId }));

    const second = await call({ limit: '2', nextToken: first.json.nextToken as string });
    expect(second.statusCode).toBe(200);
    expect((second.json.items as Order[]).map((o) => o.orderId)).toEqual([CONFIRMED.orderId]);
    expect(second.json).not.toHaveProperty('nextToken');
    expect(repository.lists[1]).toEqual({ userId: USER, limit: 2, cursor: { orderId: REJECTED.orderId } });
  });

  it.each(['0', '101', 'all', '3.0'])('answers 400 naming limit for limit=%s, and lists nothing', async (limit) => {
    const { repository, call } = setup();
    const response = await call({ limit });
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({
      message: 'Invalid query: limit: must be an integer between 1 and 100',
      code: 'VALIDATION_FAILED',
      details: [{ field: 'limit', message: 'must be an integer between 1 and 100' }],
    });
    expect(repository.lists).toEqual([]);
  });

  it.each([
    ['garbage', '%%%'],
    ['a catalog token', tokenOf({ pk: 'PRODUCT#CATALOG-001', sk: 'PRODUCT' })],
    ['a token with another key', tokenOf({ sk: 'ORDER#01JZ8R3M5QK7V2W9X4Y6Z8A0BC' })],
  ])('answers 400 naming nextToken for %s, and lists nothing', async (_name, nextToken) => {
    const { repository, call } = setup();
    const response = await call({ nextToken });
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual(INVALID_TOKEN);
    expect(repository.lists).toEqual([]);
  });

  it('answers 400 for an unknown query parameter', async () => {
    const { repository, call } = setup();
    const response = await call({ status: 'PENDING' });
    expect(response.statusCode).toBe(400);
    expect(response.json).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'status', message: 'unknown field' }] });
    expect(repository.lists).toEqual([]);
  });

  it("answers 403 for another user's orders, and lists nothing", async () => {
    const { repository, call } = setup();
    const response = await call(null, {}, OTHER);
    expect(response.statusCode).toBe(403);
    expect(response.json).toEqual({ message: 'You may only access your own user', code: 'FORBIDDEN' });
    expect(repository.lists).toEqual([]);
  });

  it.each([
    ['no authorizer context', { requestContext: {} as APIGatewayProxyEvent['requestContext'] }],
    [
      'only an Authorization header (gateway mode never reads it)',
      { requestContext: {} as APIGatewayProxyEvent['requestContext'], headers: { Authorization: 'Bearer forged.token.here' } },
    ],
  ])('answers 401 for %s, and lists nothing', async (_name, extra) => {
    const { repository, call } = setup();
    const response = await call(null, extra);
    expect(response.statusCode).toBe(401);
    expect(response.json).toEqual({ message: 'Unauthorized', code: 'UNAUTHORIZED' });
    expect(repository.lists).toEqual([]);
  });
});
