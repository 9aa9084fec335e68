/**
 * The orders port's storage shapes that both adapters keep (the DynamoDB one and the in-memory fake): the sweep's
 * partitions and the page tokens. One definition, so the fake cannot drift from the adapter's layout. No SDK here.
 */
import { PageTokens } from '../../shared/pagination.js';
import { ORDER_ID_PATTERN, orderIdShard } from '../domain/order-id.js';

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
