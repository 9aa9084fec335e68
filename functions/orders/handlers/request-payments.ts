/**
 * The grace period's end: the payment-due queue (its delivery delay is paymentGraceSeconds) hands back each
 * OrderConfirmed when its payment is due, and the order asks payments for the charge, once (the outbox announces
 * PaymentRequested). An order cancelled meanwhile asks for nothing; the sweeper is the backstop for a lost message.
 */
import { busEventConsumer } from '../../shared/events/bus-consumer.js';
import { subscriptions } from '../../shared/events/contracts.js';
import { logger, metrics } from '../../shared/observability.js';
import { orderService } from '../wiring.js';

export const createHandler = (orders = orderService) =>
  busEventConsumer(subscriptions.requestPayments, async (event) => {
    const { orderId, paymentDueAt } = event.envelope.data;
    const result = await orders().requestPayment(orderId, paymentDueAt);
    metrics.addMetric(
      result.kind === 'applied' ? 'paymentsRequested' : result.kind === 'duplicate' ? 'paymentRequestsRepeated' : 'paymentRequestsSkipped',
      'Count',
      1,
    );
    if (result.kind === 'ignored') logger.info('no payment requested: the order moved on', { orderId, status: result.order.status });
  });

export const handler = createHandler();
