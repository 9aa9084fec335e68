import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanExactPage, transactWrite } from '../../shared/dynamodb.js';
import { PageTokens, type Page } from '../../shared/pagination.js';
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
/** `GET /catalogs` goes on after a product item's keys. */
const productPageTokens = new PageTokens(
  ['pk', 'sk'],
  ({ pk, sk }) => typeof pk === 'string' && pk.startsWith('PRODUCT#') && sk === 'PRODUCT',
);

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
            TableName: this.tableName,
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
