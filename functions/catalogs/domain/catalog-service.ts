import type { KeyedPage, PageCursor } from '../../shared/pagination.js';
import { SEED_PRODUCTS, type Product } from './product.js';

export interface CatalogRepository {
  listProducts(limit: number, cursor?: PageCursor): Promise<KeyedPage<Product>>;
  getProduct(productId: string): Promise<Product | undefined>;
  /** Stores the product unless one with its id exists; returns whether it was created. */
  createProductIfAbsent(product: Product): Promise<boolean>;
}

export class CatalogService {
  constructor(
    private readonly products: CatalogRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  listProducts(limit: number, cursor?: PageCursor): Promise<KeyedPage<Product>> {
    return this.products.listProducts(limit, cursor);
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
      const wasCreated = await this.products.createProductIfAbsent({ ...product, createdAt });
      (wasCreated ? created : existing).push(product.productId);
    }
    return { created, existing };
  }
}
