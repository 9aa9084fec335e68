/** The orders queue's consumer: settles each order with the catalog's answer (StockReserved / StockRejected). */
import { busEventConsumer } from '../../shared/events/bus-consumer.js';
import { subscriptions } from '../../shared/events/contracts.js';
import { logger, metrics } from '../../shared/observability.js';
import type { SettleResult } from '../domain/order-service.js';
import type { StockOutcome } from '../domain/order.js';
import { orderService } from '../wiring.js';

export const createHandler = (orders = orderService) =>
  busEventConsumer(subscriptions.settleOrders, async (event) => {
    const { data, metadata } = event.envelope;
    const outcome: StockOutcome =
      event.type === 'StockReserved'
        ? { kind: 'RESERVED', unitPrice: event.envelope.data.unitPrice }
        : { kind: 'REJECTED', reason: event.envelope.data.reason };
    const result = await orders().settle({
      orderId: data.orderId,
      productId: data.productId,
      qty: data.qty,
      outcome,
    });
    // The outbox announces OrderConfirmed / OrderRejected for a newly settled order.
    metrics.addMetric(settleMetric(result), 'Count', 1);
    if (result.kind === 'conflicting') {
      logger.warn('order already settled with another answer; the first answer stands', {
        orderId: data.orderId,
        status: result.order.status,
        answer: event.type,
        correlationId: metadata.correlationId,
      });
    }
  });

/** One fixed metric name per outcome. */
function settleMetric(result: SettleResult): string {
  if (result.kind === 'settled') return result.order.status === 'CONFIRMED' ? 'ordersConfirmed' : 'ordersRejected';
  return result.kind === 'duplicate' ? 'stockAnswersRepeated' : 'stockAnswersConflicting';
}

export const handler = createHandler();
