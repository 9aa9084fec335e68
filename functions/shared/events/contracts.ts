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
};

/**
 * What each queue consumer accepts, by function name (functions/<context>/functions.yml). The consumer
 * parses exactly these (busEventConsumer), and a template test checks that its queue's bus rule matches
 * exactly these detail-types from their sources: the one list routing is built from.
 */
export const subscriptions = {
  reserveStock: ['OrderPlaced'],
  settleOrders: ['StockReserved', 'StockRejected'],
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
