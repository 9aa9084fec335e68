import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../shared/domain-errors.js';
import { InMemoryOrderRepository } from '../adapters/in-memory-order-repository.js';
import { newOrderId } from './order-id.js';
import { MismatchedOutcomeError, OrderService, UnknownOrderError, fingerprintOf, quietPeriodSeconds } from './order-service.js';

function setup(start = Date.UTC(2026, 2, 1, 10)) {
  let now = start;
  const repo = new InMemoryOrderRepository([], () => Math.floor(now / 1000));
  const service = new OrderService(repo, () => new Date(now), newOrderId);
  return { repo, service, advance: (ms: number) => (now += ms) };
}

const place = {
  userId: 'u1',
  productId: 'CATALOG-001',
  qty: 2,
  correlationId: 'c1',
};

describe('placing an order', () => {
  it('stores a PENDING order with a time-sortable id and the request correlation id', async () => {
    const { service, repo } = setup();
    const order = await service.place({
      ...place,
      requestBody: { productId: 'CATALOG-001', qty: 2 },
    });
    expect(order).toMatchObject({
      userId: 'u1',
      productId: 'CATALOG-001',
      qty: 2,
      status: 'PENDING',
      correlationId: 'c1',
      createdAt: '2026-03-01T10:00:00.000Z',
    });
    expect(await repo.get(order.userId, order.orderId)).toEqual(order);
  });

  it('with an Idempotency-Key, a repeat with the same body returns the same order and stores nothing', async () => {
    const { service, repo, advance } = setup();
    const first = await service.place({
      ...place,
      idempotencyKey: 'k1',
      requestBody: { productId: 'CATALOG-001', qty: 2 },
    });
    advance(5_000);
    const again = await service.place({
      ...place,
      idempotencyKey: 'k1',
      requestBody: { qty: 2, productId: 'CATALOG-001' },
    });
    expect(again.orderId).toBe(first.orderId);
    expect(repo.orders.size).toBe(1);
  });

  it('the same key with another body is a conflict, IDEMPOTENCY_KEY_REUSED', async () => {
    const { service } = setup();
    await service.place({
      ...place,
      idempotencyKey: 'k1',
      requestBody: { productId: 'CATALOG-001', qty: 2 },
    });
    const error = await service
      .place({
        ...place,
        qty: 3,
        idempotencyKey: 'k1',
        requestBody: { productId: 'CATALOG-001', qty: 3 },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('keys are per user and expire after 24 h', async () => {
    const { service, repo, advance } = setup();
    const a = await service.place({
      ...place,
      idempotencyKey: 'k1',
      requestBody: { productId: 'CATALOG-001', qty: 2 },
    });
    const b = await service.place({
      ...place,
      userId: 'u2',
      idempotencyKey: 'k1',
      requestBody: { productId: 'CATALOG-001', qty: 2 },
    });
    expect(b.orderId).not.toBe(a.orderId);
    advance(24 * 3600 * 1000 + 1000);
    const c = await service.place({
      ...place,
      idempotencyKey: 'k1',
      requestBody: { productId: 'CATALOG-001', qty: 2 },
    });
    expect(c.orderId).not.toBe(a.orderId);
    expect(repo.orders.size).toBe(3);
  });

  it('fingerprints ignore key order but not values', () => {
    expect(fingerprintOf({ a: 1, b: 'x' })).toBe(fingerprintOf({ b: 'x', a: 1 }));
    expect(fingerprintOf({ a: 1 })).not.toBe(fingerprintOf({ a: 2 }));
    expect(fingerprintOf({ a: 1 })).not.toBe(fingerprintOf({ a: 1, unitPrice: 5 }));
  });
});

describe('settling an order with the catalog answer', () => {
  async function pendingOrder() {
    const s = setup();
    const order = await s.service.place({ ...place, requestBody: {} });
    return { ...s, order };
  }

  it('StockReserved confirms it with the catalog price and total = qty x unitPrice', async () => {
    const { service, order, repo } = await pendingOrder();
    const result = await service.settle({
      orderId: order.orderId,
      productId: 'CATALOG-001',
      qty: 2,
      outcome: { kind: 'RESERVED', unitPrice: 1500 },
    });
    expect(result.kind).toBe('applied');
    expect(repo.orders.get(order.orderId)).toMatchObject({
      status: 'CONFIRMED',
      unitPrice: 1500,
      totalPrice: 3000,
      settledAt: '2026-03-01T10:00:00.000Z',
      // The default grace period: 60 s.
      paymentDueAt: '2026-03-01T10:01:00.000Z',
    });
  });

  it('StockRejected rejects it with the reason', async () => {
    const { service, order, repo } = await pendingOrder();
    await service.settle({
      orderId: order.orderId,
      productId: 'CATALOG-001',
      qty: 2,
      outcome: { kind: 'REJECTED', reason: 'UNKNOWN_PRODUCT' },
    });
    expect(repo.orders.get(order.orderId)).toMatchObject({
      status: 'REJECTED',
      reason: 'UNKNOWN_PRODUCT',
    });
    expect(repo.orders.get(order.orderId)?.unitPrice).toBeUndefined();
  });

  it('a repeated answer changes nothing; a different later answer does not override the first', async () => {
    const { service, order, repo, advance } = await pendingOrder();
    const answer = {
      orderId: order.orderId,
      productId: 'CATALOG-001',
      qty: 2,
      outcome: { kind: 'RESERVED', unitPrice: 1500 },
    } as const;
    await service.settle(answer);
    const settled = repo.orders.get(order.orderId);
    advance(1000);
    expect((await service.settle(answer)).kind).toBe('duplicate');
    expect(
      (
        await service.settle({
          ...answer,
          outcome: { kind: 'REJECTED', reason: 'OUT_OF_STOCK' },
        })
      ).kind,
    ).toBe('ignored');
    expect(repo.orders.get(order.orderId)).toEqual(settled);
  });

  it('an answer for an unknown order or another product/qty is an error (the message fails, ends in the DLQ)', async () => {
    const { service, order } = await pendingOrder();
    await expect(
      service.settle({
        orderId: 'nope',
        productId: 'CATALOG-001',
        qty: 2,
        outcome: { kind: 'RESERVED', unitPrice: 1 },
      }),
    ).rejects.toBeInstanceOf(UnknownOrderError);
    await expect(
      service.settle({
        orderId: order.orderId,
        productId: 'CATALOG-002',
        qty: 2,
        outcome: { kind: 'RESERVED', unitPrice: 1 },
      }),
    ).rejects.toBeInstanceOf(MismatchedOutcomeError);
    await expect(
      service.settle({
        orderId: order.orderId,
        productId: 'CATALOG-001',
        qty: 3,
        outcome: { kind: 'RESERVED', unitPrice: 1 },
      }),
    ).rejects.toBeInstanceOf(MismatchedOutcomeError);
  });
});

describe('sweeping PENDING orders', () => {
  const options = { olderThanSeconds: 60, maxAnnouncements: 2, maxBackoffSeconds: 60, limit: 10 };
  const pendingOnly = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, 'PENDING']));

  it('re-announces only orders quiet past the age, and moves an order to the stuck list after the maximum', async () => {
    const { service, repo, advance } = setup();
    const old = await service.place({ ...place, requestBody: {} });
    advance(120_000);
    const fresh = await service.place({ ...place, requestBody: {} });
    const rejected = await service.place({ ...place, requestBody: {} });
    await service.settle({
      orderId: rejected.orderId,
      productId: 'CATALOG-001',
      qty: 2,
      outcome: { kind: 'REJECTED', reason: 'OUT_OF_STOCK' },
    });

    expect(await service.sweepPending(options)).toEqual({ reannounced: [old.orderId], stuck: [], statuses: pendingOnly([old.orderId]) });
    // Quiet again for its period: announced once more, then given up on.
    expect(await service.sweepPending(options)).toEqual({ reannounced: [], stuck: [], statuses: {} });
    advance(61_000);
    expect(await service.sweepPending(options)).toEqual({
      reannounced: [old.orderId, fresh.orderId],
      stuck: [],
      statuses: pendingOnly([old.orderId, fresh.orderId]),
    });
    advance(61_000);
    expect(await service.sweepPending(options)).toEqual({
      reannounced: [fresh.orderId],
      stuck: [old.orderId],
      statuses: pendingOnly([fresh.orderId, old.orderId]),
    });
    expect((await service.listStuck(10)).items.map((s) => s.order.orderId)).toEqual([old.orderId]);
    expect(repo.orders.get(old.orderId)?.status).toBe('PENDING');
  });

  it('a cancelled order whose payment was requested: re-announced while payments has not answered the cancel, let go once it has', async () => {
    const { service, repo, advance } = setup();
    const { orderId } = await service.place({ ...place, requestBody: {} });
    await service.settle({ orderId, productId: 'CATALOG-001', qty: 2, outcome: { kind: 'RESERVED', unitPrice: 100 } });
    advance(60_000);
    await service.requestPayment(orderId, repo.orders.get(orderId)?.paymentDueAt as string);
    await service.cancel('u1', orderId);
    await service.acknowledgeStockRelease(orderId);
    advance(61_000);
    expect(await service.sweepPending(options)).toEqual({ reannounced: [orderId], stuck: [], statuses: { [orderId]: 'CANCELLED' } });
    // Payments' answer recorded by a write that left the order in the sweep: the next run lets it go, announcing nothing.
    await repo.apply(orderId, {
      from: ['CANCELLED'],
      set: { paymentCancelAcknowledgedAt: new Date().toISOString() },
      sweep: 'keep',
      announce: false,
    });
    advance(121_000);
    expect(await service.sweepPending(options)).toEqual({ reannounced: [], stuck: [], statuses: {} });
    expect(repo.orders.get(orderId)).not.toHaveProperty('sweepShard');
  });

  it('a redriven order is announced at once and swept again from a fresh count', async () => {
    const { service, repo, advance } = setup();
    const order = await service.place({ ...place, requestBody: {} });
    await repo.markStuck({ orderId: order.orderId, status: 'PENDING', announcements: 0 }, new Date().toISOString());
    expect(await service.redriveStuck([order.orderId, 'not-stuck'])).toEqual({ redriven: [order.orderId], notStuck: ['not-stuck'] });
    expect(repo.orders.get(order.orderId)).toMatchObject({ announcements: 0, sweepShard: expect.stringMatching(/^SWEEP#/) });
    advance(61_000);
    expect((await service.sweepPending(options)).reannounced).toEqual([order.orderId]);
  });

  it.each([
    [0, 60],
    [1, 120],
    [2, 240],
    [4, 900],
    [30, 900],
  ])('waits, after %i announcements, %i s before the next (60 s doubled, at most 900)', (announcements, seconds) => {
    expect(quietPeriodSeconds(announcements, { olderThanSeconds: 60, maxBackoffSeconds: 900 })).toBe(seconds);
  });
});
