import { PageTokens, type Page } from '../../shared/pagination.js';
import type { CatalogRepository } from '../domain/catalog-service.js';
import type { Product } from '../domain/product.js';
import type { Reservation, ReserveResult } from '../domain/reservation.js';

/** Pages go on after a product's keys, in the DynamoDB adapter's token shape. */
const pageTokens = new PageTokens(['pk', 'sk'], ({ pk, sk }) => typeof pk === 'string' && pk.startsWith('PRODUCT#') && sk === 'PRODUCT');

/**
 * The catalog port in memory, for unit tests: the DynamoDB adapter's conditions, checked by the same
 * contract suite (catalog-repository.contract.ts) against both. Products are listed in id order.
 * `beforeReserve` runs once, just before the next reserve decides: a test's concurrent writer.
 */
export class InMemoryCatalogRepository implements CatalogRepository {
  readonly products = new Map<string, Product>();
  readonly reservations = new Map<string, Reservation>();
  beforeReserve: (() => void) | undefined;

  constructor(products: readonly Product[] = []) {
    for (const product of products) this.products.set(product.productId, { ...product });
  }

  async listProducts(limit: number, nextToken?: string): Promise<Page<Product>> {
    const cursor = pageTokens.decode(nextToken);
    const sorted = [...this.products.values()].sort((a, b) => a.productId.localeCompare(b.productId));
    const rest = cursor ? sorted.filter((product) => `PRODUCT#${product.productId}` > String(cursor.pk)) : sorted;
    const items = rest.slice(0, limit).map((product) => ({ ...product }));
    const last = items[limit - 1];
    return last && rest.length > limit
      ? { items, nextToken: pageTokens.after({ pk: `PRODUCT#${last.productId}`, sk: 'PRODUCT' }) }
      : { items };
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

  async getReservation(orderId: string): Promise<Reservation | undefined> {
    const reservation = this.reservations.get(orderId);
    return reservation ? { ...reservation } : undefined;
  }

  async reserve(reservation: Reservation & { status: 'RESERVED' }): Promise<ReserveResult> {
    const interfere = this.beforeReserve;
    this.beforeReserve = undefined;
    interfere?.();
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
}
