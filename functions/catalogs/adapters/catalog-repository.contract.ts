/**
 * What every CatalogRepository does, whatever holds the data: run against the in-memory fake (unit) and
 * the DynamoDB adapter on DynamoDB Local (tests/integration/catalog-repository.test.ts), so the fake the
 * unit tests stand on cannot drift from the adapter.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidPageTokenError } from '../../shared/domain-errors.js';
import { ConflictError } from '../../shared/domain-errors.js';
import { CatalogService, type CatalogRepository } from '../domain/catalog-service.js';
import type { Product } from '../domain/product.js';
import type { CancellationTombstone, Reservation, ReservationRecord } from '../domain/reservation.js';
import { adjustmentFingerprint, type AdjustmentRecord } from '../domain/stock-adjustment.js';

export interface CatalogRepositoryFixture {
  /** A repository on empty storage (its product list holds only what the test creates). */
  repository: () => Promise<CatalogRepository>;
  /** Changes a product behind the repository's back, as another writer would. */
  setProduct: (repository: CatalogRepository, product: Product) => Promise<void>;
  /** Removes a product behind the repository's back (no route does; a release must not recreate it). */
  removeProduct: (repository: CatalogRepository, productId: string) => Promise<void>;
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

const tombstone = (productId: string, orderId = `O-${randomUUID()}`): CancellationTombstone => ({
  orderId,
  productId,
  qty: 2,
  status: 'CANCELLED',
  createdAt: '2026-12-01T00:00:03.000Z',
});
const RELEASED_AT = '2026-12-01T00:05:00.000Z';

