import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError } from '../../shared/domain-errors.js';
import type { Page } from '../../shared/pagination.js';
import { SEED_PRODUCTS, type NewProduct, type PriceChange, type Product, type ProductChanges } from './product.js';
import type {
  CancellationTombstone,
  RejectionReason,
  ReleasedReservation,
  ReleaseOutcome,
  ReleaseResult,
  Reservation,
  ReservationRecord,
  ReserveResult,
  StockRelease,
  StockRequest,
} from './reservation.js';
import {
  ADJUSTMENT_KEY_TTL_SECONDS,
  adjustmentFingerprint,
  adjustmentOf,
  type AdjustmentRecord,
  type AdjustResult,
  type StockAdjustment,
} from './stock-adjustment.js';

export interface CatalogRepository {
  /** `nextToken` from the page before (InvalidPageTokenError if it is not one). */
  listProducts(limit: number, nextToken?: string): Promise<Page<Product>>;
  getProduct(productId: string): Promise<Product | undefined>;
  /** Stores the product unless one with its id exists; returns whether it was created. */
  createProductIfAbsent(product: Product): Promise<boolean>;
  /** The catalog's record of an order (an answer, a release or a tombstone), if any. */
  getReservation(orderId: string): Promise<ReservationRecord | undefined>;
  /**
   * In one transaction: lowers the product's stock by qty only if stock >= qty and its price is still
   * `reservation.unitPrice`, and records the reservation only if the order has no record yet.
   */
  reserve(reservation: Reservation & { status: 'RESERVED' }): Promise<ReserveResult>;
  /** Records a rejection unless the order already has a record; returns whether it was recorded. */
  recordRejection(reservation: Reservation & { status: 'REJECTED' }): Promise<boolean>;
  /**
   * In one transaction: turns the order's record RELEASED (at `releasedAt`) only if it is still RESERVED, and
   * raises the product's stock by the reservation's qty. So a reservation's stock comes back at most once.
   */
  release(reservation: Reservation & { status: 'RESERVED' }, releasedAt: string): Promise<ReleaseResult>;
  /** Records a cancelled order's tombstone unless the order already has a record; returns whether it was recorded. */
  recordTombstone(tombstone: CancellationTombstone): Promise<boolean>;
  /**
   * Sets the product's name and/or price in one write (its stock untouched, so no reservation's stock change is
   * lost); returns the product before and after, or undefined when there is no such product.
   */
  updateProduct(productId: string, changes: ProductChanges): Promise<{ previous: Product; product: Product } | undefined>;
  /**
   * In one transaction: changes the product's stock by `delta` only if the product is still exactly `expected`
   * (so the answer, `expected` with the new stock, is the product as written) and the stock stays at 0 or above;
   * and, when given, records the adjustment under its Idempotency-Key only if the key has no live record.
   */
  adjustStock(expected: Product, delta: number, record?: AdjustmentRecord): Promise<AdjustResult>;
  /** The live record of an Idempotency-Key (one whose `expiresAt` has not passed), if any. */
  getAdjustment(idempotencyKey: string): Promise<AdjustmentRecord | undefined>;
}

const MAX_RESERVE_ATTEMPTS = 10;
/** A record only moves forward (none -> RESERVED -> RELEASED), so a release re-reads at most twice. */
const MAX_RELEASE_ATTEMPTS = 3;

/**
 * The catalog's answer to an order's OrderPlaced: `reservation` (RESERVED or REJECTED; `duplicate` when it was
 * recorded before), or `cancelled` when the order was cancelled first (a tombstone) or since (released): then
 * nothing is reserved and nothing is answered, since the order has moved on.
 */
export type ReserveAnswer =
  | { reservation: Reservation; duplicate: boolean; cancelled?: undefined }
  | { cancelled: ReleasedReservation | CancellationTombstone; reservation?: undefined; duplicate?: undefined };
/**
 * An adjustment loses its turn to any write of the product between its read and its transaction (a reservation,
 * another adjustment, a price change); each loss costs a re-read and a short jittered pause, 10 ms growing to
 * 100 ms: 20 turns wait about 1.6 s in all, well inside an HTTP function's 10 s (functions/catalogs/README.md,
 * "A hot product": at most 5 reservations of one product are in flight at a time).
 */
const MAX_ADJUST_ATTEMPTS = 20;
const adjustPauseMs = (attempt: number) => Math.min(5 * 2 ** attempt, 100) * (0.5 + Math.random());

export interface AdjustStock {
  productId: string;
  /** Non-zero: a restock (> 0) or a write-off (< 0). */
  delta: number;
  idempotencyKey?: string;
}

export interface ProductUpdate {
  product: Product;
  /** Only when the price moved. */
  priceChange?: PriceChange;
}

export class CatalogService {
  constructor(
    private readonly products: CatalogRepository,
    private readonly now: () => Date = () => new Date(),
    private readonly newId: () => string = randomUUID,
  ) {}

  listProducts(limit: number, nextToken?: string): Promise<Page<Product>> {
    return this.products.listProducts(limit, nextToken);
  }

