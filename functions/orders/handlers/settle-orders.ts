/**
 * The orders inbox's consumer: every answer to an order, from the catalog (StockReserved / StockRejected,
 * StockReleased) and from payments (PaymentSucceeded / PaymentDeclined, PaymentRefunded / PaymentCancelled), applied by the state
 * machine (functions/orders/README.md, "The lifecycle"). The outbox announces what changed.
 */
import { busEventConsumer, type ConsumedEvent } from '../../shared/events/bus-consumer.js';
import { subscriptions } from '../../shared/events/contracts.js';
import { logger, metrics } from '../../shared/observability.js';
import type { EventResult, OrderService } from '../domain/order-service.js';
import { orderService } from '../wiring.js';

type Answer = ConsumedEvent<(typeof subscriptions.settleOrders)[number]>;

export const createHandler = (orders = orderService) =>
  busEventConsumer(subscriptions.settleOrders, async (event) => {
    const result = await apply(orders(), event);
    metrics.addMetric(metricOf(event.type, result), 'Count', 1);
    const { order } = result;
    const acknowledged = result.kind === 'applied' ? ACKNOWLEDGED[event.type] : undefined;
    if (acknowledged && order.cancelledAt) {
      // How long the compensation took, from the cancellation to its owner's acknowledgement.
      metrics.addMetric('compensationLatency', 'Milliseconds', Date.parse(order[acknowledged] as string) - Date.parse(order.cancelledAt));
    }
    if (result.kind === 'ignored') {
      logger.warn('answer ignored: the order moved on', {
        orderId: order.orderId,
        status: order.status,
        answer: event.type,
        why: result.why,
        correlationId: event.envelope.metadata.correlationId,
      });
    }
  });

function apply(orders: OrderService, event: Answer): Promise<EventResult> {
  switch (event.type) {
    case 'StockReserved':
    case 'StockRejected': {
      const { data } = event.envelope;
      return orders.settle({
        orderId: data.orderId,
        productId: data.productId,
        qty: data.qty,
        outcome:
          event.type === 'StockReserved'
            ? { kind: 'RESERVED', unitPrice: event.envelope.data.unitPrice }
            : { kind: 'REJECTED', reason: event.envelope.data.reason },
      });
    }
    case 'StockReleased':
      return orders.acknowledgeStockRelease(event.envelope.data.orderId);
    case 'PaymentSucceeded':
      return orders.applyPayment(event.envelope.data.orderId, 'SUCCEEDED');
    case 'PaymentDeclined':
      return orders.applyPayment(event.envelope.data.orderId, 'DECLINED');
    case 'PaymentRefunded':
      return orders.acknowledgeRefund(event.envelope.data.orderId);
    case 'PaymentCancelled':
      return orders.acknowledgePaymentCancel(event.envelope.data.orderId);
  }
}

/** The answers that acknowledge a compensation, and the field each records (for compensationLatency). */
const ACKNOWLEDGED: Partial<Record<Answer['type'], 'stockReleasedAt' | 'refundedAt' | 'paymentCancelAcknowledgedAt'>> = {
  StockReleased: 'stockReleasedAt',
  PaymentRefunded: 'refundedAt',
  PaymentCancelled: 'paymentCancelAcknowledgedAt',
};

/** What each applied answer counts as (one fixed metric name per outcome; docs: functions/orders/README.md, "Metrics"). */
const APPLIED: Record<Answer['type'], string> = {
  StockReserved: 'ordersConfirmed',
  StockRejected: 'ordersRejected',
  StockReleased: 'stockReleasesAcknowledged',
  PaymentSucceeded: 'ordersPaid',
  PaymentDeclined: 'ordersCancelledPaymentDeclined',
  PaymentRefunded: 'refundsAcknowledged',
  PaymentCancelled: 'paymentCancelsAcknowledged',
};

function metricOf(type: Answer['type'], result: EventResult): string {
  const family = type.startsWith('Stock') ? 'stockAnswers' : 'paymentAnswers';
  if (result.kind === 'duplicate') return `${family}Repeated`;
  if (result.kind === 'ignored') return `${family}Ignored`;
  // A charge that raced the buyer's cancel: recorded, and refunded by payments.
  if (type === 'PaymentSucceeded' && result.order.status === 'CANCELLED') return 'chargesAfterCancel';
  return APPLIED[type];
}

export const handler = createHandler();
