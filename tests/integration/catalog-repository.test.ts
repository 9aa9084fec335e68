// The catalog port's contract against its DynamoDB adapter on DynamoDB Local: each case on empty copies of
// the stack's two catalog tables (products, ledger), so the product list holds only the case's own items.
// Then what only the adapter knows: how long each ledger record is kept (its TTL attribute).
import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { expect, it } from 'vitest';
import { DynamoDbCatalogRepository, productKey, reservationKey } from '../../functions/catalogs/adapters/dynamodb-catalog-repository.js';
import { describeCatalogRepositoryContract } from '../../functions/catalogs/adapters/catalog-repository.contract.js';
import { RESERVATION_RETENTION_SECONDS } from '../../functions/catalogs/domain/reservation.js';
import { dynamoDocumentClient } from '../../functions/shared/dynamodb.js';
import { describeLocal, stage } from '../support/env.js';
import { emptyCopyOf } from '../support/fresh-tables.js';

const tablesOf = new WeakMap<DynamoDbCatalogRepository, { products: string; ledger: string }>();

async function freshRepository(): Promise<DynamoDbCatalogRepository> {
  const [products, ledger] = await Promise.all([
    emptyCopyOf(`ecommerce-${stage()}-catalogs`),
    emptyCopyOf(`ecommerce-${stage()}-catalogs-ledger`),
  ]);
  const repository = new DynamoDbCatalogRepository(dynamoDocumentClient(), products, ledger);
  tablesOf.set(repository, { products, ledger });
  return repository;
}
const tables = (repository: unknown) => tablesOf.get(repository as DynamoDbCatalogRepository)!;

describeLocal('catalog repository on DynamoDB Local', () => {
  describeCatalogRepositoryContract('DynamoDB', {
    repository: freshRepository,
    setProduct: async (repository, product) => {
      await dynamoDocumentClient().send(
        new PutCommand({
          TableName: tables(repository).products,
          Item: { ...productKey(product.productId), entity: 'PRODUCT', ...product },
        }),
      );
    },
    removeProduct: async (repository, productId) => {
      await dynamoDocumentClient().send(new DeleteCommand({ TableName: tables(repository).products, Key: productKey(productId) }));
    },
  });

  it('keeps a RESERVED record without expiry (its order can still be cancelled); every final record 30 days from its write', async () => {
    const repo = await freshRepository();
    const productId = `P-${randomUUID().slice(0, 8)}`;
    await repo.createProductIfAbsent({ productId, productName: 'Kept', unitPrice: 500, stock: 10, createdAt: '2026-12-01T00:00:00.000Z' });
    const at = (iso: string) => Date.parse(iso) / 1000 + RESERVATION_RETENTION_SECONDS;
    const expiresAtOf = async (orderId: string) => {
      const { Item } = await dynamoDocumentClient().send(
        new GetCommand({ TableName: tables(repo).ledger, Key: reservationKey(orderId), ConsistentRead: true }),
      );
      return (Item as { expiresAt?: number } | undefined)?.expiresAt;
    };
    const order = () => ({ orderId: `O-${randomUUID()}`, productId, qty: 1 });

    const reservation = { ...order(), status: 'RESERVED', unitPrice: 500, createdAt: '2026-12-01T00:00:01.000Z' } as const;
    await repo.reserve(reservation);
    expect(await expiresAtOf(reservation.orderId)).toBeUndefined();

    await repo.release(reservation, '2026-12-20T00:00:00.000Z');
    expect(await expiresAtOf(reservation.orderId)).toBe(at('2026-12-20T00:00:00.000Z'));

    const rejection = { ...order(), status: 'REJECTED', reason: 'OUT_OF_STOCK', createdAt: '2026-12-02T00:00:00.000Z' } as const;
    await repo.recordRejection(rejection);
    expect(await expiresAtOf(rejection.orderId)).toBe(at('2026-12-02T00:00:00.000Z'));

    const tombstone = { ...order(), status: 'CANCELLED', createdAt: '2026-12-03T00:00:00.000Z' } as const;
    await repo.recordTombstone(tombstone);
    expect(await expiresAtOf(tombstone.orderId)).toBe(at('2026-12-03T00:00:00.000Z'));
  });
});
