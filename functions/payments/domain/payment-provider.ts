/**
 * The payment provider port: what this context needs from a card processor. The simulator
 * (adapters/payment-simulator.ts) implements it; a real provider's adapter would too (functions/payments/README.md, "A real provider").
 * Both calls are idempotent by order id, as a real provider is by the idempotency key the adapter sends.
 */
import type { PaymentMethod } from '../../shared/events/contracts.js';
import type { DeclineReason } from './payment.js';

export interface ChargeRequest {
  orderId: string;
  amount: number;
  paymentMethod: PaymentMethod;
}

export type ChargeResult = { kind: 'charged'; paymentId: string; chargedAt: string } | { kind: 'declined'; reason: DeclineReason };

export interface RefundRequest {
  orderId: string;
  paymentId: string;
  amount: number;
}

export interface PaymentProvider {
  /** Charges the order once: a repeat (same order id) charges nothing more and returns the first answer. */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /**
   * Refunds the order's charge once: a repeat refunds nothing more and returns the first refund's time.
   * Throws when the order has no such charge (nothing charged, another payment id, more than was charged).
   */
  refund(request: RefundRequest): Promise<{ refundedAt: string }>;
}
