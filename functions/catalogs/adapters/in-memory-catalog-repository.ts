import type { Page } from '../../shared/pagination.js';
import { productKey, productPageTokens as pageTokens } from './product-keys.js';
import type { CatalogRepository } from '../domain/catalog-service.js';
import type { Product, ProductChanges } from '../domain/product.js';
import type { CancellationTombstone, ReleaseResult, Reservation, ReservationRecord, ReserveResult } from '../domain/reservation.js';
import type { AdjustmentRecord, AdjustResult } from '../domain/stock-adjustment.js';

/**
 * The catalog port in memory, for unit tests: the DynamoDB adapter's conditions, checked by the same
 * contract suite (catalog-repository.contract.ts) against both. Products are listed in id order.
 * `beforeReserve`, `beforeAdjust` and `beforeCancel` run once, just before the next reserve, adjustment, or
 * release or tombstone decides: a test's concurrent writer. `nowSeconds` is the clock an Idempotency-Key's record is judged by (the adapter's is the wall clock).
 */
export class InMemoryCatalogRepository implements CatalogRepository {
  readonly products = new Map<string, Product>();
  /** The ledger's record of each order: an answer, a release or a tombstone. */
  readonly reservations = new Map<string, ReservationRecord>();
  /** Adjustment records by Idempotency-Key (the ledger's ADJUSTMENT items). */
  readonly adjustments = new Map<string, AdjustmentRecord>();
  beforeReserve: (() => void) | undefined;
  beforeAdjust: (() => void) | undefined;
  beforeCancel: (() => void) | undefined;
  nowSeconds: () => number = () => Math.floor(Date.now() / 1000);

  constructor(products: readonly Product[] = []) {
    for (const product of products) this.products.set(product.productId, { ...product });
  }

  async listProducts(limit: number, nextToken?: string): Promise<Page<Product>> {
    const cursor = pageTokens.decode(nextToken);
    const sorted = [...this.products.values()].sort((a, b) => a.productId.localeCompare(b.productId));
    const rest = cursor ? sorted.filter((product) => productKey(product.productId).pk > String(cursor.pk)) : sorted;
    const items = rest.slice(0, limit).map((product) => ({ ...product }));
    const last = items[limit - 1];
    return last && rest.length > limit ? { items, nextToken: pageTokens.after(productKey(last.productId)) } : { items };
  }

  async getProduct(productId: string): Promise<Product | undefined> {
    const product = this.products.get(productId);
    return product ? { ...product } : undefined;
  }

  async createProductIfAbsent(product: Product): Promise<boolean> {
    if (this.products.has(product.productId)) return false;
    this.products.set(product.productId, { ...product });
    return true;
  }

  async getReservation(orderId: string): Promise<ReservationRecord | undefined> {
    const reservation = this.reservations.get(orderId);
    return reservation ? { ...reservation } : undefined;
  }

  async reserve(reservation: Reservation & { status: 'RESERVED' }): Promise<ReserveResult> {
    this.interfere('beforeReserve');
    if (this.reservations.has(reservation.orderId)) return 'already-recorded';
    const product = this.products.get(reservation.productId);
    if (!product || product.stock < reservation.qty || product.unitPrice !== reservation.unitPrice) return 'product-changed';
    product.stock -= reservation.qty;
    this.reservations.set(reservation.orderId, { ...reservation });
    return 'reserved';
  }

  async recordRejection(reservation: Reservation & { status: 'REJECTED' }): Promise<boolean> {
    if (this.reservations.has(reservation.orderId)) return false;
    this.reservations.set(reservation.orderId, { ...reservation });
    return true;
  }

  async release(reservation: Reservation & { status: 'RESERVED' }, releasedAt: string): Promise<ReleaseResult> {
    this.interfere('beforeCancel');
    const record = this.reservations.get(reservation.orderId);
    if (record?.status !== 'RESERVED') return 'not-reserved';
    const product = this.products.get(record.productId);
    if (!product) return 'product-missing';
    product.stock += record.qty;
    this.reservations.set(record.orderId, { ...record, status: 'RELEASED', releasedAt });
    return 'released';
  }

  async recordTombstone(tombstone: CancellationTombstone): Promise<boolean> {
    this.interfere('beforeCancel');
    if (this.reservations.has(tombstone.orderId)) return false;
    this.reservations.set(tombstone.orderId, { ...tombstone });
    return true;
  }

  async updateProduct(productId: string, changes: ProductChanges): Promise<{ previous: Product; product: Product } | undefined> {
    const stored = this.products.get(productId);
    if (!stored) return undefined;
    const previous = { ...stored };
    if (changes.productName !== undefined) stored.productName = changes.productName;
    if (changes.unitPrice !== undefined) stored.unitPrice = changes.unitPrice;
    return { previous, product: { ...stored } };
  }

  async adjustStock(expected: Product, delta: number, record?: AdjustmentRecord): Promise<AdjustResult> {
    this.interfere('beforeAdjust');
    const product = this.products.get(expected.productId);
    const unchanged =
      product !== undefined &&
      product.stock === expected.stock &&
      product.unitPrice === expected.unitPrice &&
      product.productName === expected.productName;
    if (record && this.live(this.adjustments.get(record.idempotencyKey))) return 'key-taken';
    if (!product || !unchanged || product.stock + delta < 0) return 'product-changed';
    product.stock += delta;
    if (record) this.adjustments.set(record.idempotencyKey, structuredClone(record));
    return 'adjusted';
  }

  async getAdjustment(idempotencyKey: string): Promise<AdjustmentRecord | undefined> {
    const record = this.adjustments.get(idempotencyKey);
    return this.live(record) ? structuredClone(record) : undefined;
  }

  /** Runs a test's concurrent writer once: the hook is cleared before it runs. */
  private interfere(hook: 'beforeReserve' | 'beforeAdjust' | 'beforeCancel') {
    const interfere = this[hook];
    this[hook] = undefined;
    interfere?.();
  }

  /** An expired record may still be stored (the ledger's TTL deletes lazily): it no longer counts. */
  private live(record: AdjustmentRecord | undefined): record is AdjustmentRecord {
    return record !== undefined && record.expiresAt >= this.nowSeconds();
  }
}
