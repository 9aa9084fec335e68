// The payments context's producers: the event that announces a payment record's state (for the outbox relay).
import { buildEvent, type OutgoingEvent } from '../../shared/events/contracts.js';
import type { Payment } from './payment.js';

export type PaymentEventType = 'PaymentSucceeded' | 'PaymentDeclined' | 'PaymentRefunded' | 'PaymentCancelled';

/** Deterministic, `<id>:<EventType>` as every producer's: each announcement of one fact carries the same eventId. */
export const paymentEventId = (orderId: string, type: PaymentEventType) => `${orderId}:${type}`;

/**
 * The event of a decided payment; a claim (CHARGING) announces nothing. A tombstone (CANCELLED) and a decline
 * whose order's cancellation was answered announce PaymentCancelled: nothing was charged, nothing to refund.
 */
export function paymentEvent(payment: Payment): OutgoingEvent<PaymentEventType> | undefined {
  const { orderId, correlationId } = payment;
  switch (payment.status) {
    case 'CHARGED':
      return buildEvent(
        'PaymentSucceeded',
        { orderId, paymentId: payment.paymentId, amount: payment.amount, chargedAt: payment.chargedAt },
        { eventId: paymentEventId(orderId, 'PaymentSucceeded'), correlationId, occurredAt: payment.chargedAt },
      );
    case 'DECLINED':
      if (payment.cancelledAt !== undefined) return paymentCancelled(orderId, payment.cancelledAt, correlationId);
      return buildEvent(
        'PaymentDeclined',
        { orderId, amount: payment.amount, reason: payment.reason },
        { eventId: paymentEventId(orderId, 'PaymentDeclined'), correlationId, occurredAt: payment.declinedAt },
      );
    case 'REFUNDED':
      return buildEvent(
        'PaymentRefunded',
        { orderId, paymentId: payment.paymentId, amount: payment.amount, refundedAt: payment.refundedAt },
        { eventId: paymentEventId(orderId, 'PaymentRefunded'), correlationId, occurredAt: payment.refundedAt },
      );
    case 'CANCELLED':
      return paymentCancelled(orderId, payment.cancelledAt, correlationId);
    case 'CHARGING':
      return undefined;
  }
}

/** `cancelledAt` is the order's cancellation time (from OrderCancelled), the same on every announcement. */
const paymentCancelled = (orderId: string, cancelledAt: string, correlationId: string) =>
  buildEvent(
    'PaymentCancelled',
    { orderId, charged: false, cancelledAt },
    { eventId: paymentEventId(orderId, 'PaymentCancelled'), correlationId, occurredAt: cancelledAt },
  );
