// Producer contract test: the orders context's events must equal the shared examples field for field.
import { describe, expect, it } from 'vitest';
import { exampleEvent } from '../../shared/events/examples/examples.js';
import { announcementOf, orderEvent } from './order-events.js';
import {
  acknowledgement,
  buyerCancellation,
  payment,
  paymentRequest,
  settlement,
  shipment,
  type Order,
  type OrderChange,
  type StockOutcome,
} from './order.js';

const pending: Order = {
  orderId: '01JZ8R3M5QK7V2W9X4Y6Z8A0BC',
  userId: 'user-example-1',
  productId: 'CATALOG-001',
  qty: 3,
  status: 'PENDING',
  createdAt: '2026-03-01T10:00:00.000Z',
  paymentMethod: 'pm_card_visa',
  correlationId: 'corr-example-1',
};
/** The examples' timeline (their occurredAt): settled, due 60 s later, requested, paid, cancelled, shipped. */
const SETTLED_AT = '2026-03-01T10:00:00.250Z';
const step = (order: Order, change: OrderChange): Order => ({ ...order, ...change.set });
const settle = (order: Order, outcome: StockOutcome): Order =>
  step(order, settlement({ productId: order.productId, qty: order.qty, outcome }, SETTLED_AT, 60));
const confirmed = settle(pending, { kind: 'RESERVED', unitPrice: 1500 });
const requested = step(confirmed, paymentRequest('2026-03-01T10:01:00.400Z'));
const paid = step(requested, payment('2026-03-01T10:01:00.600Z'));

describe('orders producer (the outbox relay announces each stored state)', () => {
  it('a PENDING order is announced as OrderPlaced', () => {
    expect(orderEvent(pending)).toEqual(exampleEvent('OrderPlaced'));
  });

  it('a CONFIRMED order is announced as OrderConfirmed with the catalog price, the total and when its payment is due', () => {
    expect(orderEvent(confirmed)).toEqual(exampleEvent('OrderConfirmed'));
  });

  it('once its payment is requested, a CONFIRMED order is announced as PaymentRequested for its total, with its payment method', () => {
    expect(orderEvent(requested)).toEqual(exampleEvent('PaymentRequested'));
    // An order placed before payments existed is charged with the default token.
    expect(orderEvent({ ...requested, paymentMethod: undefined })).toEqual(exampleEvent('PaymentRequested'));
  });

  it('a PAID order is announced as OrderPaid, a SHIPPED one as OrderShipped', () => {
    expect(orderEvent(paid)).toEqual(exampleEvent('OrderPaid'));
    expect(orderEvent(step(paid, shipment('2026-03-01T11:00:00.000Z')))).toEqual(exampleEvent('OrderShipped'));
  });

  it('a REJECTED order is announced as OrderRejected with the reason', () => {
    expect(orderEvent(settle(pending, { kind: 'REJECTED', reason: 'OUT_OF_STOCK' }))).toEqual(exampleEvent('OrderRejected'));
  });

  it('a CANCELLED order is announced as OrderCancelled, naming the reason and the status it was cancelled from', () => {
    const cancelled = step(paid, buyerCancellation('PAID', '2026-03-01T10:05:00.100Z'));
    expect(orderEvent(cancelled)).toEqual(exampleEvent('OrderCancelled'));
  });

  it('an acknowledgement announces nothing; the same state stored by any other write announces it again', () => {
    const cancelled = step(paid, buyerCancellation('PAID', '2026-03-01T10:05:00.100Z'));
    const refunded = step(cancelled, acknowledgement(cancelled, 'refundedAt', '2026-03-01T10:05:01.000Z'));
    expect(announcementOf({ order: refunded, silent: true })).toBeUndefined();
    expect(announcementOf({ order: refunded, silent: false })).toEqual(exampleEvent('OrderCancelled'));
  });

  it('announcing the same state again gives the same event (same eventId)', () => {
    expect(orderEvent({ ...pending })).toEqual(orderEvent(pending));
  });

  it('refuses to build an event its schema would reject', () => {
    expect(() => orderEvent({ ...pending, qty: 0 })).toThrow();
    expect(() => orderEvent({ ...paid, paidAt: undefined })).toThrow();
  });
});
