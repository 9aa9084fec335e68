import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanExactPage } from '../../shared/dynamodb.js';
import type { KeyedPage, PageCursor } from '../../shared/pagination.js';
import type { CatalogRepository } from '../domain/catalog-service.js';
import type { Product } from '../domain/product.js';

/** Item layout in the catalogs table (generic keys, so reservations can share it). */
export const productKey = (productId: string) => ({ pk: `PRODUCT#${productId}`, sk: 'PRODUCT' });
export const CATALOG_KEY_NAMES = ['pk', 'sk'] as const;

interface ProductItem extends Product {
  pk: string;
  sk: string;
  entity: 'PRODUCT';
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
    return { items: page.items.map(toProduct), ...(page.next ? { next: page.next } : {}) };
  }

  async getProduct(productId: string): Promise<Product | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: productKey(productId), ConsistentRead: true }),
    );
    return Item ? toProduct(Item as ProductItem) : undefined;
  }

  async createProductIfAbsent(product: Product): Promise<boolean> {
    const item: ProductItem = { ...productKey(product.productId), entity: 'PRODUCT', ...product };
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
