/**
 * The catalogs context's announcements of an admin's changes, for anyone who listens on the bus (nobody in this
 * service consumes them yet): a product added, a price changed, a stock adjusted. Built from what was written.
 */
import { buildEvent, type OutgoingEvent } from '../../shared/events/contracts.js';
import type { PriceChange, Product } from './product.js';
import type { StockAdjustment } from './stock-adjustment.js';

/** A product id is created once (an existing id is a conflict), so its creation has one id. */
export function productCreatedEvent(product: Product, correlationId: string): OutgoingEvent<'ProductCreated'> {
  const { productId, productName, unitPrice, stock, createdAt } = product;
  return buildEvent(
    'ProductCreated',
    { productId, productName, unitPrice, stock },
    { eventId: `${productId}:ProductCreated`, correlationId, occurredAt: createdAt },
  );
}

export function productPriceChangedEvent(change: PriceChange, correlationId: string): OutgoingEvent<'ProductPriceChanged'> {
  const { changeId, productId, previousUnitPrice, unitPrice, changedAt } = change;
  return buildEvent(
    'ProductPriceChanged',
    { productId, previousUnitPrice, unitPrice },
    { eventId: `${changeId}:ProductPriceChanged`, correlationId, occurredAt: changedAt },
  );
}

/** Deterministic for a recorded adjustment: a repeat with its Idempotency-Key announces it again with the same id. */
export function stockAdjustedEvent(adjustment: StockAdjustment, correlationId: string): OutgoingEvent<'StockAdjusted'> {
  const { adjustmentId, productId, delta, product, createdAt } = adjustment;
  return buildEvent(
    'StockAdjusted',
    { adjustmentId, productId, delta, stock: product.stock },
    { eventId: `${adjustmentId}:StockAdjusted`, correlationId, occurredAt: createdAt },
  );
}
