/**
 * The payments context's model (functions/payments/README.md, "A payment's states"): one record per order id.
 *
 *   (none) --PaymentRequested--> CHARGING --provider charged--> CHARGED --OrderCancelled--> REFUNDED
 *      |                              \--provider declined--> DECLINED --OrderCancelled--> DECLINED + cancelledAt
 *      \--OrderCancelled--> CANCELLED (a tombstone: a later PaymentRequested charges nothing)
 *
 * Every OrderCancelled gets an answer: PaymentRefunded (REFUNDED) or PaymentCancelled (nothing charged: the
 * tombstone, or a decline that carries the cancellation), so orders can tell "nothing to refund" from "lost".
 *
 * No AWS imports here: the record's storage and the provider are ports (payment-service.ts, payment-provider.ts).
 */
import type { PAYMENT_DECLINE_REASONS, PaymentMethod } from '../../shared/events/contracts.js';

export type DeclineReason = (typeof PAYMENT_DECLINE_REASONS)[number];
export type PaymentStatus = Payment['status'];

/** What orders asks to be charged (PaymentRequested), with the request's correlation id. */
export interface PaymentRequest {
  orderId: string;
  userId: string;
  /** The order's totalPrice, in whole smallest currency units. */
  amount: number;
  paymentMethod: PaymentMethod;
  correlationId: string;
}

/** An order's cancellation (OrderCancelled), with its correlation id. */
export interface Cancellation {
  orderId: string;
  userId: string;
  cancelledAt: string;
  correlationId: string;
}

/** What a charge record knows from its request. `correlationId` travels on every answer about the payment. */
interface ChargeRecord {
  orderId: string;
  userId: string;
  amount: number;
  paymentMethod: PaymentMethod;
  /** When this context claimed the charge. */
  requestedAt: string;
  correlationId: string;
}

export type ChargingPayment = ChargeRecord & { status: 'CHARGING' };
export type ChargedPayment = ChargeRecord & { status: 'CHARGED'; paymentId: string; chargedAt: string };
/**
 * `cancelledAt` is set once the order's cancellation was answered (the cancellation's time and correlation id go
 * on the record): the outbox then announces PaymentCancelled instead of PaymentDeclined.
 */
export type DeclinedPayment = ChargeRecord & { status: 'DECLINED'; reason: DeclineReason; declinedAt: string; cancelledAt?: string };
export type RefundedPayment = ChargeRecord & { status: 'REFUNDED'; paymentId: string; chargedAt: string; refundedAt: string };
/** The tombstone of an order cancelled before any charge was claimed: it has no amount to charge. */
export interface CancelledPayment {
  status: 'CANCELLED';
  orderId: string;
  userId: string;
  cancelledAt: string;
  correlationId: string;
}

export type Payment = ChargingPayment | ChargedPayment | DeclinedPayment | RefundedPayment | CancelledPayment;

/** The provider's answer, as the record keeps it. */
export type ChargeOutcome =
  { status: 'CHARGED'; paymentId: string; chargedAt: string } | { status: 'DECLINED'; reason: DeclineReason; declinedAt: string };

/**
 * A cancellation met a charge in flight (CHARGING): the charge's outcome is not known yet, so there is nothing
 * to refund or to prevent. `retryable`: the consumer lets the queue deliver the cancellation again
 * (functions/shared/events/bus-consumer.ts), and the redelivery finds the charge recorded and refunds it.
 */
export class ChargeInFlightError extends Error {
  override name = 'ChargeInFlightError';
  readonly retryable = true;
  constructor(orderId: string) {
    super(`the charge of order ${orderId} is in flight; its cancellation is tried again once the charge is recorded`);
  }
}
