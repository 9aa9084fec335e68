// The orders context's HTTP routes (docs/http-api.md, "Where the contract is"): what each accepts and answers.
import { idempotencyKeyHeader } from '../shared/http/idempotency-key.js';
import { defineRoute, listOf, userIdParam } from '../shared/http/route.js';
import { pageQuerySchema } from '../shared/pagination.js';
import { orderViewSchema } from '../shared/queries/user-orders.js';
import * as z from '../shared/schema.js';
import { MAX_QTY, MIN_QTY, ORDER_STATUSES, PAYMENT_METHODS, PRODUCT_ID_PATTERN } from './domain/order.js';
import { ORDER_ID_PATTERN } from './domain/order-id.js';

const TAG = 'orders';
const QTY_MESSAGE = `must be an integer between ${MIN_QTY} and ${MAX_QTY}`;

export const placeOrder = defineRoute({
  method: 'POST',
  path: '/users/{userId}/orders',
  tag: TAG,
  summary: 'Place an order (PENDING until the catalog reserves stock)',
  description:
    'The price always comes from the catalog. An unknown product is accepted and then REJECTED with UNKNOWN_PRODUCT. ' +
    'Once CONFIRMED the order is charged when its grace period ends (paymentDueAt), with paymentMethod: a test token of ' +
    `the payment simulator (${PAYMENT_METHODS.join(', ')}; the first by default). ` +
    'With an Idempotency-Key, a repeat with the same body returns the same order and creates nothing.',
  request: {
    auth: 'required',
    path: z.strictObject({ userId: userIdParam }),
    body: z.strictObject({
      productId: z.string().check(z.regex(PRODUCT_ID_PATTERN, 'must be 1-64 letters, digits, - or _')),
      qty: z.int(QTY_MESSAGE).check(z.gte(MIN_QTY, QTY_MESSAGE), z.lte(MAX_QTY, QTY_MESSAGE)),
      /** The original's clients send it; accepted and ignored: the price always comes from the catalog. */
      unitPrice: z.optional(z.number('must be a number (it is ignored)')),
      /** A test token of the payment simulator: no card data ever enters the system. */
      paymentMethod: z.optional(z.enum(PAYMENT_METHODS, `must be one of ${PAYMENT_METHODS.join(', ')}`)),
    }),
    maxBodyBytes: 4 * 1024,
  },
  headers: [idempotencyKeyHeader('Per user, kept 24 h: the same key with the same body returns the same order; with another body, 409.')],
  responses: { 201: { description: 'The order, PENDING', body: orderViewSchema, headers: { location: 'The order' } } },
  errors: { 403: 'FORBIDDEN: not your user', 409: 'IDEMPOTENCY_KEY_REUSED: the key was used with another body' },
});

export const listOrders = defineRoute({
  method: 'GET',
  path: '/users/{userId}/orders',
  tag: TAG,
  summary: 'Your orders, newest first',
  request: { auth: 'required', path: z.strictObject({ userId: userIdParam }), query: pageQuerySchema },
  responses: { 200: { description: 'A page of orders', body: listOf(orderViewSchema) } },
  errors: { 403: 'FORBIDDEN: not your user' },
});

/** The order id is checked after ownership (another user's path is a 403 whatever the id looks like). */
export const orderIdSchema = z.strictObject({ orderId: z.string().check(z.regex(ORDER_ID_PATTERN, 'must be an order id')) });

export const getOrder = defineRoute({
  method: 'GET',
  path: '/users/{userId}/orders/{orderId}',
  tag: TAG,
  summary: 'One of your orders',
  request: { auth: 'required', path: z.strictObject({ userId: userIdParam, orderId: z.string() }) },
  responses: {
    200: {
      description:
        'The order: CONFIRMED with prices and paymentDueAt, PAID (paidAt), SHIPPED (shippedAt), REJECTED or CANCELLED with a reason',
      body: orderViewSchema,
    },
  },
  errors: { 403: 'FORBIDDEN: not your user', 404: 'NOT_FOUND: no such order of yours' },
});

/** GET /orders: every user's orders in one status, for fulfilment (role admin). */
export const ordersByStatusQuery = z.strictObject({
  status: z.enum(ORDER_STATUSES, `must be one of ${ORDER_STATUSES.join(', ')}`),
  limit: pageQuerySchema.shape.limit,
  nextToken: pageQuerySchema.shape.nextToken,
});

export const listOrdersByStatus = defineRoute({
  method: 'GET',
  path: '/orders',
  tag: TAG,
  summary: 'Orders of every user in one status, newest first (admin)',
  request: { auth: 'required', roles: ['admin'], query: ordersByStatusQuery },
  responses: { 200: { description: 'A page of orders', body: listOf(orderViewSchema) } },
});

/** The action routes take no body, or `{}` (handlers/empty-body.ts); anything else is a 400. */
const NO_BODY = 'No body, or `{}`; any other body is a 400.';

export const cancelOrder = defineRoute({
  method: 'POST',
  path: '/users/{userId}/orders/{orderId}/cancel',
  tag: TAG,
  summary: 'Cancel one of your orders (PENDING, CONFIRMED or PAID)',
  description:
    'CANCELLED with reason BUYER_CANCELLED and cancelledAt at once; its stock comes back and a charge is refunded ' +
    `asynchronously (refundedAt once refunded). A repeat answers the same order. ${NO_BODY}`,
  request: { auth: 'required', path: z.strictObject({ userId: userIdParam, orderId: z.string() }) },
  responses: { 200: { description: 'The order, CANCELLED', body: orderViewSchema } },
  errors: {
    403: 'FORBIDDEN: not your user',
    404: 'NOT_FOUND: no such order of yours',
    409: 'ORDER_NOT_CANCELLABLE: the order is SHIPPED, REJECTED, or cancelled for another reason',
  },
});

export const shipOrder = defineRoute({
  method: 'POST',
  path: '/orders/{orderId}/ship',
  tag: TAG,
  summary: 'Ship a PAID order (admin)',
  description: `SHIPPED with shippedAt; a repeat answers the same order. ${NO_BODY}`,
  request: { auth: 'required', roles: ['admin'], path: orderIdSchema },
  responses: { 200: { description: 'The order, SHIPPED', body: orderViewSchema } },
  errors: { 404: 'NOT_FOUND: no such order', 409: 'ORDER_NOT_SHIPPABLE: the order is not PAID' },
});
