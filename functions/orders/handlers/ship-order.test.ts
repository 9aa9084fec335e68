// POST /orders/{orderId}/ship (admin) on the shared in-memory orders fake.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { apiEvent, authorizedBy, lambdaContext } from '../../../tests/support/lambda.js';
import { InMemoryOrderRepository } from '../adapters/in-memory-order-repository.js';
import { newOrderId } from '../domain/order-id.js';
import { OrderService } from '../domain/order-service.js';
import type { Order } from '../domain/order.js';
import { createHandler } from './ship-order.js';

const ADMIN = 'admin-1';
const NOW = '2026-03-01T11:00:00.000Z';
const id = (seed: number) => newOrderId(Date.UTC(2026, 2, 1, 10, seed), new Uint8Array(10).fill(seed));
const shown = { userId: 'buyer', productId: 'CATALOG-001', qty: 1, createdAt: '2026-03-01T10:00:00.000Z' };
const base = { ...shown, correlationId: 'c' };
const PAID: Order = { ...base, orderId: id(1), status: 'PAID', unitPrice: 10, totalPrice: 10, paidAt: '2026-03-01T10:01:00.000Z' };
const CONFIRMED: Order = {
  ...base,
  orderId: id(2),
  status: 'CONFIRMED',
  unitPrice: 10,
  totalPrice: 10,
  paymentDueAt: '2026-03-01T10:01:00.000Z',
};

function setup() {
  const repository = new InMemoryOrderRepository([PAID, CONFIRMED]);
  const handler = createHandler(() => new OrderService(repository, () => new Date(NOW)));
  const call = async (orderId: string, roles = ['admin'], extra: Omit<Partial<APIGatewayProxyEvent>, 'body'> & { body?: unknown } = {}) => {
    const response = await handler(
      apiEvent({
        httpMethod: 'POST',
        path: `/orders/${orderId}/ship`,
        pathParameters: { orderId },
        ...authorizedBy(ADMIN, roles),
        ...extra,
      }),
      lambdaContext,
    );
    return [response.statusCode, JSON.parse(response.body) as Record<string, unknown>] as const;
  };
  return { repository, call, stored: (orderId: string) => repository.orders.get(orderId) };
}

describe('POST /orders/{orderId}/ship (admin)', () => {
  it('answers 200 with the PAID order SHIPPED (shippedAt); a repeat answers the same', async () => {
    const { call } = setup();
    const first = await call(PAID.orderId);
    expect(first).toEqual([
      200,
      { ...shown, orderId: PAID.orderId, status: 'SHIPPED', unitPrice: 10, totalPrice: 10, paidAt: PAID.paidAt, shippedAt: NOW },
    ]);
    expect(await call(PAID.orderId, ['admin'], { body: {} })).toEqual(first);
  });

  it('answers 409 ORDER_NOT_SHIPPABLE for an order that is not PAID, 404 for an unknown one, 400 for a malformed id', async () => {
    const { call, stored } = setup();
    expect((await call(CONFIRMED.orderId))[1]).toMatchObject({ code: 'ORDER_NOT_SHIPPABLE' });
    expect(stored(CONFIRMED.orderId)?.status).toBe('CONFIRMED');
    expect(await call(id(9))).toEqual([404, { message: `Order ${id(9)} not found`, code: 'NOT_FOUND' }]);
    expect((await call('nope'))[0]).toBe(400);
  });

  it('answers 403 to a caller without the role admin (the buyer too), and ships nothing', async () => {
    const { call, stored } = setup();
    expect(await call(PAID.orderId, [])).toEqual([403, { message: 'This route needs the role admin', code: 'FORBIDDEN' }]);
    expect(stored(PAID.orderId)?.status).toBe('PAID');
  });

  it('answers 400 for a body other than {}, and ships nothing', async () => {
    const { call, stored } = setup();
    expect((await call(PAID.orderId, ['admin'], { body: { carrier: 'x' } }))[0]).toBe(400);
    expect(stored(PAID.orderId)?.status).toBe('PAID');
  });
});
