// The orders context's producers: the event that announces an order's current state (for the outbox relay).
import { buildEvent, type OutgoingEvent } from '../../shared/events/contracts.js';
import type { Order } from './order.js';

export type OrderEventType = 'OrderPlaced' | 'OrderConfirmed' | 'OrderRejected';

/** Deterministic, `<id>:<EventType>` as every producer's: each announcement of one fact carries the same eventId. */
export const orderEventId = (orderId: string, type: OrderEventType) => `${orderId}:${type}`;

export function orderEvent(order: Order): OutgoingEvent<OrderEventType> {
  const { orderId, userId, productId, qty, correlationId } = order;
  switch (order.status) {
    case 'PENDING':
      return buildEvent(
        'OrderPlaced',
        { orderId, userId, productId, qty },
        {
          eventId: orderEventId(orderId, 'OrderPlaced'),
          correlationId,
          occurredAt: order.createdAt,
        },
      );
    case 'CONFIRMED':
      return buildEvent(
        'OrderConfirmed',
        {
          orderId,
          userId,
          productId,
          qty,
          unitPrice: order.unitPrice as number,
          totalPrice: order.totalPrice as number,
        },
        {
          eventId: orderEventId(orderId, 'OrderConfirmed'),
          correlationId,
          occurredAt: order.settledAt ?? order.createdAt,
        },
      );
    case 'REJECTED':
      return buildEvent(
        'OrderRejected',
        {
          orderId,
          userId,
          productId,
          qty,
          reason: order.reason as NonNullable<Order['reason']>,
        },
        {
          eventId: orderEventId(orderId, 'OrderRejected'),
          correlationId,
          occurredAt: order.settledAt ?? order.createdAt,
        },
      );
  }
}
