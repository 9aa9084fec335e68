import type { Page } from '../../shared/pagination.js';
import {
  initialSweepOf,
  orderPageTokens,
  STUCK_SHARD,
  stuckPageTokens,
  sweepCandidateOf,
  SWEEP_PREFIX,
  sweepShardOf,
} from './order-keys.js';
import type {
  ChangeResult,
  CreateOrderResult,
  IdempotencyClaim,
  OrderRepository,
  StuckOrder,
  SweepCandidate,
} from '../domain/order-service.js';
import { meetsGuard, type Order, type OrderChange, type OrderStatus } from '../domain/order.js';

/** An order with the sweeper's and the outbox's bookkeeping, as the DynamoDB adapter stores it. */
export type StoredOrder = Order & {
  sweepShard?: string;
  sweepAt?: string;
  announcements?: number;
  lastAnnouncedAt?: string;
  stuckAt?: string;
  /** The last write only recorded an acknowledgement: the outbox announces nothing for it. */
  silent?: boolean;
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

  async find(orderId: string): Promise<Order | undefined> {
    const order = this.orders.get(orderId);
    return order && view(order);
  }

  async list(userId: string, limit: number, nextToken?: string): Promise<Page<Order>> {
    return this.newestFirst((o) => o.userId === userId, limit, nextToken);
  }

  async listByStatus(status: OrderStatus, limit: number, nextToken?: string): Promise<Page<Order>> {
    return this.newestFirst((o) => o.status === status, limit, nextToken);
  }

  /** The orders that match, newest first, a page after `nextToken` (as the adapter's index queries page). */
  private newestFirst(matches: (order: StoredOrder) => boolean, limit: number, nextToken?: string): Page<Order> {
    const after = orderPageTokens.decode(nextToken)?.orderId;
    const matching = [...this.orders.values()].filter((o) => matches(o) && (after === undefined || o.orderId < String(after)));
    matching.sort((a, b) => b.orderId.localeCompare(a.orderId));
    const items = matching.slice(0, limit).map(view);
    return matching.length > limit ? { items, nextToken: orderPageTokens.after(items[limit - 1] as Order) } : { items };
  }

  async apply(orderId: string, change: OrderChange): Promise<ChangeResult> {
    const order = this.orders.get(orderId);
    if (!order) return { kind: 'missing' };
    if (!meetsGuard(view(order), change)) return { kind: 'unchanged', order: view(order) };
    Object.assign(order, change.set);
    if (change.sweep === 'leave') {
      delete order.sweepShard;
      delete order.sweepAt;
      delete order.stuckAt;
    } else if (change.sweep !== 'keep') {
      Object.assign(order, { sweepShard: sweepShardOf(orderId), sweepAt: change.sweep.watchSince, announcements: 0 });
      delete order.stuckAt;
    }
    if (change.announce) delete order.silent;
    else order.silent = true;
    return { kind: 'changed', order: view(order) };
  }

  async findDue(quietSince: string, limit: number): Promise<SweepCandidate[]> {
    return [...this.orders.values()]
      .filter((o) => o.sweepShard?.startsWith(SWEEP_PREFIX) && (o.sweepAt as string) < quietSince)
      .sort((a, b) => (a.sweepAt as string).localeCompare(b.sweepAt as string))
      .slice(0, limit)
      .map(sweepCandidateOf);
  }

  /** The adapter's condition for a sweep step: still in the candidate's status, watched, announced as often as it says. */
  private asCandidateSays(candidate: SweepCandidate): StoredOrder | undefined {
    const order = this.orders.get(candidate.orderId);
    return order?.status === candidate.status &&
      order.sweepShard?.startsWith(SWEEP_PREFIX) &&
      (order.announcements ?? 0) === candidate.announcements
      ? order
      : undefined;
  }

  async reannounce(candidate: SweepCandidate, at: string, nextSweepAt: string): Promise<'reannounced' | 'skipped'> {
    const order = this.asCandidateSays(candidate);
    if (!order) return 'skipped';
    Object.assign(order, { announcements: candidate.announcements + 1, lastAnnouncedAt: at, sweepAt: nextSweepAt });
    if (order.status === 'CONFIRMED') order.paymentRequestedAt ??= at;
    delete order.silent;
    return 'reannounced';
  }

  async markStuck(candidate: SweepCandidate, at: string): Promise<boolean> {
    const order = this.asCandidateSays(candidate);
    if (!order) return false;
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
    if (order?.sweepShard !== STUCK_SHARD) return false;
    Object.assign(order, { sweepShard: sweepShardOf(orderId), sweepAt: at, announcements: 0, lastAnnouncedAt: at });
    delete order.stuckAt;
    delete order.silent;
    return true;
  }
}

function stored(order: Order): StoredOrder {
  return { ...order, ...initialSweepOf(order) };
}

/** The order alone, without the sweeper's and the outbox's bookkeeping (what the adapter's toOrder gives). */
function view(order: StoredOrder): Order {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { sweepShard, sweepAt, announcements, lastAnnouncedAt, stuckAt, silent, ...rest } = order;
  return { ...rest };
}
