/** A catalog's answer to one order: stock reserved at the catalog's price, or rejected with a reason. */
export type RejectionReason = 'OUT_OF_STOCK' | 'UNKNOWN_PRODUCT';

export interface StockRequest {
  orderId: string;
  productId: string;
  qty: number;
}

export type Reservation = StockRequest & { createdAt: string } & (
    { status: 'RESERVED'; unitPrice: number } | { status: 'REJECTED'; reason: RejectionReason }
  );

export type ReserveResult =
  /** Stock lowered and the reservation recorded, in one transaction. */
  | 'reserved'
  /** Nothing written: the stock is below the quantity now, or the price moved since it was read. */
  | 'product-changed'
  /** Nothing written: this order already has a recorded answer. */
  | 'already-recorded';

/**
 * How long an answer is kept: it is the catalog's idempotency record, so it must outlive every redelivery
 * of its OrderPlaced (4 days in the inbox queue, then up to 14 in its DLQ before a redrive). Until the
 * order lifecycle can undo a reservation, an order is final once answered, so the clock starts then.
 */
export const RESERVATION_RETENTION_SECONDS = 30 * 24 * 60 * 60;
