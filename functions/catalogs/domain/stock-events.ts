/**
 * The catalogs context's producers: the answer to an OrderPlaced, built from the recorded reservation, and the
 * answer to an OrderCancelled, built from the release.
 */
import { buildEvent, type OutgoingEvent } from '../../shared/events/contracts.js';
import type { Reservation, StockRelease } from './reservation.js';

export type StockEventType = 'StockReserved' | 'StockRejected' | 'StockReleased';

/** Deterministic: a repeated answer (for a redelivered OrderPlaced or OrderCancelled) has the same eventId. */
export const stockEventId = (orderId: string, type: StockEventType) => `${orderId}:${type}`;

export function stockEvent(reservation: Reservation, correlationId: string): OutgoingEvent<'StockReserved' | 'StockRejected'> {
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

/** `releasedQty`: what went back to stock for the order, 0 when the catalog had reserved nothing. */
export function stockReleasedEvent(release: StockRelease, correlationId: string): OutgoingEvent<'StockReleased'> {
  const { orderId, productId, qty, releasedQty, releasedAt } = release;
  return buildEvent(
    'StockReleased',
    { orderId, productId, qty, releasedQty },
    { eventId: stockEventId(orderId, 'StockReleased'), correlationId, occurredAt: releasedAt },
  );
}