const nowSeconds = () => Math.floor(Date.now() / 1000);
/** The record an adjustment of `product` by `delta` under `key` leaves (expiring `ttl` seconds from now). */
const recordOf = (product: Product, delta: number, key = `K-${randomUUID()}`, ttl = 3600): AdjustmentRecord => ({
  adjustmentId: randomUUID(),
  productId: product.productId,
  delta,
  product: { ...product, stock: product.stock + delta },
  createdAt: '2026-12-01T00:00:02.000Z',
  idempotencyKey: key,
  fingerprint: adjustmentFingerprint(product.productId, delta),
  expiresAt: nowSeconds() + ttl,
});

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

    describe("a cancelled order's compensation", () => {
      it('release: the record turns RELEASED and the stock goes up by its qty, in one step', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 5 });
        await repo.createProductIfAbsent(p);
        const reservation = reserved(p.productId, 2, p.unitPrice);
        await repo.reserve(reservation);
        expect(await repo.release(reservation, RELEASED_AT)).toBe('released');
        expect((await repo.getProduct(p.productId))?.stock).toBe(5);
        expect(await repo.getReservation(reservation.orderId)).toEqual<ReservationRecord>({
          ...reservation,
          status: 'RELEASED',
          releasedAt: RELEASED_AT,
        });
      });

      it('a second release is not-reserved and gives nothing back twice', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 5 });
        await repo.createProductIfAbsent(p);
        const reservation = reserved(p.productId, 2, p.unitPrice);
        await repo.reserve(reservation);
        await repo.release(reservation, RELEASED_AT);
        expect(await repo.release(reservation, '2026-12-01T00:06:00.000Z')).toBe('not-reserved');
        expect((await repo.getProduct(p.productId))?.stock).toBe(5);
        expect(await repo.getReservation(reservation.orderId)).toMatchObject({ status: 'RELEASED', releasedAt: RELEASED_AT });
      });

      it('five releases of one reservation at once: exactly one gives the stock back', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 5 });
        await repo.createProductIfAbsent(p);
        const reservation = reserved(p.productId, 3, p.unitPrice);
        await repo.reserve(reservation);
        const results = await Promise.all(Array.from({ length: 5 }, () => repo.release(reservation, RELEASED_AT)));
        expect(results.filter((r) => r === 'released')).toHaveLength(1);
        expect(results.filter((r) => r === 'not-reserved')).toHaveLength(4);
        expect((await repo.getProduct(p.productId))?.stock).toBe(5);
      });

      it('releases nothing where there is no RESERVED record: none, a rejection, a tombstone', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 5 });
        await repo.createProductIfAbsent(p);
        const none = reserved(p.productId, 1, p.unitPrice);
        const no = rejected(p.productId);
        await repo.recordRejection(no);
        const gone = tombstone(p.productId);
        await repo.recordTombstone(gone);
        expect(await repo.release(none, RELEASED_AT)).toBe('not-reserved');
        expect(await repo.release(reserved(p.productId, 1, p.unitPrice, no.orderId), RELEASED_AT)).toBe('not-reserved');
        expect(await repo.release(reserved(p.productId, 2, p.unitPrice, gone.orderId), RELEASED_AT)).toBe('not-reserved');
        expect((await repo.getProduct(p.productId))?.stock).toBe(5);
        expect(await repo.getReservation(none.orderId)).toBeUndefined();
        expect(await repo.getReservation(no.orderId)).toEqual<ReservationRecord>(no);
        expect(await repo.getReservation(gone.orderId)).toEqual<ReservationRecord>(gone);
      });

      it('a product that is gone: product-missing, nothing written (the product is not recreated, the record stays RESERVED)', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 5 });
        await repo.createProductIfAbsent(p);
        const reservation = reserved(p.productId, 2, p.unitPrice);
        await repo.reserve(reservation);
        await fixture.removeProduct(repo, p.productId);
        expect(await repo.release(reservation, RELEASED_AT)).toBe('product-missing');
        expect(await repo.getProduct(p.productId)).toBeUndefined();
        expect(await repo.getReservation(reservation.orderId)).toEqual<ReservationRecord>(reservation);
      });

      it('a tombstone is recorded only where the order has no record, and reads back as written', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 5 });
        await repo.createProductIfAbsent(p);
        const gone = tombstone(p.productId);
        expect(await repo.recordTombstone(gone)).toBe(true);
        expect(await repo.recordTombstone({ ...gone, createdAt: '2026-12-02T00:00:00.000Z' })).toBe(false);
        expect(await repo.getReservation(gone.orderId)).toEqual<ReservationRecord>(gone);
        const yes = reserved(p.productId, 1, p.unitPrice);
        await repo.reserve(yes);
        expect(await repo.recordTombstone(tombstone(p.productId, yes.orderId))).toBe(false);
        expect(await repo.getReservation(yes.orderId)).toEqual<ReservationRecord>(yes);
      });

      it('a tombstone stops a later reservation and a later rejection: nothing taken, the tombstone stays', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 5 });
        await repo.createProductIfAbsent(p);
        const gone = tombstone(p.productId);
        await repo.recordTombstone(gone);
        expect(await repo.reserve(reserved(p.productId, 2, p.unitPrice, gone.orderId))).toBe('already-recorded');
        expect(await repo.recordRejection(rejected(p.productId, gone.orderId))).toBe(false);
        expect((await repo.getProduct(p.productId))?.stock).toBe(5);
        expect(await repo.getReservation(gone.orderId)).toEqual<ReservationRecord>(gone);
      });

      it('a reservation racing a tombstone of the same order: exactly one records, and the stock agrees', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 20 });
        await repo.createProductIfAbsent(p);
        const races = await Promise.all(
          Array.from({ length: 8 }, async () => {
            const orderId = `O-${randomUUID()}`;
            const [reserveResult, tombstoned] = await Promise.all([
              repo.reserve(reserved(p.productId, 1, p.unitPrice, orderId)),
              repo.recordTombstone(tombstone(p.productId, orderId)),
            ]);
            return { orderId, reserveResult, tombstoned };
          }),
        );
        let taken = 0;
        for (const { orderId, reserveResult, tombstoned } of races) {
          expect([reserveResult === 'reserved', tombstoned]).toContain(true);
          expect(reserveResult === 'reserved' && tombstoned).toBe(false);
          const record = await repo.getReservation(orderId);
          expect(record?.status).toBe(tombstoned ? 'CANCELLED' : 'RESERVED');
          if (!tombstoned) taken++;
        }
        expect((await repo.getProduct(p.productId))?.stock).toBe(20 - taken);
      });
    });

    describe('the catalog management', () => {
      it('updateProduct changes only the fields given, answers before and after, and never touches the stock', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 7, unitPrice: 500, productName: 'Old' });
        await repo.createProductIfAbsent(p);
        expect(await repo.updateProduct(p.productId, { unitPrice: 650 })).toEqual({ previous: p, product: { ...p, unitPrice: 650 } });
        expect(await repo.updateProduct(p.productId, { productName: 'New' })).toEqual({
          previous: { ...p, unitPrice: 650 },
          product: { ...p, unitPrice: 650, productName: 'New' },
        });
        expect(await repo.updateProduct(p.productId, { productName: 'Both', unitPrice: 700 })).toMatchObject({
          product: { productName: 'Both', unitPrice: 700, stock: 7 },
        });
        expect(await repo.getProduct(p.productId)).toEqual({ ...p, productName: 'Both', unitPrice: 700 });
      });

      it('updateProduct of an unknown product is undefined and creates nothing', async () => {
        const repo = await fixture.repository();
        const id = `GONE-${randomUUID().slice(0, 8)}`;
        expect(await repo.updateProduct(id, { unitPrice: 1 })).toBeUndefined();
        expect(await repo.getProduct(id)).toBeUndefined();
      });

      it('a price change makes a reservation at the old price product-changed; at the new price it is reserved', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 5, unitPrice: 500 });
        await repo.createProductIfAbsent(p);
        await repo.updateProduct(p.productId, { unitPrice: 800 });
        const stale = reserved(p.productId, 1, 500);
        expect(await repo.reserve(stale)).toBe('product-changed');
        expect(await repo.getReservation(stale.orderId)).toBeUndefined();
        expect(await repo.reserve(reserved(p.productId, 1, 800))).toBe('reserved');
        expect(await repo.getProduct(p.productId)).toEqual({ ...p, unitPrice: 800, stock: 4 });
      });

      it('a reservation already recorded keeps its price after a price change', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 5, unitPrice: 500 });
        await repo.createProductIfAbsent(p);
        const before = reserved(p.productId, 2, 500);
        await repo.reserve(before);
        await repo.updateProduct(p.productId, { unitPrice: 900 });
        expect(await repo.getReservation(before.orderId)).toEqual<Reservation>(before);
      });

      it('adjustStock without a key changes the stock by delta, restock and write-off', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 5 });
        await repo.createProductIfAbsent(p);
        expect(await repo.adjustStock(p, 4)).toBe('adjusted');
        expect(await repo.getProduct(p.productId)).toEqual({ ...p, stock: 9 });
        expect(await repo.adjustStock({ ...p, stock: 9 }, -9)).toBe('adjusted');
        expect(await repo.getProduct(p.productId)).toEqual({ ...p, stock: 0 });
      });

      it('adjustStock with a record writes the stock and the record together; the record reads back as written', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 5 });
        await repo.createProductIfAbsent(p);
        const record = recordOf(p, 3);
        expect(await repo.adjustStock(p, 3, record)).toBe('adjusted');
        expect(await repo.getProduct(p.productId)).toEqual({ ...p, stock: 8 });
        expect(await repo.getAdjustment(record.idempotencyKey)).toEqual(record);
        expect(await repo.getAdjustment(`K-${randomUUID()}`)).toBeUndefined();
      });

      it('a key with a live record is key-taken: nothing written, the stock and the first record stay', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 5 });
        await repo.createProductIfAbsent(p);
        const first = recordOf(p, 3);
        await repo.adjustStock(p, 3, first);
        const after = { ...p, stock: 8 };
        const again = { ...recordOf(after, 3, first.idempotencyKey) };
        expect(await repo.adjustStock(after, 3, again)).toBe('key-taken');
        // Another product, same key: the key is taken all the same.
        const other = product({ stock: 1 });
        await repo.createProductIfAbsent(other);
        expect(await repo.adjustStock(other, 1, recordOf(other, 1, first.idempotencyKey))).toBe('key-taken');
        expect(await repo.getProduct(p.productId)).toEqual(after);
        expect(await repo.getProduct(other.productId)).toEqual(other);
        expect(await repo.getAdjustment(first.idempotencyKey)).toEqual(first);
      });

      it('never takes the stock below 0: a write-off of more than the stock writes nothing, not even its record', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 3 });
        await repo.createProductIfAbsent(p);
        const record = recordOf(p, -4);
        expect(await repo.adjustStock(p, -4, record)).toBe('product-changed');
        expect(await repo.getProduct(p.productId)).toEqual(p);
        expect(await repo.getAdjustment(record.idempotencyKey)).toBeUndefined();
        expect(await repo.adjustStock(p, -3)).toBe('adjusted');
        expect((await repo.getProduct(p.productId))?.stock).toBe(0);
      });

      it.each([
        ['its stock moved', { stock: 4 }],
        ['its price moved', { unitPrice: 501 }],
        ['its name changed', { productName: 'Renamed' }],
      ])('writes nothing when the product is no longer as read (%s): product-changed', async (_why, change) => {
        const repo = await fixture.repository();
        const p = product({ stock: 5, unitPrice: 500 });
        await repo.createProductIfAbsent(p);
        await fixture.setProduct(repo, { ...p, ...change });
        const record = recordOf(p, 2);
        expect(await repo.adjustStock(p, 2, record)).toBe('product-changed');
        expect(await repo.getProduct(p.productId)).toEqual({ ...p, ...change });
        expect(await repo.getAdjustment(record.idempotencyKey)).toBeUndefined();
      });

      it('adjusts nothing for a product that does not exist', async () => {
        const repo = await fixture.repository();
        const ghost = product({ productId: `GONE-${randomUUID().slice(0, 8)}` });
        const record = recordOf(ghost, 2);
        expect(await repo.adjustStock(ghost, 2, record)).toBe('product-changed');
        expect(await repo.getProduct(ghost.productId)).toBeUndefined();
        expect(await repo.getAdjustment(record.idempotencyKey)).toBeUndefined();
      });

      it('an expired record no longer counts (TTL deletes lazily): not read, and its key can be used again', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 5 });
        await repo.createProductIfAbsent(p);
        const old = recordOf(p, 1, `K-${randomUUID()}`, -60);
        expect(await repo.adjustStock(p, 1, old)).toBe('adjusted');
        expect(await repo.getAdjustment(old.idempotencyKey)).toBeUndefined();
        const after = { ...p, stock: 6 };
        const fresh = recordOf(after, 2, old.idempotencyKey);
        expect(await repo.adjustStock(after, 2, fresh)).toBe('adjusted');
        expect(await repo.getAdjustment(old.idempotencyKey)).toEqual(fresh);
        expect((await repo.getProduct(p.productId))?.stock).toBe(8);
      });
    });

    describe('the catalog management through the service, racing', () => {
      it('restocks racing reservations lose no update: final stock = initial - reserved + restocked', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 12, unitPrice: 500 });
        await repo.createProductIfAbsent(p);
        const service = new CatalogService(repo);
        const results = await Promise.all([
          ...Array.from({ length: 20 }, (_, i) =>
            service.reserveStock({ orderId: `O-${randomUUID()}-${i}`, productId: p.productId, qty: 1 }),
          ),
          ...Array.from({ length: 10 }, (_, i) =>
            service.adjustStock({ productId: p.productId, delta: 3, ...(i % 2 === 0 ? { idempotencyKey: `K-${randomUUID()}` } : {}) }),
          ),
        ]);
        const reservations = results.slice(0, 20) as Array<Awaited<ReturnType<CatalogService['reserveStock']>>>;
        const reservedCount = reservations.filter((r) => r.reservation?.status === 'RESERVED').length;
        expect(reservedCount).toBeGreaterThanOrEqual(12);
        expect((await repo.getProduct(p.productId))?.stock).toBe(12 - reservedCount + 30);
      });

      it('write-offs racing reservations never take the stock below 0, and lose no update either', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 10, unitPrice: 500 });
        await repo.createProductIfAbsent(p);
        const service = new CatalogService(repo);
        const settled = await Promise.allSettled([
          ...Array.from({ length: 10 }, (_, i) =>
            service.reserveStock({ orderId: `O-${randomUUID()}-${i}`, productId: p.productId, qty: 1 }),
          ),
          ...Array.from({ length: 5 }, () => service.adjustStock({ productId: p.productId, delta: -3 })),
        ]);
        const reserved = settled
          .slice(0, 10)
          .filter((r) => r.status === 'fulfilled' && (r.value as { reservation: Reservation }).reservation.status === 'RESERVED').length;
        const writeOffs = settled.slice(10);
        const refused = writeOffs.filter((r) => r.status === 'rejected');
        for (const r of refused) expect(r.reason).toMatchObject({ code: 'INSUFFICIENT_STOCK' });
        const applied = writeOffs.length - refused.length;
        const stock = (await repo.getProduct(p.productId))?.stock;
        expect(stock).toBe(10 - reserved - 3 * applied);
        expect(stock).toBeGreaterThanOrEqual(0);
      });

      it('price changes racing reservations lose none of their stock, and each reservation records the price it was taken at', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 20, unitPrice: 500 });
        await repo.createProductIfAbsent(p);
        const service = new CatalogService(repo);
        const results = await Promise.all([
          ...Array.from({ length: 12 }, (_, i) =>
            service.reserveStock({ orderId: `O-${randomUUID()}-${i}`, productId: p.productId, qty: 1 }),
          ),
          ...[600, 700, 800].map((unitPrice) => service.updateProduct(p.productId, { unitPrice })),
        ]);
        const reservations = results.slice(0, 12) as Array<Awaited<ReturnType<CatalogService['reserveStock']>>>;
        expect(reservations.every((r) => r.reservation?.status === 'RESERVED')).toBe(true);
        expect((await repo.getProduct(p.productId))?.stock).toBe(8);
        for (const { reservation } of reservations) {
          expect([500, 600, 700, 800]).toContain((reservation as { unitPrice: number }).unitPrice);
          expect(await repo.getReservation(reservation!.orderId)).toEqual(reservation);
        }
      });

      it('one key sent five times at once applies once, and every answer is the same', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 5 });
        await repo.createProductIfAbsent(p);
        const service = new CatalogService(repo);
        const key = `K-${randomUUID()}`;
        const answers = await Promise.all(
          Array.from({ length: 5 }, () => service.adjustStock({ productId: p.productId, delta: 4, idempotencyKey: key })),
        );
        expect((await repo.getProduct(p.productId))?.stock).toBe(9);
        expect(answers.filter((a) => !a.repeated)).toHaveLength(1);
        for (const answer of answers) expect(answer.adjustment).toEqual(answers[0]?.adjustment);
        expect(answers[0]?.adjustment.product).toEqual({ ...p, stock: 9 });
      });

      it('the same key with another delta or another product is IDEMPOTENCY_KEY_REUSED, and changes nothing', async () => {
        const repo = await fixture.repository();
        const p = product({ stock: 5 });
        const q = product({ stock: 5 });
        await repo.createProductIfAbsent(p);
        await repo.createProductIfAbsent(q);
        const service = new CatalogService(repo);
        const key = `K-${randomUUID()}`;
        await service.adjustStock({ productId: p.productId, delta: 2, idempotencyKey: key });
        const reused = new ConflictError('IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was already used with a different request');
        await expect(service.adjustStock({ productId: p.productId, delta: 3, idempotencyKey: key })).rejects.toEqual(reused);
        await expect(service.adjustStock({ productId: q.productId, delta: 2, idempotencyKey: key })).rejects.toEqual(reused);
        expect((await repo.getProduct(p.productId))?.stock).toBe(7);
        expect((await repo.getProduct(q.productId))?.stock).toBe(5);
      });
    });
  });
}
