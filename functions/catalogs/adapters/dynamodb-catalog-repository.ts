import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanExactPage, transactWrite } from '../../shared/dynamodb.js';
import type { Page } from '../../shared/pagination.js';
import { productKey, productPageTokens } from './product-keys.js';
import type { CatalogRepository } from '../domain/catalog-service.js';
import type { Product, ProductChanges } from '../domain/product.js';
import {
  RESERVATION_RETENTION_SECONDS,
  type CancellationTombstone,
  type ReleaseResult,
  type Reservation,
  type ReservationRecord,
  type ReserveResult,
} from '../domain/reservation.js';
import type { AdjustmentRecord, AdjustResult } from '../domain/stock-adjustment.js';

/**
 * Two tables (generic keys), so that listing the catalog reads products only, however many orders came:
 * - the catalogs table holds the products:  pk=PRODUCT#<productId>   sk=PRODUCT       entity PRODUCT
 * - the ledger holds the catalog's record of each order: pk=RESERVATION#<orderId> sk=RESERVATION   entity RESERVATION
 *   (status RESERVED, REJECTED, RELEASED or CANCELLED, a tombstone), each but RESERVED with `expiresAt` (TTL);
 *   and the admins' keyed stock adjustments: pk=ADJUSTMENT#<Idempotency-Key> sk=ADJUSTMENT   entity ADJUSTMENT
 *   (adjustmentId, productId, delta, fingerprint, the answer `product`, createdAt), `expiresAt` (TTL) 24 h on.
 * One transaction writes a product and a reservation (its release, or an adjustment) across the two.
 */
export { productKey } from './product-keys.js';
export const reservationKey = (orderId: string) => ({
  pk: `RESERVATION#${orderId}`,
  sk: 'RESERVATION',
});
export const adjustmentKey = (idempotencyKey: string) => ({
  pk: `ADJUSTMENT#${idempotencyKey}`,
  sk: 'ADJUSTMENT',
});

interface ProductItem extends Product {
  pk: string;
  sk: string;
  entity: 'PRODUCT';
}

type ReservationItem = ReservationRecord & {
  pk: string;
  sk: string;
  entity: 'RESERVATION';
  /**
   * Epoch seconds: the table's TTL deletes the record after it (RESERVATION_RETENTION_SECONDS from its last
   * write). None on a RESERVED record: it must stay while its order can be cancelled.
   */
  expiresAt?: number;
};

const expiresAtOf = (writtenAt: string) => Math.floor(Date.parse(writtenAt) / 1000) + RESERVATION_RETENTION_SECONDS;

function reservationItemOf(record: Reservation | CancellationTombstone): ReservationItem {
  return {
    ...reservationKey(record.orderId),
    entity: 'RESERVATION',
    ...record,
    ...(record.status === 'RESERVED' ? {} : { expiresAt: expiresAtOf(record.createdAt) }),
  };
}

function toReservation(item: ReservationItem): ReservationRecord {
  const { orderId, productId, qty, createdAt } = item;
  const request = { orderId, productId, qty, createdAt };
  switch (item.status) {
    case 'RESERVED':
      return { ...request, status: 'RESERVED', unitPrice: item.unitPrice };
    case 'REJECTED':
      return { ...request, status: 'REJECTED', reason: item.reason };
    case 'RELEASED':
      return { ...request, status: 'RELEASED', unitPrice: item.unitPrice, releasedAt: item.releasedAt };
    case 'CANCELLED':
      return { ...request, status: 'CANCELLED' };
  }
}

type AdjustmentItem = AdjustmentRecord & { pk: string; sk: string; entity: 'ADJUSTMENT' };

