import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { transactWrite } from '../../shared/dynamodb.js';
import type { Page } from '../../shared/pagination.js';
import {
  initialSweepOf,
  orderPageTokens,
  STUCK_SHARD,
  stuckPageTokens,
  sweepCandidateOf,
  SWEEP_PREFIX,
  SWEEP_SHARDS,
  sweepShardOf,
} from './order-keys.js';
import { COMPENSATION_FIELDS, type Order, type OrderChange, type OrderStatus } from '../domain/order.js';
import type {
  ChangeResult,
  CreateOrderResult,
  IdempotencyClaim,
  OrderRepository,
  StuckOrder,
  SweepCandidate,
} from '../domain/order-service.js';

/**
 * Item layout in the orders table (generic keys):
 * - an order:             pk=ORDER#<orderId>  sk=ORDER                entity ORDER; the saga reaches it by id alone,
 *                         gsi1pk=USER#<userId> gsi1sk=ORDER#<orderId> (UserOrdersIndex: a user's orders, newest first),
 *                         sweepShard + sweepAt while not final (SweepIndex, sparse: what the sweeper reads; see below),
 *                         silent when its last write only recorded an acknowledgement (the outbox announces nothing)
 * - an idempotency claim: pk=USER#<userId>    sk=IDEMPOTENCY#<key>    entity IDEMPOTENCY, expiresAt (TTL)
 */
export const orderKey = (orderId: string) => ({
  pk: `ORDER#${orderId}`,
  sk: 'ORDER',
});
export const userOrdersKey = (userId: string, orderId: string) => ({
  gsi1pk: `USER#${userId}`,
  gsi1sk: `ORDER#${orderId}`,
});
export const idempotencyKey = (userId: string, key: string) => ({
  pk: `USER#${userId}`,
  sk: `IDEMPOTENCY#${key}`,
});

export const USER_ORDERS_INDEX = 'UserOrdersIndex';
/**
 * GET /orders?status=: every user's orders in one status, newest first (order ids sort by time). One partition
 * per status: its writes are the orders entering that status, far below a partition's 1,000 a second at this
 * shop's rates (past them: a status#shard key, read by merging the shards).
 */
export const STATUS_INDEX = 'StatusIndex';
/**
 * The sweeper's index, sparse: an order not final is in `SWEEP#<0-3>` (spread, so no one partition takes every
 * new order) keyed by `sweepAt`, the time its quiet period counts from (its creation, its payment's due time, its
 * cancellation; then each re-announcement plus the back-off); the sweeper reads only the due part, oldest first.
 * An order it gave up on moves to `STUCK` (with `stuckAt`), out of the sweep, listed for an operator. A final
 * order (PAID, SHIPPED, REJECTED, CANCELLED and compensated) leaves.
 */
export const SWEEP_INDEX = 'SweepIndex';

export interface OrderItem extends Order {
  pk: string;
  sk: string;
  entity: 'ORDER';
  gsi1pk: string;
  gsi1sk: string;
  sweepShard?: string;
  sweepAt?: string;
  announcements?: number;
  lastAnnouncedAt?: string;
  stuckAt?: string;
  silent?: boolean;
}

export function orderItemOf(order: Order): OrderItem {
  return {
    ...orderKey(order.orderId),
    entity: 'ORDER',
    ...userOrdersKey(order.userId, order.orderId),
    ...order,
    ...initialSweepOf(order),
  };
}

/** The order's own attributes, as the domain knows them (no keys, no bookkeeping). */
const ORDER_FIELDS = [
  'orderId',
  'userId',
  'productId',
  'qty',
  'status',
  'createdAt',
  'paymentMethod',
  'unitPrice',
  'totalPrice',
  'reason',
  'settledAt',
  'paymentDueAt',
  'paymentRequestedAt',
  'paidAt',
  'shippedAt',
  'cancelledAt',
  'cancelledFrom',
  'refundedAt',
  'stockReleasedAt',
  'paymentCancelAcknowledgedAt',
  'correlationId',
] as const satisfies ReadonlyArray<keyof Order>;

export function toOrder(item: Record<string, unknown>): Order {
  const order: Record<string, unknown> = {};
  for (const field of ORDER_FIELDS) if (item[field] !== undefined) order[field] = item[field];
  return order as unknown as Order;
}

/** A stored order and whether its last write announces anything (the outbox's reading of a stream image). */
export const imageOf = (item: Record<string, unknown>) => ({ order: toOrder(item), silent: item.silent === true });

