import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { transactWrite } from '../../shared/dynamodb.js';
import { PageTokens, type Page } from '../../shared/pagination.js';
import { ORDER_ID_PATTERN, orderIdShard } from '../domain/order-id.js';
import type { Order, Settlement } from '../domain/order.js';
import type { ApplySettlementResult, CreateOrderResult, IdempotencyClaim, OrderRepository } from '../domain/order-service.js';

/**
 * Item layout in the orders table (generic keys):
 * - an order:             pk=ORDER#<orderId>  sk=ORDER                entity ORDER; the saga reaches it by id alone,
 *                         gsi1pk=USER#<userId> gsi1sk=ORDER#<orderId> (UserOrdersIndex: a user's orders, newest first),
 *                         pendingShard + createdAt while PENDING (PendingIndex, sparse: what the sweeper reads)
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
export const PENDING_INDEX = 'PendingIndex';
export const PENDING_SHARDS = 4;
export const pendingShardOf = (orderId: string) => `PENDING#${orderIdShard(orderId, PENDING_SHARDS)}`;

/** A user's order list goes on after an order id; the partition is always the caller's, whatever the token says. */
export const orderPageTokens = new PageTokens(['orderId'], ({ orderId }) => typeof orderId === 'string' && ORDER_ID_PATTERN.test(orderId));

export interface OrderItem extends Order {
  pk: string;
  sk: string;
  entity: 'ORDER';
  gsi1pk: string;
  gsi1sk: string;
  pendingShard?: string;
  announcements?: number;
  lastAnnouncedAt?: string;
}

export function orderItemOf(order: Order): OrderItem {
  return {
    ...orderKey(order.orderId),
    entity: 'ORDER',
    ...userOrdersKey(order.userId, order.orderId),
    ...order,
    ...(order.status === 'PENDING' ? { pendingShard: pendingShardOf(order.orderId) } : {}),
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
            UpdateExpression: `SET ${sets.join(', ')} REMOVE pendingShard`,
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

  async findPending(createdBefore: string, limit: number): Promise<Order[]> {
    const shards = await Promise.all(
      Array.from({ length: PENDING_SHARDS }, (_, shard) =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: PENDING_INDEX,
            KeyConditionExpression: 'pendingShard = :shard AND createdAt < :before',
            ExpressionAttributeValues: {
              ':shard': `PENDING#${shard}`,
              ':before': createdBefore,
            },
            Limit: limit,
          }),
        ),
      ),
    );
    return shards
      .flatMap((result) => result.Items ?? [])
      .map(toOrder)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(0, limit);
  }

  async reannounce(order: Order, at: string, maxAnnouncements: number): Promise<'reannounced' | 'settled' | 'exhausted'> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKey(order.orderId),
          UpdateExpression: 'SET announcements = if_not_exists(announcements, :zero) + :one, lastAnnouncedAt = :at',
          ConditionExpression: '#status = :pending AND (attribute_not_exists(announcements) OR announcements < :max)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':zero': 0,
            ':one': 1,
            ':at': at,
            ':pending': 'PENDING',
            ':max': maxAnnouncements,
          },
        }),
      );
      return 'reannounced';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.byId(order.orderId);
      return current?.status === 'PENDING' ? 'exhausted' : 'settled';
    }
  }
}
