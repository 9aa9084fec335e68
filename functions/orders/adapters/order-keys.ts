/**
 * The orders port's storage shapes that both adapters keep (the DynamoDB one and the in-memory fake): the sweep's
 * partitions, where an order enters them, and the page tokens. One definition, so the fake cannot drift from the adapter's layout. No SDK here.
 */
import { PageTokens } from '../../shared/pagination.js';
import { ORDER_ID_PATTERN, orderIdShard } from '../domain/order-id.js';
import { COMPENSATION_FIELDS, isFinal, type Order } from '../domain/order.js';
import type { SweepCandidate } from '../domain/order-service.js';

export const SWEEP_SHARDS = 4;
export const SWEEP_PREFIX = 'SWEEP#';
export const STUCK_SHARD = 'STUCK';
export const sweepShardOf = (orderId: string) => `${SWEEP_PREFIX}${orderIdShard(orderId, SWEEP_SHARDS)}`;

/** A user's order list (and a status's) goes on after an order id; the partition is always the caller's, whatever the token says. */
export const orderPageTokens = new PageTokens(['orderId'], ({ orderId }) => typeof orderId === 'string' && ORDER_ID_PATTERN.test(orderId));

/** The stuck list goes on after an order's place in it. */
export const stuckPageTokens = new PageTokens(
  ['orderId', 'sweepAt'],
  ({ orderId, sweepAt }) => typeof orderId === 'string' && ORDER_ID_PATTERN.test(orderId) && typeof sweepAt === 'string',
);

/**
 * Where a stored order first stands in the sweep: a PENDING order from its creation, a CONFIRMED one from its
 * payment's due time, a CANCELLED one not yet compensated from its cancellation; any other is not watched.
 * (Later writes move it: each step's `sweep`.)
 */
export function initialSweepOf(order: Order): { sweepShard: string; sweepAt: string } | Record<string, never> {
  if (isFinal(order)) return {};
  const since = order.status === 'PENDING' ? order.createdAt : order.status === 'CONFIRMED' ? order.paymentDueAt : order.cancelledAt;
  return since === undefined ? {} : { sweepShard: sweepShardOf(order.orderId), sweepAt: since };
}

/** A watched order as the sweep reads it: its status, its compensations as far as set, and its re-announcements so far. */
export function sweepCandidateOf(order: Order & { announcements?: number }): SweepCandidate {
  const candidate: SweepCandidate = { orderId: order.orderId, status: order.status, announcements: order.announcements ?? 0 };
  for (const field of COMPENSATION_FIELDS) if (order[field] !== undefined) candidate[field] = order[field];
  return candidate;
}