  getProduct(productId: string): Promise<Product | undefined> {
    return this.products.getProduct(productId);
  }

  /** Loads the seed catalog. Idempotent: an existing product (and its current stock) is left alone. */
  async seed(): Promise<{ created: string[]; existing: string[] }> {
    const createdAt = this.now().toISOString();
    const created: string[] = [];
    const existing: string[] = [];
    for (const product of SEED_PRODUCTS) {
      const wasCreated = await this.products.createProductIfAbsent({
        ...product,
        createdAt,
      });
      (wasCreated ? created : existing).push(product.productId);
    }
    return { created, existing };
  }

  /** Adds a product (admin). An existing id is a conflict: 409 PRODUCT_EXISTS, and the product stays as it is. */
  async createProduct(draft: NewProduct): Promise<Product> {
    const product: Product = { ...draft, createdAt: this.now().toISOString() };
    if (!(await this.products.createProductIfAbsent(product))) {
      throw new ConflictError('PRODUCT_EXISTS', `Product ${draft.productId} already exists`);
    }
    return product;
  }

  /**
   * Renames a product or changes its price (admin). A new price applies to the orders reserved after it: a
   * reservation writes its stock only at the price it read (reserveStock: a stale price costs a re-read), and
   * records that price, so an order already reserved or confirmed keeps its own.
   */
  async updateProduct(productId: string, changes: ProductChanges): Promise<ProductUpdate> {
    const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as ProductChanges;
    if (Object.keys(given).length === 0) {
      const product = await this.products.getProduct(productId);
      if (!product) throw new NotFoundError(`Product ${productId} not found`);
      return { product };
    }
    const updated = await this.products.updateProduct(productId, given);
    if (!updated) throw new NotFoundError(`Product ${productId} not found`);
    const { previous, product } = updated;
    if (previous.unitPrice === product.unitPrice) return { product };
    return {
      product,
      priceChange: {
        changeId: this.newId(),
        productId,
        previousUnitPrice: previous.unitPrice,
        unitPrice: product.unitPrice,
        changedAt: this.now().toISOString(),
      },
    };
  }

