import type { Page } from '../../shared/pagination.js';
import { orderPageTokens, STUCK_SHARD, stuckPageTokens, SWEEP_PREFIX, sweepShardOf } from './order-keys.js';
import type {
  ApplySettlementResult,
  CreateOrderResult,
  IdempotencyClaim,
  OrderRepository,
  StuckOrder,
  SweepCandidate,
} from '../domain/order-service.js';
import type { Order, OrderStatus, Settlement } from '../domain/order.js';

/** An order with the sweeper's bookkeeping, as the DynamoDB adapter stores it. */
export type StoredOrder = Order & {
  sweepShard?: string;
  sweepAt?: string;
  announcements?: number;
  lastAnnouncedAt?: string;
  stuckAt?: string;
};

/**
 * The orders port in memory, for unit tests: the DynamoDB adapter's conditions, checked by the same
 * contract suite (order-repository.contract.ts) against both. `nowSeconds` is the clock an expired
 * Idempotency-Key claim is judged by (the adapter uses the wall clock).
 */
export class InMemoryOrderRepository implements OrderRepository {
  readonly orders = new Map<string, StoredOrder>();
  readonly claims = new Map<string, { orderId: string; fingerprint: string; expiresAt: number }>();

  constructor(
    orders: readonly Order[] = [],
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    for (const order of orders) this.orders.set(order.orderId, stored(order));
  }

  async create(order: Order, claim?: IdempotencyClaim): Promise<CreateOrderResult> {
    if (this.orders.has(order.orderId)) throw new Error(`order ${order.orderId} exists`);
    const claimKey = claim && `${order.userId}/${claim.key}`;
    const held = claimKey ? this.claims.get(claimKey) : undefined;
    // An expired claim no longer counts (the adapter's `expiresAt < :now`).
    if (held && held.expiresAt >= this.nowSeconds()) return { kind: 'key-taken', orderId: held.orderId, fingerprint: held.fingerprint };
    this.orders.set(order.orderId, stored(order));
    if (claim && claimKey)
      this.claims.set(claimKey, { orderId: order.orderId, fingerprint: claim.fingerprint, expiresAt: claim.expiresAt });
    return { kind: 'created' };
  }

  async get(userId: string, orderId: string): Promise<Order | undefined> {
    const order = this.orders.get(orderId);
    return order && order.userId === userId ? view(order) : undefined;
  }

  async list(userId: string, limit: number, nextToken?: string): Promise<Page<Order>> {
    const after = orderPageTokens.decode(nextToken)?.orderId;
    const mine = [...this.orders.values()].filter((o) => o.userId === userId && (after === undefined || o.orderId < String(after)));
    mine.sort((a, b) => b.orderId.localeCompare(a.orderId));
    const items = mine.slice(0, limit).map(view);
    return mine.length > limit ? { items, nextToken: orderPageTokens.after(items[limit - 1] as Order) } : { items };
  }

  async listByStatus(status: OrderStatus, limit: number, nextToken?: string): Promise<Page<Order>> {
    const after = orderPageTokens.decode(nextToken)?.orderId;
    const matching = [...this.orders.values()].filter((o) => o.status === status && (after === undefined || o.orderId < String(after)));
    matching.sort((a, b) => b.orderId.localeCompare(a.orderId));
    const items = matching.slice(0, limit).map(view);
    return matching.length > limit ? { items, nextToken: orderPageTokens.after(items[limit - 1] as Order) } : { items };
  }

  async applySettlement(
    orderId: string,
    expected: { productId: string; qty: number },
    settlement: Settlement,
  ): Promise<ApplySettlementResult> {
    const order = this.orders.get(orderId);
    if (!order) return { kind: 'missing' };
    if (order.productId !== expected.productId || order.qty !== expected.qty) return { kind: 'mismatched', order: view(order) };
    if (order.status !== 'PENDING') return { kind: 'not-pending', order: view(order) };
    const settled: StoredOrder = { ...order, ...settlement };
    delete settled.sweepShard;
    delete settled.sweepAt;
    this.orders.set(orderId, settled);
    return { kind: 'settled', order: view(settled) };
  }

  async findDue(quietSince: string, limit: number): Promise<SweepCandidate[]> {
    return [...this.orders.values()]
      .filter((o) => o.sweepShard?.startsWith(SWEEP_PREFIX) && (o.sweepAt as string) < quietSince)
      .sort((a, b) => (a.sweepAt as string).localeCompare(b.sweepAt as string))
      .slice(0, limit)
      .map((o) => ({ orderId: o.orderId, announcements: o.announcements ?? 0 }));
  }

  async reannounce(candidate: SweepCandidate, at: string, nextSweepAt: string): Promise<'reannounced' | 'skipped'> {
    const order = this.orders.get(candidate.orderId);
    if (
      order?.status !== 'PENDING' ||
      !order.sweepShard?.startsWith(SWEEP_PREFIX) ||
      (order.announcements ?? 0) !== candidate.announcements
    )
      return 'skipped';
    Object.assign(order, { announcements: candidate.announcements + 1, lastAnnouncedAt: at, sweepAt: nextSweepAt });
    return 'reannounced';
  }

  async markStuck(orderId: string, at: string): Promise<boolean> {
    const order = this.orders.get(orderId);
    if (order?.status !== 'PENDING' || !order.sweepShard?.startsWith(SWEEP_PREFIX)) return false;
    Object.assign(order, { sweepShard: STUCK_SHARD, sweepAt: at, stuckAt: at });
    return true;
  }

  async listStuck(limit: number, nextToken?: string): Promise<Page<StuckOrder>> {
    const after = stuckPageTokens.decode(nextToken);
    const key = (o: StoredOrder) => `${o.sweepAt}/${o.orderId}`;
    const stuck = [...this.orders.values()]
      .filter((o) => o.sweepShard === STUCK_SHARD && (!after || key(o) > `${after.sweepAt}/${after.orderId}`))
      .sort((a, b) => key(a).localeCompare(key(b)));
    const items = stuck.slice(0, limit);
    const page = items.map((o) => ({ order: view(o), announcements: o.announcements ?? 0, stuckAt: o.stuckAt as string }));
    return stuck.length > limit ? { items: page, nextToken: stuckPageTokens.after(items[limit - 1] as StoredOrder) } : { items: page };
  }

  async redrive(orderId: string, at: string): Promise<boolean> {
    const order = this.orders.get(orderId);
    if (order?.status !== 'PENDING' || order.sweepShard !== STUCK_SHARD) return false;
    Object.assign(order, { sweepShard: sweepShardOf(orderId), sweepAt: at, announcements: 0, lastAnnouncedAt: at });
    delete order.stuckAt;
    return true;
  }
}

function stored(order: Order): StoredOrder {
  return order.status === 'PENDING' ? { ...order, sweepShard: sweepShardOf(order.orderId), sweepAt: order.createdAt } : { ...order };
}

/** The order alone, without the sweeper's bookkeeping (what the adapter's toOrder gives). */
function view(order: StoredOrder): Order {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { sweepShard, sweepAt, announcements, lastAnnouncedAt, stuckAt, ...rest } = order;
  return { ...rest };
}
