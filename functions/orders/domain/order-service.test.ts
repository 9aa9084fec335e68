import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../shared/domain-errors.js';
import { PageTokens, type Page } from '../../shared/pagination.js';
import { newOrderId } from './order-id.js';
import {
  MismatchedOutcomeError,
  OrderService,
  UnknownOrderError,
  fingerprintOf,
  type CreateOrderResult,
  type IdempotencyClaim,
  type OrderRepository,
  type ApplySettlementResult,
} from './order-service.js';
import type { Order, Settlement } from './order.js';

const pageTokens = new PageTokens(['orderId']);

/** An in-memory OrderRepository with the same conditional semantics as the DynamoDB adapter. */
class InMemoryOrders implements OrderRepository {
  orders = new Map<string, Order & { announcements?: number }>();
  claims = new Map<string, { orderId: string; fingerprint: string; expiresAt: number }>();
  constructor(private readonly nowSeconds: () => number) {}

  async create(order: Order, claim?: IdempotencyClaim): Promise<CreateOrderResult> {
    const claimKey = claim && `${order.userId}/${claim.key}`;
    const held = claimKey ? this.claims.get(claimKey) : undefined;
    if (held && held.expiresAt >= this.nowSeconds())
      return {
        kind: 'key-taken',
        orderId: held.orderId,
        fingerprint: held.fingerprint,
      };
    this.orders.set(order.orderId, { ...order });
    if (claim && claimKey)
      this.claims.set(claimKey, {
        orderId: order.orderId,
        fingerprint: claim.fingerprint,
        expiresAt: claim.expiresAt,
      });
    return { kind: 'created' };
  }
  async get(userId: string, orderId: string) {
    const order = this.orders.get(orderId);
    return order && order.userId === userId ? { ...order } : undefined;
  }
  async list(userId: string, limit: number, nextToken?: string): Promise<Page<Order>> {
    const all = [...this.orders.values()].filter((o) => o.userId === userId).sort((a, b) => b.orderId.localeCompare(a.orderId));
    const after = pageTokens.decode(nextToken)?.orderId;
    const start = after ? all.findIndex((o) => o.orderId === after) + 1 : 0;
    const items = all.slice(start, start + limit);
    return start + limit < all.length ? { items, nextToken: pageTokens.after(items[limit - 1]!) } : { items };
  }
  async applySettlement(
    orderId: string,
    expected: { productId: string; qty: number },
    settlement: Settlement,
  ): Promise<ApplySettlementResult> {
    const order = this.orders.get(orderId);
    if (!order) return { kind: 'missing' };
    if (order.productId !== expected.productId || order.qty !== expected.qty) return { kind: 'mismatched', order: { ...order } };
    if (order.status !== 'PENDING') return { kind: 'not-pending', order: { ...order } };
    const settled = { ...order, ...settlement };
    this.orders.set(orderId, settled);
    return { kind: 'settled', order: { ...settled } };
  }
  async findPending(createdBefore: string, limit: number) {
    return [...this.orders.values()].filter((o) => o.status === 'PENDING' && o.createdAt < createdBefore).slice(0, limit);
  }
  async reannounce(order: Order, _at: string, max: number) {
    const stored = this.orders.get(order.orderId);
    if (stored?.status !== 'PENDING') return 'settled' as const;
    if ((stored.announcements ?? 0) >= max) return 'exhausted' as const;
    stored.announcements = (stored.announcements ?? 0) + 1;
    return 'reannounced' as const;
  }
}

function setup(start = Date.UTC(2026, 2, 1, 10)) {
  let now = start;
  const repo = new InMemoryOrders(() => Math.floor(now / 1000));
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
    expect(repo.orders.get(order.orderId)).toEqual(order);
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
    expect(result.kind).toBe('settled');
    expect(repo.orders.get(order.orderId)).toMatchObject({
      status: 'CONFIRMED',
      unitPrice: 1500,
      totalPrice: 3000,
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
    ).toBe('conflicting');
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
  it('re-announces only orders older than the cutoff, and reports an order stuck after the maximum', async () => {
    const { service, repo, advance } = setup();
    const old = await service.place({ ...place, requestBody: {} });
    advance(120_000);
    const fresh = await service.place({ ...place, requestBody: {} });
    const settled = await service.place({ ...place, requestBody: {} });
    await service.settle({
      orderId: settled.orderId,
      productId: 'CATALOG-001',
      qty: 2,
      outcome: { kind: 'RESERVED', unitPrice: 1 },
    });

    expect(
      await service.sweepPending({
        olderThanSeconds: 60,
        maxAnnouncements: 2,
        limit: 10,
      }),
    ).toEqual({ reannounced: [old.orderId], stuck: [] });
    await service.sweepPending({
      olderThanSeconds: 60,
      maxAnnouncements: 2,
      limit: 10,
    });
    expect(
      await service.sweepPending({
        olderThanSeconds: 60,
        maxAnnouncements: 2,
        limit: 10,
      }),
    ).toEqual({ reannounced: [], stuck: [old.orderId] });
    expect(repo.orders.get(fresh.orderId)?.status).toBe('PENDING');
    advance(61_000);
    const later = await service.sweepPending({
      olderThanSeconds: 60,
      maxAnnouncements: 2,
      limit: 10,
    });
    expect(later.reannounced).toEqual([fresh.orderId]);
  });
});
