// sweepPendingOrders on the shared in-memory orders fake: the scheduled `{}` sweeps with the function's settings
// (env, else their defaults), an operator narrows the age, lists the stuck orders and re-drives them, and any other
// input fails loudly without sweeping (a mistyped operator input must never run a default sweep).
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { lambdaContext } from '../../../tests/support/lambda.js';
import { logger, metrics } from '../../shared/observability.js';
import { InMemoryOrderRepository } from '../adapters/in-memory-order-repository.js';
import { newOrderId } from '../domain/order-id.js';
import { OrderService } from '../domain/order-service.js';
import type { Order } from '../domain/order.js';
import { createHandler } from './sweep-pending-orders.js';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const SETTINGS = ['SWEEP_OLDER_THAN_SECONDS', 'SWEEP_MAX_ANNOUNCEMENTS', 'SWEEP_MAX_BACKOFF_SECONDS', 'SWEEP_BATCH_LIMIT'] as const;

/** A PENDING order placed `ageSeconds` before NOW. */
function pendingOrder(ageSeconds: number): Order {
  const createdAt = NOW - ageSeconds * 1000;
  return {
    orderId: newOrderId(createdAt),
    userId: 'sweep-user',
    productId: 'CATALOG-001',
    qty: 1,
    status: 'PENDING',
    createdAt: new Date(createdAt).toISOString(),
    correlationId: 'sweep',
  };
}

function setup(orders: Order[]) {
  const repository = new InMemoryOrderRepository(orders);
  const service = new OrderService(repository, () => new Date(NOW));
  const handler = createHandler(() => service);
  const sweep = (input: unknown) => handler(input, lambdaContext) as Promise<any>;
  return { repository, sweep };
}

/** Orders taken out of the sweep into the stuck list (as the sweeper leaves them), a minute apart: the first stuck longest. */
async function stuckOrders(repository: InMemoryOrderRepository, count: number) {
  const orders = Array.from({ length: count }, (_, i) => pendingOrder(3600 + i));
  for (const [i, order] of orders.entries()) {
    await repository.create(order);
    expect(
      await repository.markStuck(
        { orderId: order.orderId, status: 'PENDING', announcements: 0 },
        new Date(NOW - (count - i) * 60_000).toISOString(),
      ),
    ).toBe(true);
  }
  return orders;
}

