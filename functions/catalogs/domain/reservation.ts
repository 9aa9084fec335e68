/**
 * The catalog's record of one order (its ledger item), the catalog's idempotency record for both the order's
 * OrderPlaced and its OrderCancelled:
 * - RESERVED: the stock was taken at the catalog's price (the answer StockReserved);
 * - REJECTED: no stock taken (the answer StockRejected, with its reason);
 * - RELEASED: was RESERVED, and the order's cancel gave the stock back (once: only a RESERVED record is released);
 * - CANCELLED: a tombstone. The cancel came first (nothing reserved): a late OrderPlaced finds it and
 *   reserves nothing, since every answer is written only where the order has no record.
 */
export type RejectionReason = 'OUT_OF_STOCK' | 'UNKNOWN_PRODUCT';

export interface StockRequest {
  orderId: string;
  productId: string;
  qty: number;
}

/** The catalog's answer to an OrderPlaced. */
export type Reservation = StockRequest & { createdAt: string } & (
    { status: 'RESERVED'; unitPrice: number } | { status: 'REJECTED'; reason: RejectionReason }
  );

/** A reservation whose order was cancelled: its stock went back when `releasedAt`. */
export type ReleasedReservation = StockRequest & { createdAt: string; status: 'RELEASED'; unitPrice: number; releasedAt: string };

/** An order cancelled before the catalog answered it: `createdAt` is when the cancel was recorded. */
export type CancellationTombstone = StockRequest & { createdAt: string; status: 'CANCELLED' };

export type ReservationRecord = Reservation | ReleasedReservation | CancellationTombstone;

export type ReserveResult =
  /** Stock lowered and the reservation recorded, in one transaction. */
  | 'reserved'
  /** Nothing written: the stock is below the quantity now, or the price moved since it was read. */
  | 'product-changed'
  /** Nothing written: this order already has a record (an answer, a release or a tombstone). */
  | 'already-recorded';

export type ReleaseResult =
  /** The record turned RELEASED and the stock went up by its qty, in one transaction. */
  | 'released'
  /** Nothing written: the record is no longer RESERVED (another delivery of the cancel released it). */
  | 'not-reserved'
  /** Nothing written: the product is gone, so its stock cannot be given back. */
  | 'product-missing';

/**
 * How long a final record is kept, from its write: RELEASED, REJECTED and tombstones. Each is an idempotency
 * record, so it must outlive every redelivery of the event it answers (4 days in the inbox queue, then up to
 * 14 in its DLQ before a redrive): a tombstone above all, or a late OrderPlaced would reserve stock for a
 * cancelled order, and nothing would ever give it back.
 * A RESERVED record has no expiry: its order can be cancelled until it ships (PAID included), and the release
 * needs the record to give the stock back; the release sets this retention on it.
 */
export const RESERVATION_RETENTION_SECONDS = 30 * 24 * 60 * 60;

/** The catalog's answer to an OrderCancelled: what it gave back to stock (0 when it had reserved nothing). */
export interface StockRelease extends StockRequest {
  releasedQty: number;
  /** When the release (or the tombstone) was recorded; for a rejected order, when the cancel was answered. */
  releasedAt: string;
}

export type ReleaseOutcome =
  /** The reservation's stock went back now. */
  | 'released'
  /** Nothing had been reserved: a tombstone now stops a late OrderPlaced. */
  | 'tombstoned'
  /** The order had been rejected: nothing to give back. */
  | 'nothing-reserved'
  /** A repeat of a cancel already handled (RELEASED, or a tombstone): nothing written, the same answer. */
  | 'repeated';
