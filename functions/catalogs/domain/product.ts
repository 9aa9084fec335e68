/** The catalogs context's model. No AWS imports here: repositories are ports, adapters implement them. */
export interface Product {
  productId: string;
  productName: string;
  /** Price of one unit, in the smallest currency unit the original used (whole numbers). */
  unitPrice: number;
  stock: number;
  createdAt: string;
}

export const PRODUCT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The bounds an admin's product must keep (DESIGN: "Roles and catalog management"). */
export const MAX_PRODUCT_NAME_LENGTH = 100;
export const MAX_UNIT_PRICE = 1_000_000_000;
/** The stock a product may be created with; adjustments may take it higher, never below 0. */
export const MAX_INITIAL_STOCK = 1_000_000;
/** One adjustment adds or takes at most this many units. */
export const MAX_STOCK_DELTA = 1_000_000;

/** A product as an admin creates it: the catalog stamps `createdAt`. */
export type NewProduct = Omit<Product, 'createdAt'>;

/** What an admin may change on a product: its name and price, never its stock (that is an adjustment). */
export interface ProductChanges {
  productName?: string;
  unitPrice?: number;
}

/**
 * A product's price moved. Orders reserved from now on are reserved at `unitPrice`; a reservation already
 * recorded keeps the price it was made at (reservation.ts), so no confirmed order changes.
 */
export interface PriceChange {
  /** One id per change: the event's id (`<changeId>:ProductPriceChanged`). */
  changeId: string;
  productId: string;
  previousUnitPrice: number;
  unitPrice: number;
  changedAt: string;
}

/** The original sample's data.sql, kept so clients of the original see the same catalog. */
export const SEED_PRODUCTS: ReadonlyArray<Omit<Product, 'createdAt'>> = [
  {
    productId: 'CATALOG-001',
    productName: 'Berlin',
    stock: 100,
    unitPrice: 1500,
  },
  {
    productId: 'CATALOG-002',
    productName: 'Tokyo',
    stock: 110,
    unitPrice: 1000,
  },
  {
    productId: 'CATALOG-003',
    productName: 'Stockholm',
    stock: 120,
    unitPrice: 2000,
  },
];
