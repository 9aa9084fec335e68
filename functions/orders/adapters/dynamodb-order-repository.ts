import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { KeyedPage, PageCursor } from '../../shared/pagination.js';
import { ORDER_ID_PATTERN, orderIdShard } from '../domain/order-id.js';
import type { Order } from '../domain/order.js';
import type { CreateOrderResult, IdempotencyClaim, OrderRepository, SaveSettlementResult } from '../domain/order-service.js';

/**
 * Item layout in the orders table (generic keys):
 * - the order:            pk=USER#<userId>  sk=ORDER#<orderId>        entity ORDER (listing a user's orders is one Query)
 * - its reference:        pk=ORDER#<orderId> sk=REF                   entity ORDER_REF (finds the user from the id alone)
 * - an idempotency claim: pk=USER#<userId>  sk=IDEMPOTENCY#<key>      entity IDEMPOTENCY, expiresAt (TTL)
 * A PENDING order also carries pendingShard/createdAt, the keys of the sparse PendingIndex the sweeper reads.
 */
export const userKey = (userId: string) => `USER#${userId}`;
export const orderSortKey = (orderId: string) => `ORDER#${orderId}`;
export const orderKey = (userId: string, orderId: string) => ({ pk: userKey(userId), sk: orderSortKey(orderId) });
export const orderRefKey = (orderId: string) => ({ pk: `ORDER#${orderId}`, sk: 'REF' });
export const idempotencyKey = (userId: string, key: string) => ({ pk: userKey(userId), sk: `IDEMPOTENCY#${key}` });

export const PENDING_INDEX = 'PendingIndex';
export const PENDING_SHARDS = 4;
export const pendingShardOf = (orderId: string) => `PENDING#${orderIdShard(orderId, PENDING_SHARDS)}`;

/** The page cursor of a user's order list: only the sort key travels (the partition is the caller's). */
export const ORDER_CURSOR_KEYS = ['sk'] as const;
const ORDER_SORT_KEY_PATTERN = new RegExp(`^ORDER#${ORDER_ID_PATTERN.source.slice(1, -1)}$`);
export const isOrderCursor = (cursor: PageCursor): boolean => typeof cursor.sk === 'string' && ORDER_SORT_KEY_PATTERN.test(cursor.sk);

export interface OrderItem extends Order {
  pk: string;
  sk: string;
  entity: 'ORDER';
  pendingShard?: string;
  announcements?: number;
  lastAnnouncedAt?: string;
}

export function toOrder(item: Record<string, unknown>): Order {
  const { orderId, userId, productId, qty, status, createdAt, unitPrice, totalPrice, reason, settledAt, correlationId } = item as unknown as OrderItem;
  const order: Order = { orderId, userId, productId, qty, status, createdAt, correlationId };
  if (unitPrice !== undefined) order.unitPrice = unitPrice;
  if (totalPrice !== undefined) order.totalPrice = totalPrice;
  if (reason !== undefined) order.reason = reason;
  if (settledAt !== undefined) order.settledAt = settledAt;
  return order;
}

const MAX_CONFLICT_RETRIES = 6;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DynamoDbOrderRepository implements OrderRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(order: Order, claim?: IdempotencyClaim): Promise<CreateOrderResult> {
    const item: OrderItem = { ...orderKey(order.userId, order.orderId), entity: 'ORDER', ...order, pendingShard: pendingShardOf(order.orderId) };
    const writes: NonNullable<TransactWriteCommandInput['TransactItems']> = [
      { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...orderRefKey(order.orderId), entity: 'ORDER_REF', orderId: order.orderId, userId: order.userId },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ];
    if (claim) {
      writes.push({
        Put: {
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
        },
      });
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: writes }));
        return { kind: 'created' };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        if (claim && reasons[2]?.Code === 'ConditionalCheckFailed') {
          const { Item } = await this.client.send(
            new GetCommand({ TableName: this.tableName, Key: idempotencyKey(order.userId, claim.key), ConsistentRead: true }),
          );
          if (Item) return { kind: 'key-taken', orderId: Item.orderId as string, fingerprint: Item.fingerprint as string };
        } else if (!reasons.some((reason) => reason.Code === 'TransactionConflict')) {
          throw error;
        }
        if (attempt >= MAX_CONFLICT_RETRIES) throw error;
        await pause(10 * 2 ** attempt + Math.random() * 10);
      }
    }
  }

  /**
   * Writes the table's marker item once (pk=META, sk=OUTBOX; the outbox relay ignores it). Locally
   * this gives the stream a first record before the stack's stream reader starts: DynamoDB Local
   * (shared database) hands out an iterator for an empty shard that later fails with "read past the
   * oldest stream record" once other tables have been written. Returns whether it was written now.
   */
  async ensureMarker(at: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: { pk: 'META', sk: 'OUTBOX', entity: 'META', createdAt: at }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async get(userId: string, orderId: string): Promise<Order | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: orderKey(userId, orderId), ConsistentRead: true }),
    );
    return Item ? toOrder(Item) : undefined;
  }

  async findById(orderId: string): Promise<Order | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: orderRefKey(orderId), ConsistentRead: true }),
    );
    return Item ? this.get(Item.userId as string, orderId) : undefined;
  }

  async list(userId: string, limit: number, cursor?: PageCursor): Promise<KeyedPage<Order>> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :order)',
        ExpressionAttributeValues: { ':pk': userKey(userId), ':order': 'ORDER#' },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: limit + 1,
        ...(cursor ? { ExclusiveStartKey: { pk: userKey(userId), sk: cursor.sk } } : {}),
      }),
    );
    const page = Items.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toOrder), ...(Items.length > limit && last ? { next: { sk: last.sk as string } } : {}) };
  }

  async saveSettlement(settled: Order): Promise<SaveSettlementResult> {
    const values: Record<string, unknown> = { ':status': settled.status, ':settledAt': settled.settledAt, ':pending': 'PENDING' };
    const sets = ['#status = :status', 'settledAt = :settledAt'];
    if (settled.status === 'CONFIRMED') {
      sets.push('unitPrice = :unitPrice', 'totalPrice = :totalPrice');
      values[':unitPrice'] = settled.unitPrice;
      values[':totalPrice'] = settled.totalPrice;
    } else {
      sets.push('reason = :reason');
      values[':reason'] = settled.reason;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKey(settled.userId, settled.orderId),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE pendingShard`,
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
      return 'saved';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'not-pending';
      throw error;
    }
  }

  async findPending(createdBefore: string, limit: number): Promise<Order[]> {
    const shards = await Promise.all(
      Array.from({ length: PENDING_SHARDS }, (_, shard) =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: PENDING_INDEX,
            KeyConditionExpression: 'pendingShard = :shard AND createdAt < :before',
            ExpressionAttributeValues: { ':shard': `PENDING#${shard}`, ':before': createdBefore },
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
          Key: orderKey(order.userId, order.orderId),
          UpdateExpression: 'SET announcements = if_not_exists(announcements, :zero) + :one, lastAnnouncedAt = :at',
          ConditionExpression: '#status = :pending AND (attribute_not_exists(announcements) OR announcements < :max)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':at': at, ':pending': 'PENDING', ':max': maxAnnouncements },
        }),
      );
      return 'reannounced';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.get(order.userId, order.orderId);
      return current?.status === 'PENDING' ? 'exhausted' : 'settled';
    }
  }
}
