// The catalogs context's HTTP routes (docs/http-api.md, "Where the contract is"): what each accepts and answers.
import { defineRoute, listOf } from '../shared/http/route.js';
import { pageQuerySchema } from '../shared/pagination.js';
import * as z from '../shared/schema.js';
import { PRODUCT_ID_PATTERN } from './domain/product.js';

const TAG = 'catalogs';

const product = z.object({
  productId: z.string(),
  productName: z.string(),
  unitPrice: z.number(),
  stock: z.int(),
  createdAt: z.string(),
});

export const listCatalogs = defineRoute({
  method: 'GET',
  path: '/catalogs',
  tag: TAG,
  summary: 'List the products',
  request: { query: pageQuerySchema },
  responses: { 200: { description: 'A page of products', body: listOf(product) } },
});

export const getCatalog = defineRoute({
  method: 'GET',
  path: '/catalogs/{productId}',
  tag: TAG,
  summary: 'One product (strongly consistent)',
  request: { path: z.object({ productId: z.string().check(z.regex(PRODUCT_ID_PATTERN, 'must be 1-64 letters, digits, - or _')) }) },
  responses: { 200: { description: 'The product', body: product } },
  errors: { 404: 'NOT_FOUND: no such product' },
});
