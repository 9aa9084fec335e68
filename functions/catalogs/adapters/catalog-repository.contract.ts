/**
 * What every CatalogRepository does, whatever holds the data: run against the in-memory fake (unit) and
 * the DynamoDB adapter on DynamoDB Local (tests/integration/catalog-repository.test.ts), so the fake the
 * unit tests stand on cannot drift from the adapter.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidPageTokenError } from '../../shared/domain-errors.js';
import type { CatalogRepository } from '../domain/catalog-service.js';
import type { Product } from '../domain/product.js';
import type { Reservation } from '../domain/reservation.js';

export interface CatalogRepositoryFixture {
  /** A repository on empty storage (its product list holds only what the test creates). */
  repository: () => Promise<CatalogRepository>;
  /** Changes a product behind the repository's back, as another writer would. */
  setProduct: (repository: CatalogRepository, product: Product) => Promise<void>;
}

const product = (overrides: Partial<Product> = {}): Product => ({
  productId: `P-${randomUUID().slice(0, 8)}`,
  productName: 'Contract',
  unitPrice: 500,
  stock: 10,
  createdAt: '2026-12-01T00:00:00.000Z',
  ...overrides,
});
const reserved = (productId: string, qty: number, unitPrice: number, orderId = `O-${randomUUID()}`) =>
  ({ orderId, productId, qty, unitPrice, status: 'RESERVED', createdAt: '2026-12-01T00:00:01.000Z' }) as const;
const rejected = (productId: string, orderId = `O-${randomUUID()}`) =>
  ({ orderId, productId, qty: 1, reason: 'OUT_OF_STOCK', status: 'REJECTED', createdAt: '2026-12-01T00:00:01.000Z' }) as const;

export function describeCatalogRepositoryContract(name: string, fixture: CatalogRepositoryFixture) {
  describe(`CatalogRepository contract: ${name}`, () => {
    it('creates a product once; a second create with its id changes nothing', async () => {
      const repo = await fixture.repository();
      const p = product();
      expect(await repo.createProductIfAbsent(p)).toBe(true);
      expect(await repo.createProductIfAbsent({ ...p, stock: 99, productName: 'Other' })).toBe(false);
      expect(await repo.getProduct(p.productId)).toEqual(p);
      expect(await repo.getProduct('NOPE')).toBeUndefined();
    });

    it('lists every product exactly once over exact pages, a token exactly when more follow', async () => {
      const repo = await fixture.repository();
      const created = Array.from({ length: 5 }, () => product());
      for (const p of created) await repo.createProductIfAbsent(p);
      const seen: Product[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await repo.listProducts(2, token);
        pages++;
        expect(page.items.length).toBeLessThanOrEqual(2);
        if (page.nextToken) expect(page.items).toHaveLength(2);
        seen.push(...page.items);
        token = page.nextToken;
      } while (token);
      expect(pages).toBe(3);
      expect(seen.map((p) => p.productId).sort()).toEqual(created.map((p) => p.productId).sort());
      expect(await repo.listProducts(5)).not.toHaveProperty('nextToken');
    });

    it('lists products only: answers to orders are not in the product list', async () => {
      const repo = await fixture.repository();
      const p = product({ stock: 3 });
      await repo.createProductIfAbsent(p);
      expect(await repo.reserve(reserved(p.productId, 1, p.unitPrice))).toBe('reserved');
      expect(await repo.recordRejection(rejected(p.productId))).toBe(true);
      const page = await repo.listProducts(100);
      expect(page.items).toEqual([{ ...p, stock: 2 }]);
    });

    it('refuses a page token it did not hand out', async () => {
      const repo = await fixture.repository();
      const foreign = Buffer.from(JSON.stringify({ pk: 'RESERVATION#x', sk: 'RESERVATION' })).toString('base64url');
      await expect(repo.listProducts(2, foreign)).rejects.toBeInstanceOf(InvalidPageTokenError);
      await expect(repo.listProducts(2, 'garbage!')).rejects.toBeInstanceOf(InvalidPageTokenError);
    });

    it('reserves: lowers the stock and records the answer, in one step', async () => {
      const repo = await fixture.repository();
      const p = product({ stock: 5 });
      await repo.createProductIfAbsent(p);
      const reservation = reserved(p.productId, 2, p.unitPrice);
      expect(await repo.reserve(reservation)).toBe('reserved');
      expect((await repo.getProduct(p.productId))?.stock).toBe(3);
      expect(await repo.getReservation(reservation.orderId)).toEqual<Reservation>(reservation);
    });

    it('a second reserve for the same order is already-recorded and lowers nothing', async () => {
      const repo = await fixture.repository();
      const p = product({ stock: 5 });
      await repo.createProductIfAbsent(p);
      const reservation = reserved(p.productId, 2, p.unitPrice);
      await repo.reserve(reservation);
      expect(await repo.reserve(reservation)).toBe('already-recorded');
      expect((await repo.getProduct(p.productId))?.stock).toBe(3);
    });

    it('an order already rejected cannot be reserved afterwards, and vice versa', async () => {
      const repo = await fixture.repository();
      const p = product({ stock: 5 });
      await repo.createProductIfAbsent(p);
      const no = rejected(p.productId);
      expect(await repo.recordRejection(no)).toBe(true);
      expect(await repo.reserve(reserved(p.productId, 1, p.unitPrice, no.orderId))).toBe('already-recorded');
      expect(await repo.getReservation(no.orderId)).toEqual<Reservation>(no);
      const yes = reserved(p.productId, 1, p.unitPrice);
      await repo.reserve(yes);
      expect(await repo.recordRejection(rejected(p.productId, yes.orderId))).toBe(false);
      expect((await repo.getReservation(yes.orderId))?.status).toBe('RESERVED');
      expect((await repo.getProduct(p.productId))?.stock).toBe(4);
    });

    it.each([
      ['the stock is short', { stock: 1 }],
      ['the price moved', { unitPrice: 501 }],
    ])('reserves nothing when %s: product-changed, no answer recorded', async (_why, change) => {
      const repo = await fixture.repository();
      const p = product({ stock: 5, unitPrice: 500 });
      await repo.createProductIfAbsent(p);
      await fixture.setProduct(repo, { ...p, ...change });
      const reservation = reserved(p.productId, 2, 500);
      expect(await repo.reserve(reservation)).toBe('product-changed');
      expect(await repo.getProduct(p.productId)).toEqual({ ...p, ...change });
      expect(await repo.getReservation(reservation.orderId)).toBeUndefined();
    });

    it('reserves nothing for a product that does not exist', async () => {
      const repo = await fixture.repository();
      const reservation = reserved(`GONE-${randomUUID().slice(0, 8)}`, 1, 500);
      expect(await repo.reserve(reservation)).toBe('product-changed');
      expect(await repo.getReservation(reservation.orderId)).toBeUndefined();
    });

    it('never oversells: concurrent reserves take exactly the stock there is', async () => {
      const repo = await fixture.repository();
      const p = product({ stock: 4 });
      await repo.createProductIfAbsent(p);
      const results = await Promise.all(Array.from({ length: 7 }, () => repo.reserve(reserved(p.productId, 1, p.unitPrice))));
      expect(results.filter((r) => r === 'reserved')).toHaveLength(4);
      expect(results.filter((r) => r === 'product-changed')).toHaveLength(3);
      expect((await repo.getProduct(p.productId))?.stock).toBe(0);
    });
  });
}