export class DynamoDbOrderRepository implements OrderRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(order: Order, claim?: IdempotencyClaim): Promise<CreateOrderResult> {
    const put = {
      TableName: this.tableName,
      Item: orderItemOf(order),
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    if (!claim) {
      await this.client.send(new PutCommand(put));
      return { kind: 'created' };
    }
    const claimPut = {
      TableName: this.tableName,
      Item: {
        ...idempotencyKey(order.userId, claim.key),
        entity: 'IDEMPOTENCY',
        orderId: order.orderId,
        fingerprint: claim.fingerprint,
        expiresAt: claim.expiresAt,
      },
      // An expired claim may still be there (TTL deletes lazily): it no longer counts.
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeValues: { ':now': Math.floor(Date.now() / 1000) },
    };
    return transactWrite<CreateOrderResult>(this.client, [{ Put: put }, { Put: claimPut }], { kind: 'created' }, async ([, claimed]) => {
      if (claimed !== 'ConditionalCheckFailed') return undefined;
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: idempotencyKey(order.userId, claim.key), ConsistentRead: true }),
      );
      return Item && { kind: 'key-taken', orderId: Item.orderId as string, fingerprint: Item.fingerprint as string };
    });
  }

  async find(orderId: string): Promise<Order | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: orderKey(orderId),
        ConsistentRead: true,
      }),
    );
    return Item?.entity === 'ORDER' ? toOrder(Item) : undefined;
  }

  async get(userId: string, orderId: string): Promise<Order | undefined> {
    const order = await this.find(orderId);
    return order?.userId === userId ? order : undefined;
  }

  async list(userId: string, limit: number, nextToken?: string): Promise<Page<Order>> {
    const after = orderPageTokens.decode(nextToken)?.orderId as string | undefined;
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: USER_ORDERS_INDEX,
        KeyConditionExpression: 'gsi1pk = :user',
        ExpressionAttributeValues: { ':user': `USER#${userId}` },
        ScanIndexForward: false,
        Limit: limit + 1,
        ...(after
          ? {
              ExclusiveStartKey: {
                ...orderKey(after),
                ...userOrdersKey(userId, after),
              },
            }
          : {}),
      }),
    );
    const items = Items.slice(0, limit).map(toOrder);
    return Items.length > limit ? { items, nextToken: orderPageTokens.after(items[limit - 1] as Order) } : { items };
  }

  async listByStatus(status: OrderStatus, limit: number, nextToken?: string): Promise<Page<Order>> {
    const after = orderPageTokens.decode(nextToken)?.orderId as string | undefined;
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: STATUS_INDEX,
        KeyConditionExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status },
        ScanIndexForward: false,
        Limit: limit + 1,
        ...(after ? { ExclusiveStartKey: { ...orderKey(after), status, orderId: after } } : {}),
      }),
    );
    const items = Items.slice(0, limit).map(toOrder);
    return Items.length > limit ? { items, nextToken: orderPageTokens.after(items[limit - 1] as Order) } : { items };
  }

  async apply(orderId: string, change: OrderChange): Promise<ChangeResult> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {};
    const name = (field: string) => ((names[`#${field}`] = field), `#${field}`);
    const value = (key: string, v: unknown) => ((values[`:${key}`] = v), `:${key}`);
    const conditions = [`#status IN (${change.from.map((status, i) => value(`from${i}`, status)).join(', ')})`];
    for (const field of change.absent ?? []) conditions.push(`attribute_not_exists(${name(field)})`);
    for (const field of change.present ?? []) conditions.push(`attribute_exists(${name(field)})`);
    if (change.matches)
      conditions.push(`productId = ${value('productId', change.matches.productId)}`, `qty = ${value('qty', change.matches.qty)}`);
    const sets = Object.entries(change.set)
      .filter(([, v]) => v !== undefined)
      .map(([field, v]) => `${name(field)} = ${value(`set_${field}`, v)}`);
    const removes: string[] = [];
    if (change.sweep === 'leave') removes.push('sweepShard', 'sweepAt', 'stuckAt');
    else if (change.sweep !== 'keep') {
      sets.push(
        `sweepShard = ${value('shard', sweepShardOf(orderId))}`,
        `sweepAt = ${value('sweepAt', change.sweep.watchSince)}`,
        `announcements = ${value('zero', 0)}`,
      );
      removes.push('stuckAt');
    }
    // An acknowledgement is marked so the outbox announces nothing for it; any other write announces the order's state.
    if (change.announce) removes.push('silent');
    else sets.push(`silent = ${value('true', true)}`);
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKey(orderId),
          UpdateExpression: [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
            .join(' ')
            .trim(),
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          // Nothing written: the stored item says why, without a second read.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'changed', order: toOrder(Attributes as Record<string, unknown>) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const order = error.Item ? toOrder(unmarshall(error.Item)) : await this.find(orderId);
      return order ? { kind: 'unchanged', order } : { kind: 'missing' };
    }
  }

  async findDue(quietSince: string, limit: number): Promise<SweepCandidate[]> {
    const shards = await Promise.all(
      Array.from({ length: SWEEP_SHARDS }, (_, shard) =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: SWEEP_INDEX,
            KeyConditionExpression: 'sweepShard = :shard AND sweepAt < :since',
            ExpressionAttributeValues: { ':shard': `${SWEEP_PREFIX}${shard}`, ':since': quietSince },
            ProjectionExpression: `orderId, sweepAt, announcements, #status, ${COMPENSATION_FIELDS.join(', ')}`,
            ExpressionAttributeNames: { '#status': 'status' },
            Limit: limit,
          }),
        ),
      ),
    );
    return shards
      .flatMap((result) => (result.Items ?? []) as OrderItem[])
      .sort((a, b) => String(a.sweepAt).localeCompare(String(b.sweepAt)))
      .slice(0, limit)
      .map(sweepCandidateOf);
  }

  async reannounce(candidate: SweepCandidate, at: string, nextSweepAt: string): Promise<'reannounced' | 'skipped'> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKey(candidate.orderId),
          // The change itself makes the outbox announce the order's state again (the stream); a CONFIRMED order's
          // payment is requested now if it was not yet (its state is then announced as PaymentRequested).
          UpdateExpression:
            'SET announcements = :next, lastAnnouncedAt = :at, sweepAt = :sweepAt' +
            (candidate.status === 'CONFIRMED' ? ', paymentRequestedAt = if_not_exists(paymentRequestedAt, :at)' : '') +
            ' REMOVE silent',
          // As the sweep read it: a concurrent sweep, a step of the order or a redrive wins.
          ConditionExpression: asCandidateSays(candidate),
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':next': candidate.announcements + 1,
            ':at': at,
            ':sweepAt': nextSweepAt,
            ':seenStatus': candidate.status,
            ':sweep': SWEEP_PREFIX,
            ':seen': candidate.announcements,
          },
        }),
      );
      return 'reannounced';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'skipped';
      throw error;
    }
  }

  async markStuck(candidate: SweepCandidate, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKey(candidate.orderId),
          UpdateExpression: 'SET sweepShard = :stuck, sweepAt = :at, stuckAt = :at',
          ConditionExpression: asCandidateSays(candidate),
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':stuck': STUCK_SHARD,
            ':at': at,
            ':seenStatus': candidate.status,
            ':sweep': SWEEP_PREFIX,
            ':seen': candidate.announcements,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async listStuck(limit: number, nextToken?: string): Promise<Page<StuckOrder>> {
    const after = stuckPageTokens.decode(nextToken);
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: SWEEP_INDEX,
        KeyConditionExpression: 'sweepShard = :stuck',
        ExpressionAttributeValues: { ':stuck': STUCK_SHARD },
        Limit: limit + 1,
        ...(after ? { ExclusiveStartKey: { ...orderKey(String(after.orderId)), sweepShard: STUCK_SHARD, sweepAt: after.sweepAt } } : {}),
      }),
    );
    const items = Items.slice(0, limit);
    const page = items.map((item) => ({
      order: toOrder(item),
      announcements: (item.announcements as number | undefined) ?? 0,
      stuckAt: item.stuckAt as string,
    }));
    return Items.length > limit ? { items: page, nextToken: stuckPageTokens.after(items[limit - 1] as object) } : { items: page };
  }

  async redrive(orderId: string, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKey(orderId),
          // Back in the sweep with a fresh count; the change itself makes the outbox announce its state now.
          UpdateExpression: 'SET sweepShard = :shard, sweepAt = :at, announcements = :zero, lastAnnouncedAt = :at REMOVE stuckAt, silent',
          ConditionExpression: 'sweepShard = :stuck',
          ExpressionAttributeValues: {
            ':shard': sweepShardOf(orderId),
            ':at': at,
            ':zero': 0,
            ':stuck': STUCK_SHARD,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/** A sweep step's condition: the order is still in the candidate's status, watched, and announced as often as it says. */
function asCandidateSays(candidate: SweepCandidate): string {
  return (
    '#status = :seenStatus AND begins_with(sweepShard, :sweep) AND ' +
    (candidate.announcements === 0 ? '(attribute_not_exists(announcements) OR announcements = :seen)' : 'announcements = :seen')
  );
}
