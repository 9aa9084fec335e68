// The catalogs context's HTTP routes (docs/http-api.md, "Where the contract is"): what each accepts and answers.
import { idempotencyKeyHeader } from '../shared/http/idempotency-key.js';
import { defineRoute, listOf } from '../shared/http/route.js';
import { pageQuerySchema } from '../shared/pagination.js';
import * as z from '../shared/schema.js';
import { MAX_INITIAL_STOCK, MAX_PRODUCT_NAME_LENGTH, MAX_STOCK_DELTA, MAX_UNIT_PRICE, PRODUCT_ID_PATTERN } from './domain/product.js';

const TAG = 'catalogs';
const PRODUCT_ID_MESSAGE = 'must be 1-64 letters, digits, - or _';
const NAME_MESSAGE = `must be 1-${MAX_PRODUCT_NAME_LENGTH} characters`;
const PRICE_MESSAGE = `must be an integer between 0 and ${MAX_UNIT_PRICE}`;
const STOCK_MESSAGE = `must be an integer between 0 and ${MAX_INITIAL_STOCK}`;
const DELTA_MESSAGE = `must be a non-zero integer between -${MAX_STOCK_DELTA} and ${MAX_STOCK_DELTA}`;

const productIdSchema = z.string().check(z.regex(PRODUCT_ID_PATTERN, PRODUCT_ID_MESSAGE));
const productNameSchema = z.string(NAME_MESSAGE).check(z.minLength(1, NAME_MESSAGE), z.maxLength(MAX_PRODUCT_NAME_LENGTH, NAME_MESSAGE));
const unitPriceSchema = z.int(PRICE_MESSAGE).check(z.gte(0, PRICE_MESSAGE), z.lte(MAX_UNIT_PRICE, PRICE_MESSAGE));

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
  request: { path: z.object({ productId: productIdSchema }) },
  responses: { 200: { description: 'The product', body: product } },
  errors: { 404: 'NOT_FOUND: no such product' },
});

// The admin routes (role admin): the catalog's management (functions/catalogs/README.md, "Managing the catalog").

export const createProduct = defineRoute({
  method: 'POST',
  path: '/catalogs',
  tag: TAG,
  summary: 'Add a product (admin)',
  description: 'The product is created with the stock given; an existing productId is a conflict and changes nothing.',
  request: {
    auth: 'required',
    roles: ['admin'],
    body: z.strictObject({
      productId: productIdSchema,
      productName: productNameSchema,
      unitPrice: unitPriceSchema,
      stock: z.int(STOCK_MESSAGE).check(z.gte(0, STOCK_MESSAGE), z.lte(MAX_INITIAL_STOCK, STOCK_MESSAGE)),
    }),
    maxBodyBytes: 4 * 1024,
  },
  responses: { 201: { description: 'The product', body: product, headers: { location: 'The product' } } },
  errors: { 409: 'PRODUCT_EXISTS: a product with this productId exists' },
});

const AT_LEAST_ONE_CHANGE = 'must name productName, unitPrice or both';

export const updateProduct = defineRoute({
  method: 'PATCH',
  path: '/catalogs/{productId}',
  tag: TAG,
  summary: 'Rename a product or change its price (admin)',
  description:
    'At least one of productName and unitPrice. A new price applies to orders whose stock is reserved after the change; ' +
    'an order already reserved or confirmed keeps the price it was reserved at. The stock is changed through POST /catalogs/{productId}/stock.',
  request: {
    auth: 'required',
    roles: ['admin'],
    path: z.strictObject({ productId: productIdSchema }),
    body: z
      .strictObject({ productName: z.optional(productNameSchema), unitPrice: z.optional(unitPriceSchema) })
      .check(z.refine((changes) => changes.productName !== undefined || changes.unitPrice !== undefined, AT_LEAST_ONE_CHANGE)),
    maxBodyBytes: 4 * 1024,
  },
  responses: { 200: { description: 'The product, changed', body: product } },
  errors: { 404: 'NOT_FOUND: no such product' },
});

export const adjustStock = defineRoute({
  method: 'POST',
  path: '/catalogs/{productId}/stock',
  tag: TAG,
  summary: 'Restock (delta > 0) or write off (delta < 0) a product (admin)',
  description:
    'The stock never goes below 0. With an Idempotency-Key, a repeat with the same product and body applies nothing and answers the same.',
  request: {
    auth: 'required',
    roles: ['admin'],
    path: z.strictObject({ productId: productIdSchema }),
    body: z.strictObject({
      delta: z.int(DELTA_MESSAGE).check(
        z.gte(-MAX_STOCK_DELTA, DELTA_MESSAGE),
        z.lte(MAX_STOCK_DELTA, DELTA_MESSAGE),
        z.refine((delta) => delta !== 0, DELTA_MESSAGE),
      ),
    }),
    maxBodyBytes: 4 * 1024,
  },
  headers: [
    idempotencyKeyHeader(
      'Kept 24 h: the same key with the same product and body applies once and answers the same; with another product or body, 409 IDEMPOTENCY_KEY_REUSED.',
    ),
  ],
  responses: { 200: { description: 'The product, with its new stock', body: product } },
  errors: {
    404: 'NOT_FOUND: no such product',
    409: 'INSUFFICIENT_STOCK: the write-off would take the stock below 0; IDEMPOTENCY_KEY_REUSED: the key was used with another request',
  },
});
