// The catalog port's contract against its DynamoDB adapter on DynamoDB Local: each case on empty copies of
// the stack's two catalog tables (products, ledger), so the product list holds only the case's own items.
// Then what only the adapter knows: how long each ledger record is kept (its TTL attribute). And the compensation
// through the running stack: reserveStock, signed as itself (its role enforced by the local endpoints), fed by the
// bus rule, releasing a cancelled order's stock and leaving a tombstone for a cancel that comes first.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbCatalogRepository, productKey, reservationKey } from '../../functions/catalogs/adapters/dynamodb-catalog-repository.js';
import { describeCatalogRepositoryContract } from '../../functions/catalogs/adapters/catalog-repository.contract.js';
import { CatalogService } from '../../functions/catalogs/domain/catalog-service.js';
import { RESERVATION_RETENTION_SECONDS } from '../../functions/catalogs/domain/reservation.js';
import { dynamoDocumentClient } from '../../functions/shared/dynamodb.js';
import type { OutgoingEvent } from '../../functions/shared/events/contracts.js';
import { exampleEvent } from '../../functions/shared/events/examples/examples.js';
import { documentClient, eventBridgeClient, sqsClient } from '../support/aws.js';
import { describeLocal, queueUrl, stage } from '../support/env.js';
import { emptyCopyOf } from '../support/fresh-tables.js';
import { createProduct, names, putOnBus, queueDepth, reservationOf, stockOf, storeClosedOrder, waitUntilDrained } from './saga-helpers.js';

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

  describe("reserveStock on the stack: a cancelled order's stock, through the bus", () => {
    const n = names();
    const doc = documentClient();
    const sqs = sqsClient();
    const bus = eventBridgeClient();

    /** The example events for an order of the test's own: `qty` of `productId`. */
    const eventsOf = (orderId: string, productId: string, qty: number) => {
      const retarget = <T extends 'OrderPlaced' | 'OrderCancelled'>(type: T): OutgoingEvent<T> => {
        const example = exampleEvent(type);
        return {
          ...example,
          detail: {
            metadata: { ...example.detail.metadata, eventId: `${orderId}:${type}`, correlationId: `catalog-it-${orderId}` },
            data: { ...example.detail.data, orderId, productId, qty },
          },
        };
      };
      return { placed: retarget('OrderPlaced'), cancelled: retarget('OrderCancelled') };
    };
    const product = async (stock: number) => {
      const productId = `REL-${randomUUID().slice(0, 8)}`;
      await createProduct(doc, n.catalogsTable, { productId, stock, unitPrice: 700 });
      return productId;
    };
    const deliver = async (events: OutgoingEvent[]) => {
      // The catalog's answers go on to settleOrders: each order must be one the orders context knows (and has closed).
      // Its product and quantity too: an answer that names another one is a producer's bug, failed into the DLQ.
      for (const { orderId, productId, qty } of events.map(
        (event) => event.detail.data as { orderId: string; productId: string; qty: number },
      )) {
        await storeClosedOrder(doc, n.ordersTable, { orderId, productId, qty }).catch((error: Error) => {
          if (error.name !== 'ConditionalCheckFailedException') throw error;
        });
      }
      await putOnBus(bus, n.bus, events);
      await waitUntilDrained(sqs, [queueUrl(n.catalogsInbox)]);
    };

    it('placed then cancelled (each twice): the stock comes back once, the record is RELEASED, nothing in the DLQ', async () => {
      const productId = await product(10);
      const orderId = `O-${randomUUID()}`;
      const { placed, cancelled } = eventsOf(orderId, productId, 3);
      await deliver([placed, placed]);
      expect(await stockOf(doc, n.catalogsTable, productId)).toBe(7);
      await deliver([cancelled, cancelled]);
      expect(await stockOf(doc, n.catalogsTable, productId)).toBe(10);
      expect(await reservationOf(doc, n.catalogsLedgerTable, orderId)).toMatchObject({ status: 'RELEASED', qty: 3 });
      await deliver([placed]);
      expect(await stockOf(doc, n.catalogsTable, productId)).toBe(10);
      expect(await queueDepth(sqs, queueUrl(n.catalogsDlq))).toBe(0);
    });

    it('cancelled before it was placed: a tombstone, and the late OrderPlaced reserves nothing', async () => {
      const productId = await product(10);
      const orderId = `O-${randomUUID()}`;
      const { placed, cancelled } = eventsOf(orderId, productId, 4);
      await deliver([cancelled]);
      await deliver([placed, placed]);
      expect(await stockOf(doc, n.catalogsTable, productId)).toBe(10);
      expect(await reservationOf(doc, n.catalogsLedgerTable, orderId)).toMatchObject({ status: 'CANCELLED', qty: 4 });
      expect(await queueDepth(sqs, queueUrl(n.catalogsDlq))).toBe(0);
    });

    it("the release's writes: allowed signed as reserveStock, denied signed as adjustStock (no access to the orders' records)", async () => {
      const signedAs = (name: string) =>
        new CatalogService(
          new DynamoDbCatalogRepository(
            DynamoDBDocumentClient.from(
              new DynamoDBClient({ credentials: { accessKeyId: n.fn(name), secretAccessKey: 'any' }, maxAttempts: 1 }),
            ),
            n.catalogsTable,
            n.catalogsLedgerTable,
          ),
        );
      const productId = await product(5);
      const reserved = { orderId: `O-${randomUUID()}`, productId, qty: 2 };
      await signedAs('reserveStock').reserveStock(reserved);
      await expect(signedAs('adjustStock').releaseStock(reserved)).rejects.toMatchObject({ name: 'AccessDeniedException' });
      expect((await signedAs('reserveStock').releaseStock(reserved)).outcome).toBe('released');
      expect((await signedAs('reserveStock').releaseStock({ ...reserved, orderId: `O-${randomUUID()}` })).outcome).toBe('tombstoned');
      expect(await stockOf(doc, n.catalogsTable, productId)).toBe(5);
    });
  });
});
