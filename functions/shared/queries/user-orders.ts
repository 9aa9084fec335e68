/**
 * The one synchronous call between contexts: the users context asks the orders context for a user's
 * newest orders (GET /users/{userId}), by invoking its `userOrders` function. Both sides validate against
 * these schemas: the orders side its input, the users side the answer it passes on to clients.
 */
import * as z from '../schema.js';

const id = z.string().check(z.minLength(1), z.maxLength(128));
const money = z.number().check(z.gte(0));

export const userOrdersQuery = z.strictObject({
  userId: id,
  limit: z.optional(z.int().check(z.gte(1), z.lte(100))),
});

/** An order as every route shows it (functions/orders/README.md, "Routes"). */
export const orderViewSchema = z.strictObject({
  orderId: id,
  userId: id,
  productId: id,
  qty: z.int().check(z.gte(1), z.lte(1000)),
  status: z.enum(['PENDING', 'CONFIRMED', 'REJECTED']),
  createdAt: z.iso.datetime(),
  unitPrice: z.optional(money),
  totalPrice: z.optional(money),
  reason: z.optional(z.enum(['OUT_OF_STOCK', 'UNKNOWN_PRODUCT'])),
});

export const userOrdersAnswer = z.strictObject({ items: z.array(orderViewSchema) });

export type UserOrdersQuery = z.output<typeof userOrdersQuery>;
export type OrderViewData = z.output<typeof orderViewSchema>;
export type UserOrdersAnswer = z.output<typeof userOrdersAnswer>;
