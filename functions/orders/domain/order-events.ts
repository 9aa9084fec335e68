// The orders context's producers: the event that announces an order's current state (for the outbox relay).
import { buildEvent, type OutgoingEvent } from '../../shared/events/contracts.js';
import { paymentMethodOf, type CancellationReason, type CancellableStatus, type Order, type RejectionReason } from './order.js';

export type OrderEventType =
  'OrderPlaced' | 'OrderConfirmed' | 'PaymentRequested' | 'OrderPaid' | 'OrderShipped' | 'OrderRejected' | 'OrderCancelled';

/** Deterministic, `<id>:<EventType>` as every producer's: each announcement of one fact carries the same eventId. */
export const orderEventId = (orderId: string, type: OrderEventType) => `${orderId}:${type}`;

/** An order as a write stored it: `silent` when the write only recorded an acknowledgement (nothing to announce). */
export interface StoredOrderImage {
  order: Order;
  silent: boolean;
}

/** What the outbox announces for a stored order image: the event of its state, or nothing for an acknowledgement. */
export const announcementOf = (image: StoredOrderImage): OutgoingEvent<OrderEventType> | undefined =>
  image.silent ? undefined : orderEvent(image.order);

/** The event of an order's state (functions/orders/README.md, "The lifecycle"). */
export function orderEvent(order: Order): OutgoingEvent<OrderEventType> {
  const { orderId, userId, productId, qty, correlationId } = order;
  const build = <T extends OrderEventType>(type: T, data: Parameters<typeof buildEvent<T>>[1], occurredAt: string | undefined) =>
    buildEvent(type, data, { eventId: orderEventId(orderId, type), correlationId, occurredAt: occurredAt ?? order.createdAt });
  const totalPrice = order.totalPrice as number;
  switch (order.status) {
    case 'PENDING':
      return build('OrderPlaced', { orderId, userId, productId, qty }, order.createdAt);
    case 'CONFIRMED':
      // Once the grace period is over the order's news is the charge it asks for.
      return order.paymentRequestedAt !== undefined
        ? build(
            'PaymentRequested',
            { orderId, userId, amount: totalPrice, paymentMethod: paymentMethodOf(order) },
            order.paymentRequestedAt,
          )
        : build(
            'OrderConfirmed',
            {
              orderId,
              userId,
              productId,
              qty,
              unitPrice: order.unitPrice as number,
              totalPrice,
              paymentDueAt: order.paymentDueAt as string,
            },
            order.settledAt,
          );
    case 'PAID':
      return build('OrderPaid', { orderId, userId, productId, qty, totalPrice, paidAt: order.paidAt as string }, order.paidAt);
    case 'SHIPPED':
      return build('OrderShipped', { orderId, userId, productId, qty, shippedAt: order.shippedAt as string }, order.shippedAt);
    case 'REJECTED':
      return build('OrderRejected', { orderId, userId, productId, qty, reason: order.reason as RejectionReason }, order.settledAt);
    case 'CANCELLED':
      return build(
        'OrderCancelled',
        {
          orderId,
          userId,
          productId,
          qty,
          reason: order.reason as CancellationReason,
          previousStatus: order.cancelledFrom as CancellableStatus,
          cancelledAt: order.cancelledAt as string,
        },
        order.cancelledAt,
      );
  }
}
