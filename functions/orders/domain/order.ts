/**
 * The orders context's model and its state machine (functions/orders/README.md, "The lifecycle"), as pure
 * functions: which change each step makes, and from which states. No AWS imports here: repositories are
 * ports, adapters implement them.
 */
import {
  CANCELLABLE_STATUSES,
  CANCELLATION_REASONS,
  DEFAULT_PAYMENT_METHOD,
  PAYMENT_METHODS,
  type PaymentMethod,
} from '../../shared/events/contracts.js';

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'REJECTED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const REJECTION_REASONS = ['OUT_OF_STOCK', 'UNKNOWN_PRODUCT'] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];
/** What a buyer may cancel, and what the cancellation event names as the previous status. */
export type CancellableStatus = (typeof CANCELLABLE_STATUSES)[number];
export const isCancellable = (status: OrderStatus): status is CancellableStatus =>
  (CANCELLABLE_STATUSES as readonly OrderStatus[]).includes(status);
export { DEFAULT_PAYMENT_METHOD, PAYMENT_METHODS, type PaymentMethod };

/** Contract bounds (functions/orders/README.md, "Routes"): qty is a JSON integer 1-1000. */
export const MIN_QTY = 1;
export const MAX_QTY = 1000;
/** Same shape the catalogs context accepts for a product id. */
export const PRODUCT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface Order {
  orderId: string;
  userId: string;
  productId: string;
  qty: number;
  status: OrderStatus;
  createdAt: string;
  /** The simulator's test token the order is charged with (never shown: the buyer chose it). Absent on orders older than payments. */
  paymentMethod?: PaymentMethod;
  /** Set when CONFIRMED: the catalog's price of one unit, and qty x unitPrice. */
  unitPrice?: number;
  totalPrice?: number;
  /** Set when REJECTED or CANCELLED. */
  reason?: RejectionReason | CancellationReason;
  settledAt?: string;
  /** Set when CONFIRMED: the grace period ends then, and the order is charged unless cancelled first. */
  paymentDueAt?: string;
  /** When the charge was asked of payments (internal: the outbox announces PaymentRequested from then on). */
  paymentRequestedAt?: string;
  paidAt?: string;
  shippedAt?: string;
  cancelledAt?: string;
  /** The status the order was cancelled from (internal; OrderCancelled's previousStatus). */
  cancelledFrom?: CancellableStatus;
  /** A cancelled order's compensations, as their owners acknowledged them: money back, stock back (internal). */
  refundedAt?: string;
  stockReleasedAt?: string;
  /** Payments answered the cancellation holding no charge (PaymentCancelled: nothing charged, or declined; internal). */
  paymentCancelAcknowledgedAt?: string;
  /** The correlation id of the request that placed the order; carried by every event of its saga. */
  correlationId: string;
}

/** How the catalog answered an order: the stock was reserved at a price, or it was not. */
export type StockOutcome = { kind: 'RESERVED'; unitPrice: number } | { kind: 'REJECTED'; reason: RejectionReason };

/** The order as the API shows it (functions/orders/README.md, "Routes"): internal bookkeeping stays out. */
export type OrderView = Omit<
  Order,
  | 'settledAt'
  | 'correlationId'
  | 'paymentMethod'
  | 'paymentRequestedAt'
  | 'cancelledFrom'
  | 'stockReleasedAt'
  | 'paymentCancelAcknowledgedAt'
>;

/** Shown wherever set: a price once confirmed (a cancelled order that had been confirmed keeps it), each step's time. */
const VIEW_FIELDS = ['unitPrice', 'totalPrice', 'reason', 'paymentDueAt', 'paidAt', 'shippedAt', 'cancelledAt', 'refundedAt'] as const;

export function orderView(order: Order): OrderView {
  const { orderId, userId, productId, qty, status, createdAt } = order;
  const view: OrderView = { orderId, userId, productId, qty, status, createdAt };
  for (const field of VIEW_FIELDS) if (order[field] !== undefined) Object.assign(view, { [field]: order[field] });
  return view;
}

