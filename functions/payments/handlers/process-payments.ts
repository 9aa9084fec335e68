/**
 * The payments inbox's consumer: charges an order when orders asks (PaymentRequested), refunds or prevents its
 * charge when it is cancelled (OrderCancelled). The answers are the records' images, announced by the outbox
 * (publishPaymentEvents), so a crash after a write loses no answer.
 */
import { busEventConsumer } from '../../shared/events/bus-consumer.js';
import { subscriptions } from '../../shared/events/contracts.js';
import { metrics } from '../../shared/observability.js';
import { oneAtATimePer } from '../../shared/one-at-a-time.js';
import type { CancelResult, RequestResult } from '../domain/payment-service.js';
import { paymentService } from '../wiring.js';

/** One fixed metric name per outcome. */
const REQUEST_METRICS: Record<RequestResult['kind'], string> = {
  charged: 'paymentsCharged',
  declined: 'paymentsDeclined',
  repeated: 'paymentRequestsRepeated',
  'refunded-before': 'paymentRequestsAfterRefund',
  'cancelled-before': 'paymentRequestsAfterCancel',
  prevented: 'chargesPrevented',
};
const CANCEL_METRICS: Record<CancelResult['kind'], string> = {
  refunded: 'refunds',
  'refund-repeated': 'refundsRepeated',
  tombstoned: 'cancellationsBeforeCharge',
  'nothing-to-refund': 'cancellationsWithoutCharge',
  'cancel-repeated': 'cancellationsRepeated',
};

export const createHandler = (payments = paymentService) => {
  // A batch's messages run side by side, one order's in turn: a cancellation then meets its order's charge
  // recorded rather than in flight, when both came in one batch.
  const byOrder = oneAtATimePer<string>();
  return busEventConsumer(subscriptions.processPayments, async (event) => {
    const { correlationId } = event.envelope.metadata;
    if (event.type === 'PaymentRequested') {
      const request = { ...event.envelope.data, correlationId };
      const result = await byOrder(request.orderId, () => payments().handleRequest(request));
      metrics.addMetric(REQUEST_METRICS[result.kind], 'Count', 1);
    } else {
      const { orderId, userId, cancelledAt } = event.envelope.data;
      const result = await byOrder(orderId, () => payments().handleCancellation({ orderId, userId, cancelledAt, correlationId }));
      metrics.addMetric(CANCEL_METRICS[result.kind], 'Count', 1);
    }
  });
};

export const handler = createHandler();
