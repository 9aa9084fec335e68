import type { Page } from '../../shared/pagination.js';
import { SEED_PRODUCTS, type Product } from './product.js';
import type { RejectionReason, Reservation, ReserveResult, StockRequest } from './reservation.js';

export interface CatalogRepository {
  /** `nextToken` from the page before (InvalidPageTokenError if it is not one). */
  listProducts(limit: number, nextToken?: string): Promise<Page<Product>>;
  getProduct(productId: string): Promise<Product | undefined>;
  /** Stores the product unless one with its id exists; returns whether it was created. */
  createProductIfAbsent(product: Product): Promise<boolean>;
  /** The answer already recorded for an order, if any. */
  getReservation(orderId: string): Promise<Reservation | undefined>;
  /**
   * In one transaction: lowers the product's stock by qty only if stock >= qty and its price is still
   * `reservation.unitPrice`, and records the reservation only if the order has no answer yet.
   */
  reserve(reservation: Reservation & { status: 'RESERVED' }): Promise<ReserveResult>;
  /** Records a rejection unless the order already has an answer; returns whether it was recorded. */
  recordRejection(reservation: Reservation & { status: 'REJECTED' }): Promise<boolean>;
}

const MAX_RESERVE_ATTEMPTS = 10;

export class CatalogService {
  constructor(
    private readonly products: CatalogRepository,
    private readonly now: () => Date = () => new Date(),
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

  /**
   * Answers an order: reserves its stock at the catalog's price, or rejects it. Never oversells (the
   * stock check is a condition of the write) and answers each order once: a redelivered request
   * changes nothing and gets the recorded answer again (`duplicate: true`), so it can be re-sent.
   * The happy path is one transaction: the price last seen for the product is the expected price, a
   * condition of that same write, so a stale one only costs a re-read and another attempt.
   */
  async reserveStock(request: StockRequest): Promise<{ reservation: Reservation; duplicate: boolean }> {
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

  private async reject(request: StockRequest, reason: RejectionReason): Promise<{ reservation: Reservation; duplicate: boolean }> {
    const rejection = {
      ...request,
      createdAt: this.now().toISOString(),
      status: 'REJECTED',
      reason,
    } as const;
    if (await this.products.recordRejection(rejection)) return { reservation: rejection, duplicate: false };
    return this.recorded(request.orderId);
  }

  private async recorded(orderId: string): Promise<{ reservation: Reservation; duplicate: boolean }> {
    const reservation = await this.products.getReservation(orderId);
    if (!reservation) throw new Error(`the recorded answer for order ${orderId} is missing`);
    return { reservation, duplicate: true };
  }
}