/** The 201 body of a placement; a repeat with the same Idempotency-Key gets exactly this again. */
export function placementView(order: Order): OrderView {
  const { orderId, userId, productId, qty, createdAt } = order;
  return { orderId, userId, productId, qty, status: 'PENDING', createdAt };
}

/** Fields a change may require absent or present (its guard beside the states it may come from). */
export type GuardField = 'paymentRequestedAt' | 'paidAt' | 'refundedAt' | 'stockReleasedAt' | 'paymentCancelAcknowledgedAt';

/**
 * One step of the state machine, as one conditional write: the states it may come from (and further
 * conditions), what it sets, where the order then stands in the sweep, and whether the outbox announces the
 * stored result. The repository applies it atomically or not at all.
 */
export interface OrderChange {
  from: readonly OrderStatus[];
  absent?: readonly GuardField[];
  present?: readonly GuardField[];
  /** The answer must be for this order's product and quantity. */
  matches?: { productId: string; qty: number };
  set: Partial<Omit<Order, 'orderId' | 'userId' | 'productId' | 'qty' | 'createdAt' | 'correlationId'>>;
  /**
   * The sweeper's watch (functions/orders/README.md, "Sweeper"): `keep` it as it is, `leave` it (a final order),
   * or `watch` from `since` with a fresh count (the order is due once quiet for the sweep's age after that).
   */
  sweep: 'keep' | 'leave' | { watchSince: string };
  /** False for an acknowledgement (a compensation done, a charge that raced a cancel): the outbox announces nothing. */
  announce: boolean;
}

/** Whether the stored order meets a change's guard (the in-memory fake's reading of the adapter's condition). */
export function meetsGuard(order: Order, change: OrderChange): boolean {
  return (
    change.from.includes(order.status) &&
    (change.absent ?? []).every((field) => order[field] === undefined) &&
    (change.present ?? []).every((field) => order[field] !== undefined) &&
    (change.matches === undefined || (order.productId === change.matches.productId && order.qty === change.matches.qty))
  );
}

const seconds = (iso: string, delta: number) => new Date(Date.parse(iso) + delta * 1000).toISOString();

/** The catalog's answer: a PENDING order for this product and qty is CONFIRMED (charged after the grace period) or REJECTED. */
export function settlement(
  answer: { productId: string; qty: number; outcome: StockOutcome },
  at: string,
  paymentGraceSeconds: number,
): OrderChange {
  const guard = { from: ['PENDING'] as const, matches: { productId: answer.productId, qty: answer.qty }, announce: true };
  if (answer.outcome.kind === 'REJECTED') {
    return { ...guard, set: { status: 'REJECTED', reason: answer.outcome.reason, settledAt: at }, sweep: 'leave' };
  }
  const paymentDueAt = seconds(at, paymentGraceSeconds);
  return {
    ...guard,
    set: {
      status: 'CONFIRMED',
      unitPrice: answer.outcome.unitPrice,
      totalPrice: answer.qty * answer.outcome.unitPrice,
      settledAt: at,
      paymentDueAt,
    },
    // Overdue (the sweeper asks for the payment again) once the sweep's age has passed after the due time.
    sweep: { watchSince: paymentDueAt },
  };
}

/** Whether an order that moved on records this same catalog answer (a duplicate) or another one. */
export function sameOutcome(order: Order, outcome: StockOutcome): boolean {
  return outcome.kind === 'RESERVED'
    ? order.unitPrice === outcome.unitPrice
    : order.status === 'REJECTED' && order.reason === outcome.reason;
}

/** The grace period is over: the charge is asked for, once (the outbox announces PaymentRequested). */
export const paymentRequest = (at: string): OrderChange => ({
  from: ['CONFIRMED'],
  absent: ['paymentRequestedAt'],
  set: { paymentRequestedAt: at },
  sweep: 'keep',
  announce: true,
});

/** Payments charged a CONFIRMED order. */
export const payment = (at: string): OrderChange => ({
  from: ['CONFIRMED'],
  set: { status: 'PAID', paidAt: at },
  sweep: 'leave',
  announce: true,
});