let addMetric: MockInstance<typeof metrics.addMetric>;
beforeEach(() => {
  // The function's settings come from its environment; unset, the handler's defaults apply.
  for (const name of SETTINGS) vi.stubEnv(name, undefined);
  vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
  vi.spyOn(logger, 'error').mockImplementation(() => undefined);
  addMetric = vi.spyOn(metrics, 'addMetric');
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('sweepPendingOrders: the scheduled sweep ({})', () => {
  it('counts what the re-announced and stuck orders wait for: the catalog (PENDING), a payment (CONFIRMED), a compensation (CANCELLED)', async () => {
    const pending = pendingOrder(3600);
    const overdue: Order = {
      ...pendingOrder(3600),
      status: 'CONFIRMED',
      unitPrice: 1,
      totalPrice: 1,
      paymentDueAt: new Date(NOW - 61_000).toISOString(),
    };
    const cancelled: Order = {
      ...pendingOrder(3600),
      status: 'CANCELLED',
      reason: 'BUYER_CANCELLED',
      cancelledFrom: 'PENDING',
      cancelledAt: new Date(NOW - 61_000).toISOString(),
    };
    const { repository, sweep } = setup([pending, overdue, cancelled]);
    Object.assign(repository.orders.get(cancelled.orderId) as object, { announcements: 10 });
    const result = await sweep({});
    expect([...result.reannounced].sort()).toEqual([pending.orderId, overdue.orderId].sort());
    expect(result.stuck).toEqual([cancelled.orderId]);
    const counts = Object.fromEntries(addMetric.mock.calls.map(([name, , value]) => [name, value]));
    expect(counts).toMatchObject({
      ordersReannounced: 2,
      paymentsOverdue: 1,
      compensationsOverdue: 0,
      ordersStuck: 0,
      paymentsStuck: 0,
      compensationsStuck: 1,
    });
    expect(repository.orders.get(overdue.orderId)?.paymentRequestedAt).toBe(new Date(NOW).toISOString());
  });

  it('without settings: re-announces the orders PENDING over 60 s, and only those', async () => {
    const old = pendingOrder(61);
    const young = pendingOrder(59);
    const { repository, sweep } = setup([old, young]);
    expect(await sweep({})).toMatchObject({ reannounced: [old.orderId], stuck: [] });
    expect(repository.orders.get(old.orderId)).toMatchObject({ announcements: 1, lastAnnouncedAt: new Date(NOW).toISOString() });
    expect(repository.orders.get(young.orderId)?.announcements).toBeUndefined();
  });

  it('without settings: an order already announced 10 times leaves the sweep for the stuck list', async () => {
    const order = pendingOrder(3600);
    const { repository, sweep } = setup([order]);
    Object.assign(repository.orders.get(order.orderId) as object, { announcements: 9 });
    expect(await sweep({})).toMatchObject({ reannounced: [order.orderId], stuck: [] });
    // Its tenth announcement pushed its next quiet period out (60 s doubled 10 times, capped at 900 s): not due now.
    expect(await sweep({})).toMatchObject({ reannounced: [], stuck: [] });
    Object.assign(repository.orders.get(order.orderId) as object, { sweepAt: new Date(NOW - 61_000).toISOString() });
    expect(await sweep({})).toMatchObject({ reannounced: [], stuck: [order.orderId] });
    expect(repository.orders.get(order.orderId)).toMatchObject({ sweepShard: 'STUCK', announcements: 10 });
  });

  it('takes its age, announcement bound, back-off cap and batch size from the environment', async () => {
    vi.stubEnv('SWEEP_OLDER_THAN_SECONDS', '10');
    vi.stubEnv('SWEEP_BATCH_LIMIT', '2');
    vi.stubEnv('SWEEP_MAX_ANNOUNCEMENTS', '1');
    vi.stubEnv('SWEEP_MAX_BACKOFF_SECONDS', '15');
    const orders = [pendingOrder(40), pendingOrder(30), pendingOrder(20), pendingOrder(5)];
    const [oldest, older, old, young] = orders as [Order, Order, Order, Order];
    const { repository, sweep } = setup(orders);
    // At most 2 a run, longest quiet first; 5 s is younger than 10 s.
    expect(await sweep({})).toMatchObject({ reannounced: [oldest.orderId, older.orderId], stuck: [] });
    expect(repository.orders.get(oldest.orderId)?.sweepAt).toBe(new Date(NOW + 5_000).toISOString()); // next period 15 s (capped), not 20 s
    expect(await sweep({})).toMatchObject({ reannounced: [old.orderId], stuck: [] });
    // Announced once already, the bound: the next time they are due they go to the stuck list.
    Object.assign(repository.orders.get(oldest.orderId) as object, { sweepAt: new Date(NOW - 11_000).toISOString() });
    expect(await sweep({})).toMatchObject({ reannounced: [], stuck: [oldest.orderId] });
    expect(repository.orders.get(young.orderId)?.announcements).toBeUndefined();
  });
});

describe('sweepPendingOrders: an operator', () => {
  it('{olderThanSeconds} narrows the age for this run only', async () => {
    const six = pendingOrder(6);
    const four = pendingOrder(4);
    const { sweep } = setup([six, four]);
    expect(await sweep({ olderThanSeconds: 5 })).toMatchObject({ reannounced: [six.orderId], stuck: [] });
    expect(await sweep({})).toMatchObject({ reannounced: [], stuck: [] }); // the default 60 s again
    expect(await sweep({ olderThanSeconds: 0 })).toMatchObject({ reannounced: [four.orderId], stuck: [] });
  });

  it('{stuck: "list"} lists the stuck orders, longest stuck first, a page at a time', async () => {
    const { repository, sweep } = setup([]);
    const [first, second, third] = await stuckOrders(repository, 3);
    const pending = pendingOrder(3600);
    await repository.create(pending); // PENDING but not stuck: not listed
    const page = await sweep({ stuck: 'list', limit: 2 });
    expect(page.stuck.map((s: { order: Order }) => s.order.orderId)).toEqual([first?.orderId, second?.orderId]);
    expect(page.stuck[0]).toEqual({
      order: expect.objectContaining({ status: 'PENDING' }),
      announcements: 0,
      stuckAt: new Date(NOW - 180_000).toISOString(),
    });
    expect(page.nextToken).toEqual(expect.any(String));
    const rest = await sweep({ stuck: 'list', limit: 2, nextToken: page.nextToken });
    expect(rest).toEqual({ stuck: [expect.objectContaining({ order: expect.objectContaining({ orderId: third?.orderId }) })] });
    expect((await sweep({ stuck: 'list' })).stuck).toHaveLength(3);
  });

  it('{redrive: [ids]} puts those stuck orders back in the sweep, announced now; says which were not stuck', async () => {
    const { repository, sweep } = setup([]);
    const [one, two] = await stuckOrders(repository, 2);
    const notStuck = pendingOrder(10);
    await repository.create(notStuck);
    expect(await sweep({ redrive: [one?.orderId, notStuck.orderId, 'no-such-order'] })).toEqual({
      redriven: [one?.orderId],
      notStuck: [notStuck.orderId, 'no-such-order'],
    });
    expect(repository.orders.get(one?.orderId as string)).toMatchObject({
      status: 'PENDING',
      announcements: 0,
      sweepShard: expect.stringMatching(/^SWEEP#/),
    });
    expect(repository.orders.get(two?.orderId as string)).toMatchObject({ sweepShard: 'STUCK' });
  });

  it('{redrive: "all"} re-drives every stuck order, past one page of the list', async () => {
    const { repository, sweep } = setup([]);
    const stuck = await stuckOrders(repository, 1001);
    const result = await sweep({ redrive: 'all' });
    expect(result.notStuck).toEqual([]);
    expect([...result.redriven].sort()).toEqual(stuck.map((o) => o.orderId).sort());
    expect((await sweep({ stuck: 'list' })).stuck).toEqual([]);
  });

  it.each([
    ['a misspelt field', { olderThan: 5 }],
    ['an empty re-drive list', { redrive: [] }],
    ['a re-drive of an empty id', { redrive: [''] }],
    ['an unknown re-drive word', { redrive: 'some' }],
    ['another stuck action', { stuck: 'all' }],
    ['a negative age', { olderThanSeconds: -1 }],
    ['an age that is not a whole number', { olderThanSeconds: '60' }],
    ['two actions at once', { olderThanSeconds: 5, redrive: 'all' }],
    ['a string', 'sweep'],
    ['an array', [{}]],
  ])('%s is refused with an error, and nothing is swept or re-driven', async (_, input) => {
    const { repository, sweep } = setup([pendingOrder(3600)]);
    await stuckOrders(repository, 1);
    const before = structuredClone([...repository.orders.entries()]);
    await expect(sweep(input)).rejects.toThrow(/invalid sweeper input/);
    expect([...repository.orders.entries()]).toEqual(before);
  });
});
