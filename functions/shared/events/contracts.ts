/**
 * The event contract (docs/events.md): every event's source, detail-type and data schema.
 * Producers build events only through `buildEvent`, consumers parse them only through `parseEvent`,
 * and the contract tests check both against these schemas: a drifting producer fails them.
 */
import * as z from '../schema.js';

export const EVENT_VERSION = '1';

const id = z.string().check(z.minLength(1), z.maxLength(128));
const qty = z.int().check(z.gte(1), z.lte(1000));
const money = z.number().check(z.gte(0));
/** A catalog price: whole units of the smallest currency unit, as an admin may set it (0-1,000,000,000). */
const unitPrice = z.int().check(z.gte(0), z.lte(1_000_000_000));
const stock = z.int().check(z.gte(0));
const timestamp = z.iso.datetime();

/** The payment simulator's test tokens (docs/http-api.md, "The order lifecycle"): no card data ever enters the system. */
export const PAYMENT_METHODS = ['pm_card_visa', 'pm_card_declined', 'pm_card_insufficient_funds'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const DEFAULT_PAYMENT_METHOD: PaymentMethod = 'pm_card_visa';
export const PAYMENT_DECLINE_REASONS = ['CARD_DECLINED', 'INSUFFICIENT_FUNDS'] as const;
export const CANCELLATION_REASONS = ['BUYER_CANCELLED', 'PAYMENT_DECLINED'] as const;
/** The states an order can be cancelled from (the buyer: PENDING, CONFIRMED, PAID; a declined payment: CONFIRMED). */
export const CANCELLABLE_STATUSES = ['PENDING', 'CONFIRMED', 'PAID'] as const;

export const eventDataSchemas = {
  UserRegistered: z.strictObject({
    userId: id,
    email: z.email(),
    name: z.string().check(z.minLength(1), z.maxLength(50)),
  }),
  OrderPlaced: z.strictObject({ orderId: id, userId: id, productId: id, qty }),
  StockReserved: z.strictObject({
    orderId: id,
    productId: id,
    qty,
    unitPrice: money,
  }),
  StockRejected: z.strictObject({
    orderId: id,
    productId: id,
    qty,
    reason: z.enum(['OUT_OF_STOCK', 'UNKNOWN_PRODUCT']),
  }),
  OrderConfirmed: z.strictObject({
    orderId: id,
    userId: id,
    productId: id,
    qty,
    unitPrice: money,
    totalPrice: money,
    /** When the grace period ends and the order is charged, unless the buyer cancels first. */
    paymentDueAt: timestamp,
  }),
  OrderRejected: z.strictObject({
    orderId: id,
    userId: id,
    productId: id,
    qty,
    reason: z.enum(['OUT_OF_STOCK', 'UNKNOWN_PRODUCT']),
  }),
  ProductCreated: z.strictObject({
    productId: id,
    productName: z.string().check(z.minLength(1), z.maxLength(100)),
    unitPrice,
    stock,
  }),
  ProductPriceChanged: z.strictObject({ productId: id, previousUnitPrice: unitPrice, unitPrice }),
  StockAdjusted: z.strictObject({
    adjustmentId: id,
    productId: id,
    /** Non-zero: a restock (> 0) or a write-off (< 0). */
    delta: z.int().check(z.gte(-1_000_000), z.lte(1_000_000)),
    /** The stock right after the adjustment. */
    stock,
  }),
  /**
   * The order lifecycle (docs/events.md, "Order lifecycle"). Orders asks payments to charge an order once its
   * grace period is over (or the sweeper finds it overdue); `amount` is the order's totalPrice.
   */
  PaymentRequested: z.strictObject({ orderId: id, userId: id, amount: money, paymentMethod: z.enum(PAYMENT_METHODS) }),
  PaymentSucceeded: z.strictObject({ orderId: id, paymentId: id, amount: money, chargedAt: timestamp }),
  PaymentDeclined: z.strictObject({ orderId: id, amount: money, reason: z.enum(PAYMENT_DECLINE_REASONS) }),
  /** A charged order was cancelled: the charge was refunded (once; only a charged order is refunded). */
  PaymentRefunded: z.strictObject({ orderId: id, paymentId: id, amount: money, refundedAt: timestamp }),
  /**
   * Payments' answer to OrderCancelled when it holds no charge to refund: nothing was charged (a tombstone now
   * prevents any later charge) or the charge was declined. With PaymentRefunded, every cancel of an order whose
   * payment was requested gets an answer, so orders can tell "nothing to refund" from "the answer was lost".
   */
  PaymentCancelled: z.strictObject({ orderId: id, charged: z.literal(false), cancelledAt: timestamp }),
  OrderPaid: z.strictObject({ orderId: id, userId: id, productId: id, qty, totalPrice: money, paidAt: timestamp }),
  /**
   * What must be compensated: the catalog releases the stock it reserved for the order (a reservation not
   * made yet is prevented by a tombstone), payments refunds what it charged (a charge not made yet is
   * prevented the same way). `previousStatus` is what the order knew when it was cancelled.
   */
  OrderCancelled: z.strictObject({
    orderId: id,
    userId: id,
    productId: id,
    qty,
    reason: z.enum(CANCELLATION_REASONS),
    previousStatus: z.enum(CANCELLABLE_STATUSES),
    cancelledAt: timestamp,
  }),
  /** The catalog's answer to OrderCancelled: `releasedQty` went back to stock (0 when nothing had been reserved). */
  StockReleased: z.strictObject({ orderId: id, productId: id, qty, releasedQty: z.int().check(z.gte(0), z.lte(1000)) }),
  OrderShipped: z.strictObject({ orderId: id, userId: id, productId: id, qty, shippedAt: timestamp }),
} as const;

export type EventType = keyof typeof eventDataSchemas;
export type EventData<T extends EventType> = z.output<(typeof eventDataSchemas)[T]>;

export const eventSources: Record<EventType, string> = {
  UserRegistered: 'ecommerce.users',
  OrderPlaced: 'ecommerce.orders',
  OrderConfirmed: 'ecommerce.orders',
  OrderRejected: 'ecommerce.orders',
  StockReserved: 'ecommerce.catalogs',
  StockRejected: 'ecommerce.catalogs',
  ProductCreated: 'ecommerce.catalogs',
  ProductPriceChanged: 'ecommerce.catalogs',
  StockAdjusted: 'ecommerce.catalogs',
  StockReleased: 'ecommerce.catalogs',
  PaymentRequested: 'ecommerce.orders',
  OrderPaid: 'ecommerce.orders',
  OrderCancelled: 'ecommerce.orders',
  OrderShipped: 'ecommerce.orders',
  PaymentSucceeded: 'ecommerce.payments',
  PaymentDeclined: 'ecommerce.payments',
  PaymentRefunded: 'ecommerce.payments',
  PaymentCancelled: 'ecommerce.payments',
};

/**
 * What each queue consumer accepts, by function name (functions/<context>/functions.yml). The consumer
 * parses exactly these (busEventConsumer), and a template test checks that its queue's bus rule matches
 * exactly these detail-types from their sources: the one list routing is built from.
 */
export const subscriptions = {
  /** The catalog's inbox: reserves an order's stock, and releases it (or leaves a tombstone) when the order is cancelled. */
  reserveStock: ['OrderPlaced', 'OrderCancelled'],
  /** The orders inbox: every answer to an order, from the catalog and from payments. */
  settleOrders: [
    'StockReserved',
    'StockRejected',
    'StockReleased',
    'PaymentSucceeded',
    'PaymentDeclined',
    'PaymentRefunded',
    'PaymentCancelled',
  ],
  /** The grace period: a queue whose delivery delay is `paymentGraceSeconds` hands each OrderConfirmed back when it is due. */
  requestPayments: ['OrderConfirmed'],
  /** The payments inbox: charges a due order, refunds a cancelled one that was charged. */
  processPayments: ['PaymentRequested', 'OrderCancelled'],
} as const satisfies Record<string, readonly EventType[]>;

export const metadataSchema = z.strictObject({
  eventId: id,
  correlationId: id,
  occurredAt: z.iso.datetime(),
  version: z.literal(EVENT_VERSION),
});

export interface EventEnvelope<T extends EventType> {
  metadata: z.output<typeof metadataSchema>;
  data: EventData<T>;
}

/** What goes on the bus: source, detail-type and the enveloped detail. */
export interface OutgoingEvent<T extends EventType = EventType> {
  source: string;
  detailType: T;
  detail: EventEnvelope<T>;
}

export function buildEvent<T extends EventType>(
  type: T,
  data: EventData<T>,
  metadata: { eventId: string; correlationId: string; occurredAt: string },
): OutgoingEvent<T> {
  const parsed = eventDataSchemas[type].parse(data) as EventData<T>;
  return {
    source: eventSources[type],
    detailType: type,
    detail: { metadata: { ...metadata, version: EVENT_VERSION }, data: parsed },
  };
}

export class EventContractError extends Error {
  override name = 'EventContractError';
}

/** Validates an incoming event's detail (from SQS: the EventBridge event's `detail`). */
export function parseEvent<T extends EventType>(type: T, detail: unknown): EventEnvelope<T> {
  const envelope = z.strictObject({ metadata: metadataSchema, data: eventDataSchemas[type] }).safeParse(detail);
  if (!envelope.success) {
    throw new EventContractError(`${type} does not match its contract: ${z.prettifyError(envelope.error)}`);
  }
  return envelope.data as EventEnvelope<T>;
}
