import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { transactWrite } from '../../shared/dynamodb.js';
import type { Page } from '../../shared/pagination.js';
import { orderPageTokens, STUCK_SHARD, stuckPageTokens, SWEEP_PREFIX, SWEEP_SHARDS, sweepShardOf } from './order-keys.js';
import type { Order, OrderStatus, Settlement } from '../domain/order.js';
import type {
  ApplySettlementResult,
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
 *                         sweepShard + sweepAt while PENDING (SweepIndex, sparse: what the sweeper reads; see below)
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
 * The sweeper's index, sparse: a PENDING order is in `SWEEP#<0-3>` (spread, so no one partition takes every
 * new order) keyed by `sweepAt`, the time its quiet period counts from (its creation, then each
 * re-announcement plus the back-off); the sweeper reads only the due part, oldest first. An order it gave up
 * on moves to `STUCK` (with `stuckAt`), out of the sweep, listed for an operator. A settled order leaves.
 */
export const SWEEP_INDEX = 'SweepIndex';
export { orderPageTokens, STUCK_SHARD, SWEEP_SHARDS, sweepShardOf } from './order-keys.js';

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
}

export function orderItemOf(order: Order): OrderItem {
  return {
    ...orderKey(order.orderId),
    entity: 'ORDER',
    ...userOrdersKey(order.userId, order.orderId),
    ...order,
    ...(order.status === 'PENDING' ? { sweepShard: sweepShardOf(order.orderId), sweepAt: order.createdAt } : {}),
  };
}

export function toOrder(item: Record<string, unknown>): Order {
  const { orderId, userId, productId, qty, status, createdAt, unitPrice, totalPrice, reason, settledAt, correlationId } =
    item as unknown as OrderItem;
  const order: Order = {
    orderId,
    userId,
    productId,
    qty,
    status,
    createdAt,
    correlationId,
  };
  if (unitPrice !== undefined) order.unitPrice = unitPrice;
  if (totalPrice !== undefined) order.totalPrice = totalPrice;
  if (reason !== undefined) order.reason = reason;
  if (settledAt !== undefined) order.settledAt = settledAt;
  return order;
}

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

  private async byId(orderId: string): Promise<Order | undefined> {
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
    const order = await this.byId(orderId);
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

  async applySettlement(
    orderId: string,
    expected: { productId: string; qty: number },
    settlement: Settlement,
  ): Promise<ApplySettlementResult> {
    const values: Record<string, unknown> = {
      ':status': settlement.status,
      ':settledAt': settlement.settledAt,
      ':pending': 'PENDING',
      ':productId': expected.productId,
      ':qty': expected.qty,
    };
    const sets = ['#status = :status', 'settledAt = :settledAt'];
    if (settlement.status === 'CONFIRMED') {
      sets.push('unitPrice = :unitPrice', 'totalPrice = :totalPrice');
      values[':unitPrice'] = settlement.unitPrice;
      values[':totalPrice'] = settlement.totalPrice;
    } else {
      sets.push('reason = :reason');
      values[':reason'] = settlement.reason;
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const { Attributes } = await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: orderKey(orderId),
            UpdateExpression: `SET ${sets.join(', ')} REMOVE sweepShard, sweepAt`,
            ConditionExpression: '#status = :pending AND productId = :productId AND qty = :qty',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return {
          kind: 'settled',
          order: toOrder(Attributes as Record<string, unknown>),
        };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      // Nothing written: say why (the rare path, so a read is fine).
      const order = await this.byId(orderId);
      if (!order) return { kind: 'missing' };
      if (order.productId !== expected.productId || order.qty !== expected.qty) return { kind: 'mismatched', order };
      if (order.status !== 'PENDING') return { kind: 'not-pending', order };
    }
    throw new Error(`order ${orderId} could not be settled`);
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
            ProjectionExpression: 'orderId, sweepAt, announcements',
            Limit: limit,
          }),
        ),
      ),
    );
    return shards
      .flatMap((result) => (result.Items ?? []) as Array<Pick<OrderItem, 'orderId' | 'sweepAt' | 'announcements'>>)
      .sort((a, b) => String(a.sweepAt).localeCompare(String(b.sweepAt)))
      .slice(0, limit)
      .map(({ orderId, announcements }) => ({ orderId, announcements: announcements ?? 0 }));
  }

  async reannounce(candidate: SweepCandidate, at: string, nextSweepAt: string): Promise<'reannounced' | 'skipped'> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKey(candidate.orderId),
          // Any change of a PENDING order is announced again by the outbox (the stream).
          UpdateExpression: 'SET announcements = :next, lastAnnouncedAt = :at, sweepAt = :sweepAt',
          // As the sweep read it: a concurrent sweep, a settlement or a redrive wins.
          ConditionExpression:
            '#status = :pending AND begins_with(sweepShard, :sweep) AND ' +
            (candidate.announcements === 0 ? '(attribute_not_exists(announcements) OR announcements = :seen)' : 'announcements = :seen'),
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':next': candidate.announcements + 1,
            ':at': at,
            ':sweepAt': nextSweepAt,
            ':pending': 'PENDING',
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

  async markStuck(orderId: string, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKey(orderId),
          UpdateExpression: 'SET sweepShard = :stuck, sweepAt = :at, stuckAt = :at',
          ConditionExpression: '#status = :pending AND begins_with(sweepShard, :sweep)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':stuck': STUCK_SHARD, ':at': at, ':pending': 'PENDING', ':sweep': SWEEP_PREFIX },
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
          // Back in the sweep with a fresh count; the change itself makes the outbox announce it now.
          UpdateExpression: 'SET sweepShard = :shard, sweepAt = :at, announcements = :zero, lastAnnouncedAt = :at REMOVE stuckAt',
          ConditionExpression: '#status = :pending AND sweepShard = :stuck',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':shard': sweepShardOf(orderId),
            ':at': at,
            ':zero': 0,
            ':pending': 'PENDING',
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
