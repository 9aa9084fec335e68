import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanExactPage } from '../../shared/dynamodb.js';
import type { KeyedPage, PageCursor } from '../../shared/pagination.js';
import type { CatalogRepository } from '../domain/catalog-service.js';
import type { Product } from '../domain/product.js';
import type { Reservation, ReserveResult } from '../domain/reservation.js';

/**
 * Item layout in the catalogs table (generic keys):
 * - a product:            pk=PRODUCT#<productId>   sk=PRODUCT       entity PRODUCT
 * - the answer to an order: pk=RESERVATION#<orderId> sk=RESERVATION entity RESERVATION (status RESERVED or REJECTED)
 */
export const productKey = (productId: string) => ({
  pk: `PRODUCT#${productId}`,
  sk: 'PRODUCT',
});
export const reservationKey = (orderId: string) => ({
  pk: `RESERVATION#${orderId}`,
  sk: 'RESERVATION',
});
export const CATALOG_KEY_NAMES = ['pk', 'sk'] as const;

interface ProductItem extends Product {
  pk: string;
  sk: string;
  entity: 'PRODUCT';
}

type ReservationItem = Reservation & {
  pk: string;
  sk: string;
  entity: 'RESERVATION';
};

function toReservation(item: ReservationItem): Reservation {
  const { orderId, productId, qty, createdAt } = item;
  return item.status === 'RESERVED'
    ? {
        orderId,
        productId,
        qty,
        createdAt,
        status: 'RESERVED',
        unitPrice: item.unitPrice,
      }
    : {
        orderId,
        productId,
        qty,
        createdAt,
        status: 'REJECTED',
        reason: item.reason,
      };
}

const MAX_CONFLICT_RETRIES = 8;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  ) {}

  async listProducts(limit: number, cursor?: PageCursor): Promise<KeyedPage<Product>> {
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
      CATALOG_KEY_NAMES,
      cursor,
    );
    return {
      items: page.items.map(toProduct),
      ...(page.next ? { next: page.next } : {}),
    };
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

  async getReservation(orderId: string): Promise<Reservation | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: reservationKey(orderId),
        ConsistentRead: true,
      }),
    );
    return Item ? toReservation(Item as ReservationItem) : undefined;
  }

  async reserve(reservation: Reservation & { status: 'RESERVED' }): Promise<ReserveResult> {
    const item: ReservationItem = {
      ...reservationKey(reservation.orderId),
      entity: 'RESERVATION',
      ...reservation,
    };
    const command = new TransactWriteCommand({
      TransactItems: [
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
            TableName: this.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
    });
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(command);
        return 'reserved';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [product, answer] = error.CancellationReasons ?? [];
        if (answer?.Code === 'ConditionalCheckFailed') return 'already-recorded';
        if (product?.Code === 'ConditionalCheckFailed') return 'product-changed';
        const conflicted = [product, answer].some((reason) => reason?.Code === 'TransactionConflict');
        if (!conflicted || attempt >= MAX_CONFLICT_RETRIES) throw error;
        // another reservation of the same product is in flight: back off with jitter and try again
        await pause(5 * 2 ** Math.min(attempt, 5) * (0.5 + Math.random()));
      }
    }
  }

  async recordRejection(reservation: Reservation & { status: 'REJECTED' }): Promise<boolean> {
    const item: ReservationItem = {
      ...reservationKey(reservation.orderId),
      entity: 'RESERVATION',
      ...reservation,
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
}
