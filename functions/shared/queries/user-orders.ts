/**
 * The one synchronous call between contexts: the users context asks the orders context for a user's
 * newest orders (GET /users/{userId}), by invoking its `userOrders` function. Both sides validate against
 * these schemas: the orders side its input, the users side the answer it passes on to clients.
 */
import { CANCELLATION_REASONS } from '../events/contracts.js';
import * as z from '../schema.js';

const id = z.string().check(z.minLength(1), z.maxLength(128));
const money = z.number().check(z.gte(0));

export const userOrdersQuery = z.strictObject({
  userId: id,
  limit: z.optional(z.int().check(z.gte(1), z.lte(100))),
});

/** An order as every route shows it (functions/orders/README.md, "Routes"): each step's field where it applies. */
export const orderViewSchema = z.strictObject({
  orderId: id,
  userId: id,
  productId: id,
  qty: z.int().check(z.gte(1), z.lte(1000)),
  status: z.enum(['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'REJECTED', 'CANCELLED']),
  createdAt: z.iso.datetime(),
  /** Once CONFIRMED (kept when a confirmed order is cancelled). */
  unitPrice: z.optional(money),
  totalPrice: z.optional(money),
  /** Why it was REJECTED or CANCELLED. */
  reason: z.optional(z.enum(['OUT_OF_STOCK', 'UNKNOWN_PRODUCT', ...CANCELLATION_REASONS])),
  /** When the grace period ends and the order is charged, unless cancelled first. */
  paymentDueAt: z.optional(z.iso.datetime()),
  paidAt: z.optional(z.iso.datetime()),
  shippedAt: z.optional(z.iso.datetime()),
  cancelledAt: z.optional(z.iso.datetime()),
  /** A cancelled order that had been charged, once refunded. */
  refundedAt: z.optional(z.iso.datetime()),
});

export const userOrdersAnswer = z.strictObject({ items: z.array(orderViewSchema) });

export type UserOrdersQuery = z.output<typeof userOrdersQuery>;
export type OrderViewData = z.output<typeof orderViewSchema>;
export type UserOrdersAnswer = z.output<typeof userOrdersAnswer>;