const toAdjustment = ({ adjustmentId, productId, delta, product, createdAt, idempotencyKey, fingerprint, expiresAt }: AdjustmentItem) => ({
  adjustmentId,
  productId,
  delta,
  product: toProduct(product as ProductItem),
  createdAt,
  idempotencyKey,
  fingerprint,
  expiresAt,
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

const toProduct = ({ productId, productName, unitPrice, stock, createdAt }: ProductItem): Product => ({
  productId,
  productName,
  unitPrice,
  stock,
  createdAt,
});

export class DynamoDbCatalogRepository implements CatalogRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Only the functions that answer orders get the ledger (CATALOGS_LEDGER_TABLE_NAME). */
    private readonly ledgerTable?: string,
  ) {}

  private get ledgerTableName(): string {
    if (!this.ledgerTable) throw new Error('this function has no ledger table (CATALOGS_LEDGER_TABLE_NAME)');
    return this.ledgerTable;
  }

  /**
   * A Scan of a table that holds products only: each page reads about `limit` items, whatever the number
   * of orders. The filter drops nothing on such a table; it keeps out the reservations that a local
   * database written before they moved to the ledger may still hold.
   */
  async listProducts(limit: number, nextToken?: string): Promise<Page<Product>> {
    const page = await scanExactPage<ProductItem>(
      this.client,
      {
        TableName: this.tableName,
        ConsistentRead: true,
        FilterExpression: '#entity = :product',
        ExpressionAttributeNames: { '#entity': 'entity' },
        ExpressionAttributeValues: { ':product': 'PRODUCT' },
      },
      limit,
      productPageTokens,
      nextToken,
    );
    return { ...page, items: page.items.map(toProduct) };
  }

  async getProduct(productId: string): Promise<Product | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: productKey(productId),
        ConsistentRead: true,
      }),
    );
    return Item ? toProduct(Item as ProductItem) : undefined;
  }

  async createProductIfAbsent(product: Product): Promise<boolean> {
    const item: ProductItem = {
      ...productKey(product.productId),
      entity: 'PRODUCT',
      ...product,
    };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async getReservation(orderId: string): Promise<ReservationRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.ledgerTableName,
        Key: reservationKey(orderId),
        ConsistentRead: true,
      }),
    );
    return Item ? toReservation(Item as ReservationItem) : undefined;
  }

  async reserve(reservation: Reservation & { status: 'RESERVED' }): Promise<ReserveResult> {
    const item = reservationItemOf(reservation);
    return transactWrite<ReserveResult>(
      this.client,
      [
        {
          Update: {
            TableName: this.tableName,
            Key: productKey(reservation.productId),
            UpdateExpression: 'SET stock = stock - :qty',
            ConditionExpression: 'attribute_exists(pk) AND stock >= :qty AND unitPrice = :price',
            ExpressionAttributeValues: {
              ':qty': reservation.qty,
              ':price': reservation.unitPrice,
            },
          },
        },
        {
          Put: {
            TableName: this.ledgerTableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
      'reserved',
      // A TransactionConflict (another reservation of the same product in flight) is tried again.
      ([product, answer]) =>
        answer === 'ConditionalCheckFailed' ? 'already-recorded' : product === 'ConditionalCheckFailed' ? 'product-changed' : undefined,
    );
  }

  recordRejection(reservation: Reservation & { status: 'REJECTED' }): Promise<boolean> {
    return this.recordIfAbsent(reservation);
  }

  recordTombstone(tombstone: CancellationTombstone): Promise<boolean> {
    return this.recordIfAbsent(tombstone);
  }

  /** Writes an order's first record; false when it has one (an answer, a release or a tombstone). */
  private async recordIfAbsent(record: Reservation | CancellationTombstone): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.ledgerTableName,
          Item: reservationItemOf(record),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async release(reservation: Reservation & { status: 'RESERVED' }, releasedAt: string): Promise<ReleaseResult> {
    return transactWrite<ReleaseResult>(
      this.client,
      [
        {
          Update: {
            TableName: this.tableName,
            Key: productKey(reservation.productId),
            UpdateExpression: 'SET stock = stock + :qty',
            // Without the condition, an update of a missing product would create a bare item holding only stock.
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':qty': reservation.qty },
          },
        },
        {
          Update: {
            TableName: this.ledgerTableName,
            Key: reservationKey(reservation.orderId),
            // From now on the record is final, so it gets its retention.
            UpdateExpression: 'SET #status = :released, releasedAt = :releasedAt, expiresAt = :expiresAt',
            ConditionExpression: '#status = :reserved',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':released': 'RELEASED',
              ':reserved': 'RESERVED',
              ':releasedAt': releasedAt,
              ':expiresAt': expiresAtOf(releasedAt),
            },
          },
        },
      ],
      'released',
      // A TransactionConflict (a reservation of the same product in flight) is tried again.
      ([product, record]) =>
        record === 'ConditionalCheckFailed' ? 'not-reserved' : product === 'ConditionalCheckFailed' ? 'product-missing' : undefined,
    );
  }

  async updateProduct(productId: string, changes: ProductChanges): Promise<{ previous: Product; product: Product } | undefined> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    for (const field of ['productName', 'unitPrice'] as const) {
      if (changes[field] === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = changes[field];
      sets.push(`#${field} = :${field}`);
    }
    if (sets.length === 0) throw new Error('updateProduct needs a change');
    try {
      // One UpdateItem of the named attributes only: a reservation's concurrent `stock - qty` is not overwritten.
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: productKey(productId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
        }),
      );
      const previous = toProduct(Attributes as ProductItem);
      // The item as this write left it: ALL_OLD is the item right before it, and the write changed only these.
      return { previous, product: { ...previous, ...changes } };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async adjustStock(expected: Product, delta: number, record?: AdjustmentRecord): Promise<AdjustResult> {
    const update = {
      Update: {
        TableName: this.tableName,
        Key: productKey(expected.productId),
        UpdateExpression: 'SET stock = stock + :delta',
        // The product exactly as read (so the recorded answer is the item as written), and never below 0.
        ConditionExpression: 'stock = :stock AND unitPrice = :price AND productName = :name AND stock >= :needed',
        ExpressionAttributeValues: {
          ':delta': delta,
          ':stock': expected.stock,
          ':price': expected.unitPrice,
          ':name': expected.productName,
          ':needed': -delta,
        },
      },
    };
    const put = record && {
      Put: {
        TableName: this.ledgerTableName,
        Item: { ...adjustmentKey(record.idempotencyKey), entity: 'ADJUSTMENT', ...record } satisfies AdjustmentItem,
        // An expired record may still be there (TTL deletes lazily): it no longer counts.
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': nowSeconds() },
      },
    };
    return transactWrite<AdjustResult>(
      this.client,
      put ? [update, put] : [update],
      'adjusted',
      // A TransactionConflict (a reservation of the same product in flight) is tried again.
      ([product, key]) =>
        key === 'ConditionalCheckFailed' ? 'key-taken' : product === 'ConditionalCheckFailed' ? 'product-changed' : undefined,
    );
  }

  async getAdjustment(idempotencyKey: string): Promise<AdjustmentRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.ledgerTableName,
        Key: adjustmentKey(idempotencyKey),
        ConsistentRead: true,
      }),
    );
    const item = Item as AdjustmentItem | undefined;
    return item && item.expiresAt >= nowSeconds() ? toAdjustment(item) : undefined;
  }
}
