import { describe, expect, it } from 'vitest';
import { apiEvent, authorizedBy, lambdaContext } from '../../../tests/support/lambda.js';
import { InMemoryOrderRepository } from '../adapters/in-memory-order-repository.js';
import { newOrderId } from '../domain/order-id.js';
import { OrderService } from '../domain/order-service.js';
import type { Order } from '../domain/order.js';
import { createHandler } from './list-orders-by-status.js';

const ADMIN = '0a1b2c3d-0000-4000-8000-00000000000a';
const order = (minute: number, status: Order['status'], userId: string): Order => ({
  orderId: newOrderId(Date.UTC(2026, 11, 1, 10, minute), new Uint8Array(10).fill(minute)),
  userId,
  productId: 'CATALOG-001',
  qty: 1,
  status,
  createdAt: new Date(Date.UTC(2026, 11, 1, 10, minute)).toISOString(),
  correlationId: `c-${minute}`,
  ...(status === 'CONFIRMED' ? { unitPrice: 10, totalPrice: 10 } : {}),
});
const ORDERS = [order(1, 'CONFIRMED', 'u1'), order(2, 'PENDING', 'u2'), order(3, 'CONFIRMED', 'u2')];

const call = async (query: Record<string, string> | null, roles: string[] = ['admin']) => {
  const handler = createHandler(() => new OrderService(new InMemoryOrderRepository(ORDERS)));
  const response = await handler(apiEvent({ path: '/orders', queryStringParameters: query, ...authorizedBy(ADMIN, roles) }), lambdaContext);
  return [response.statusCode, JSON.parse(response.body) as Record<string, any>] as const;
};

describe('GET /orders?status= (admin)', () => {
  it("answers every user's orders in that status, newest first, as the order view shows them", async () => {
    const [status, body] = await call({ status: 'CONFIRMED' });
    expect(status).toBe(200);
    expect(body.items.map((o: Order) => [o.userId, o.status])).toEqual([
      ['u2', 'CONFIRMED'],
      ['u1', 'CONFIRMED'],
    ]);
    expect(body.items[0]).not.toHaveProperty('correlationId');
  });

  it('answers 403 FORBIDDEN to a caller without the role admin, before reading anything', async () => {
    expect(await call({ status: 'CONFIRMED' }, [])).toEqual([403, { message: 'This route needs the role admin', code: 'FORBIDDEN' }]);
  });

  it.each([null, { status: 'SHIPPED-ISH' }, { status: 'CONFIRMED', limit: '0' }, { status: 'CONFIRMED', extra: '1' }])(
    'answers 400 for the query %j',
    async (query) => {
      const [status, body] = await call(query as Record<string, string> | null);
      expect(status).toBe(400);
      expect(body.code).toBe('VALIDATION_FAILED');
    },
  );
});
