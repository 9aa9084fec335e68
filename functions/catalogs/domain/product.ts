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
