/** The catalogs context's producers: the answer to an OrderPlaced, built from the recorded reservation. */
import { buildEvent, type OutgoingEvent } from '../../shared/events/contracts.js';
import type { Reservation } from './reservation.js';

export type StockEventType = 'StockReserved' | 'StockRejected';

/** Deterministic: a repeated answer (for a redelivered OrderPlaced) has the same eventId. */
export const stockEventId = (orderId: string, type: StockEventType) => `${orderId}:${type}`;

export function stockEvent(reservation: Reservation, correlationId: string): OutgoingEvent<StockEventType> {
  const { orderId, productId, qty, createdAt: occurredAt } = reservation;
  if (reservation.status === 'RESERVED') {
    return buildEvent(
      'StockReserved',
      { orderId, productId, qty, unitPrice: reservation.unitPrice },
      {
        eventId: stockEventId(orderId, 'StockReserved'),
        correlationId,
        occurredAt,
      },
    );
  }
  return buildEvent(
    'StockRejected',
    { orderId, productId, qty, reason: reservation.reason },
    {
      eventId: stockEventId(orderId, 'StockRejected'),
      correlationId,
      occurredAt,
    },
  );
}