  /**
   * Restocks or writes off (admin). The stock never goes below 0 (409 INSUFFICIENT_STOCK) and no concurrent write
   * is lost: the transaction changes the stock only if the product is still as read, else it is read again. With
   * an Idempotency-Key, the key's record is written in that same transaction with the answer: a repeat of the
   * same request applies nothing and gets that answer again (`repeated: true`); the same key with another request
   * (another product or delta) is 409 IDEMPOTENCY_KEY_REUSED. A refused adjustment records nothing.
   */
  async adjustStock(command: AdjustStock): Promise<{ adjustment: StockAdjustment; repeated: boolean }> {
    const { productId, delta, idempotencyKey } = command;
    const fingerprint = adjustmentFingerprint(productId, delta);
    if (idempotencyKey !== undefined) {
      const recorded = await this.products.getAdjustment(idempotencyKey);
      if (recorded) return this.repeatOf(recorded, fingerprint);
    }
    for (let attempt = 0; attempt < MAX_ADJUST_ATTEMPTS; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, adjustPauseMs(attempt)));
      const product = await this.products.getProduct(productId);
      if (!product) throw new NotFoundError(`Product ${productId} not found`);
      if (product.stock + delta < 0) {
        throw new ConflictError('INSUFFICIENT_STOCK', `Product ${productId} has ${product.stock} in stock: ${delta} would take it below 0`);
      }
      const now = this.now();
      const adjustment: StockAdjustment = {
        adjustmentId: this.newId(),
        productId,
        delta,
        product: { ...product, stock: product.stock + delta },
        createdAt: now.toISOString(),
      };
      const record: AdjustmentRecord | undefined =
        idempotencyKey === undefined
          ? undefined
          : { ...adjustment, idempotencyKey, fingerprint, expiresAt: Math.floor(now.getTime() / 1000) + ADJUSTMENT_KEY_TTL_SECONDS };
      const result = await this.products.adjustStock(product, delta, record);
      if (result === 'adjusted') return { adjustment, repeated: false };
      if (result === 'key-taken' && idempotencyKey !== undefined) {
        // A concurrent request with the same key came first.
        const recorded = await this.products.getAdjustment(idempotencyKey);
        if (!recorded) throw new Error(`the record of Idempotency-Key ${idempotencyKey} is missing`);
        return this.repeatOf(recorded, fingerprint);
      }
      // product-changed: another write came between the read and the transaction. Read again.
    }
    throw new Error(`could not adjust the stock of ${productId} after ${MAX_ADJUST_ATTEMPTS} attempts`);
  }

  private repeatOf(recorded: AdjustmentRecord, fingerprint: string): { adjustment: StockAdjustment; repeated: boolean } {
    if (recorded.fingerprint !== fingerprint) {
      throw new ConflictError('IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was already used with a different request');
    }
    return { adjustment: adjustmentOf(recorded), repeated: true };
  }

  /**
   * Answers an order: reserves its stock at the catalog's price, or rejects it. Never oversells (the
   * stock check is a condition of the write) and answers each order once: a redelivered request
   * changes nothing and gets the recorded answer again (`duplicate: true`), so it can be re-sent.
   * Every write is conditioned on the order having no record, so an order cancelled first (its tombstone)
   * or since (released) is never reserved: it gets `cancelled` instead.
   * The happy path is one transaction: the price last seen for the product is the expected price, a
   * condition of that same write, so a stale one only costs a re-read and another attempt.
   */
  async reserveStock(request: StockRequest): Promise<ReserveAnswer> {
    for (let attempt = 0; attempt < MAX_RESERVE_ATTEMPTS; attempt++) {
      let unitPrice = this.lastSeenPrices.get(request.productId);
      if (unitPrice === undefined) {
        const product = await this.products.getProduct(request.productId);
        if (!product) return this.reject(request, 'UNKNOWN_PRODUCT');
        unitPrice = this.rememberPrice(product);
      }
      const reservation = {
        ...request,
        createdAt: this.now().toISOString(),
        status: 'RESERVED',
        unitPrice,
      } as const;
      const result = await this.products.reserve(reservation);
      if (result === 'reserved') return { reservation, duplicate: false };
      if (result === 'already-recorded') return this.recorded(request.orderId);
      // Nothing written: the stock is short, the price moved, or the product is gone. Look again.
      const product = await this.products.getProduct(request.productId);
      if (!product) return this.reject(request, 'UNKNOWN_PRODUCT');
      if (product.stock < request.qty) return this.reject(request, 'OUT_OF_STOCK');
      this.rememberPrice(product);
    }
    throw new Error(`could not answer order ${request.orderId} after ${MAX_RESERVE_ATTEMPTS} attempts`);
  }

  private readonly lastSeenPrices = new Map<string, number>();

  private rememberPrice(product: Product): number {
    if (this.lastSeenPrices.size >= 10_000) this.lastSeenPrices.clear();
    this.lastSeenPrices.set(product.productId, product.unitPrice);
    return product.unitPrice;
  }

  private async reject(request: StockRequest, reason: RejectionReason): Promise<ReserveAnswer> {
    const rejection = {
      ...request,
      createdAt: this.now().toISOString(),
      status: 'REJECTED',
      reason,
    } as const;
    if (await this.products.recordRejection(rejection)) return { reservation: rejection, duplicate: false };
    return this.recorded(request.orderId);
  }

  /** What the order's record says, once a write found one: the recorded answer, or the order's cancellation. */
  private async recorded(orderId: string): Promise<ReserveAnswer> {
    const record = await this.products.getReservation(orderId);
    if (!record) throw new Error(`the recorded answer for order ${orderId} is missing`);
    if (record.status === 'RELEASED' || record.status === 'CANCELLED') return { cancelled: record };
    return { reservation: record, duplicate: true };
  }

  /**
   * Gives back what the catalog took for a cancelled order, from its own record, whatever arrived first:
   * - RESERVED: RELEASED and the stock back, in one transaction conditioned on RESERVED (so exactly once);
   * - no record: a tombstone (written only where there is no record), so a late OrderPlaced reserves nothing;
   * - REJECTED: nothing was taken; RELEASED or a tombstone: a repeated cancel, nothing written.
   * A write that finds another one came first (a reservation racing the tombstone, another delivery of the cancel)
   * reads the record again and acts on it. The answer is the same for every delivery of one cancel (`releasedQty`:
   * what the record gave back, on this delivery or an earlier one), so it can be re-sent.
   */
  async releaseStock(request: StockRequest): Promise<{ release: StockRelease; outcome: ReleaseOutcome }> {
    const answer = (releasedQty: number, releasedAt: string, outcome: ReleaseOutcome) => ({
      release: { ...request, releasedQty, releasedAt },
      outcome,
    });
    for (let attempt = 0; attempt < MAX_RELEASE_ATTEMPTS; attempt++) {
      const record = await this.products.getReservation(request.orderId);
      const now = this.now().toISOString();
      if (!record) {
        const tombstone = { ...request, createdAt: now, status: 'CANCELLED' } as const;
        if (await this.products.recordTombstone(tombstone)) return answer(0, now, 'tombstoned');
        continue;
      }
      switch (record.status) {
        case 'RESERVED': {
          const result = await this.products.release(record, now);
          if (result === 'released') return answer(record.qty, now, 'released');
          if (result === 'product-missing')
            throw new Error(`product ${record.productId} of order ${record.orderId} is gone: its stock cannot come back`);
          continue;
        }
        case 'RELEASED':
          return answer(record.qty, record.releasedAt, 'repeated');
        case 'CANCELLED':
          return answer(0, record.createdAt, 'repeated');
        case 'REJECTED':
          // Nothing recorded for this cancel: the answer's time is when it was answered.
          return answer(0, now, 'nothing-reserved');
      }
    }
    throw new Error(`could not release the stock of order ${request.orderId} after ${MAX_RELEASE_ATTEMPTS} attempts`);
  }
}
