/**
 * An admin's stock adjustment: a restock (delta > 0) or a write-off (delta < 0), never taking the stock below 0.
 * With an Idempotency-Key the adjustment is recorded under the key, in the same transaction that changes the
 * stock, with the answer it gave: a repeat with the same request applies nothing and answers the same.
 */
import { createHash } from 'node:crypto';
import type { Product } from './product.js';

export interface StockAdjustment {
  /** One id per adjustment applied: the event's id (`<adjustmentId>:StockAdjusted`), the same for every repeat. */
  adjustmentId: string;
  productId: string;
  delta: number;
  /** The product right after the adjustment (its stock is the stock before plus `delta`): the answer. */
  product: Product;
  createdAt: string;
}

/** The record of an adjustment made with an Idempotency-Key: the key, what was asked, and the answer. */
export interface AdjustmentRecord extends StockAdjustment {
  idempotencyKey: string;
  /** Of the request (the product and the delta): the same key with another request is refused. */
  fingerprint: string;
  /** Epoch seconds: after it the key no longer counts (and the ledger's TTL deletes the record). */
  expiresAt: number;
}

export type AdjustResult =
  /** The stock changed and, with a record, the record was written: one transaction. */
  | 'adjusted'
  /** Nothing written: the product is no longer as read (another writer came first), or it is gone. */
  | 'product-changed'
  /** Nothing written: the key already has a live record. */
  | 'key-taken';

/** An Idempotency-Key is kept this long (docs/http-api.md, "Requests and answers": 24 h, as for orders). */
export const ADJUSTMENT_KEY_TTL_SECONDS = 24 * 60 * 60;

/** The request an Idempotency-Key stands for: the product (the path) and the delta (the body). */
export function adjustmentFingerprint(productId: string, delta: number): string {
  return createHash('sha256')
    .update(JSON.stringify([productId, delta]))
    .digest('base64url');
}

/** The adjustment a record holds, without the record's own fields. */
export function adjustmentOf(record: AdjustmentRecord): StockAdjustment {
  const { adjustmentId, productId, delta, product, createdAt } = record;
  return { adjustmentId, productId, delta, product: { ...product }, createdAt };
}