/** Payments declined a CONFIRMED order: it is cancelled, and its stock released (OrderCancelled). */
export const paymentDeclined = (at: string): OrderChange => ({
  from: ['CONFIRMED'],
  set: { status: 'CANCELLED', reason: 'PAYMENT_DECLINED', cancelledAt: at, cancelledFrom: 'CONFIRMED' },
  sweep: { watchSince: at },
  announce: true,
});

/** The buyer cancels an order in `from` (exactly that state, so OrderCancelled names it). */
export const buyerCancellation = (from: CancellableStatus, at: string): OrderChange => ({
  from: [from],
  set: { status: 'CANCELLED', reason: 'BUYER_CANCELLED', cancelledAt: at, cancelledFrom: from },
  sweep: { watchSince: at },
  announce: true,
});

/** An admin ships a PAID order. */
export const shipment = (at: string): OrderChange => ({
  from: ['PAID'],
  set: { status: 'SHIPPED', shippedAt: at },
  sweep: 'leave',
  announce: true,
});

/** What a cancelled order's compensation is judged by (`compensated`); the sweep reads these with the status. */
export const COMPENSATION_FIELDS = [
  'paymentRequestedAt',
  'paidAt',
  'refundedAt',
  'stockReleasedAt',
  'paymentCancelAcknowledgedAt',
] as const;
export type CompensationState = Pick<Order, (typeof COMPENSATION_FIELDS)[number]>;

/**
 * A cancelled order is fully compensated: the catalog acknowledged its stock (released, or none reserved);
 * payments, if the charge was asked of it, answered the cancellation (PaymentRefunded, or PaymentCancelled:
 * nothing charged); and a charge it learnt of went back. Payments' answer is awaited even when no charge is
 * known here: the charge may have been in flight at the cancel, its PaymentSucceeded lost.
 */
export const compensated = (order: CompensationState): boolean =>
  order.stockReleasedAt !== undefined &&
  (order.paymentRequestedAt === undefined || order.refundedAt !== undefined || order.paymentCancelAcknowledgedAt !== undefined) &&
  (order.paidAt === undefined || order.refundedAt !== undefined);

/**
 * What a cancelled order may still learn: a compensation done (stock released, refunded, payments' "nothing to
 * refund"), or a charge that raced the cancel.
 */
export type Acknowledgement = 'stockReleasedAt' | 'refundedAt' | 'paidAt' | 'paymentCancelAcknowledgedAt';

/**
 * Records an acknowledgement on a CANCELLED order as it was read: guarded on every field its completeness was
 * judged by, so a concurrent acknowledgement makes this write fail (and be judged again) rather than leave the
 * sweep wrong. Announces nothing. A fully compensated order leaves the sweep; one that is no longer (a charge
 * arrived after everything else) is watched again.
 */
export function acknowledgement(order: Order, field: Acknowledgement, at: string): OrderChange {
  const after = { ...order, [field]: at };
  const others = COMPENSATION_FIELDS.filter((other) => other !== field);
  const before = compensated(order);
  const now = compensated(after);
  return {
    from: ['CANCELLED'],
    absent: [field, ...others.filter((other) => order[other] === undefined)],
    present: others.filter((other) => order[other] !== undefined),
    set: { [field]: at },
    sweep: now ? 'leave' : before ? { watchSince: at } : 'keep',
    announce: false,
  };
}

/**
 * Whether the order's lifecycle has come to rest: nothing more happens to it unless someone acts (an admin ships a
 * PAID order, its buyer cancels it). PAID, SHIPPED, REJECTED, and CANCELLED once compensated; the sweep watches
 * every other order.
 */
export const isFinal = (order: Order): boolean =>
  order.status === 'PAID' ||
  order.status === 'SHIPPED' ||
  order.status === 'REJECTED' ||
  (order.status === 'CANCELLED' && compensated(order));

/** The payment method of an order (orders placed before payments existed are charged with the default). */
export const paymentMethodOf = (order: Order): PaymentMethod => order.paymentMethod ?? DEFAULT_PAYMENT_METHOD;
