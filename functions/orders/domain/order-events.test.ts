// Producer contract test: the orders context's events must equal the shared examples field for field.
import { describe, expect, it } from 'vitest';
import { exampleEvent } from '../../shared/events/examples/examples.js';
import { orderEvent } from './order-events.js';
import { settlementOf, type Order, type StockOutcome } from './order.js';

const pending: Order = {
  orderId: '01JZ8R3M5QK7V2W9X4Y6Z8A0BC',
  userId: 'user-example-1',
  productId: 'CATALOG-001',
  qty: 3,
  status: 'PENDING',
  createdAt: '2026-03-01T10:00:00.000Z',
  correlationId: 'corr-example-1',
};
const settledAt = '2026-03-01T10:00:00.250Z';
const settle = (order: Order, outcome: StockOutcome): Order => ({ ...order, ...settlementOf(order.qty, outcome, settledAt) });

describe('orders producer (the outbox relay announces each stored state)', () => {
  it('a PENDING order is announced as OrderPlaced', () => {
    expect(orderEvent(pending)).toEqual(exampleEvent('OrderPlaced'));
  });

  it('a CONFIRMED order is announced as OrderConfirmed with the catalog price and the total', () => {
    expect(orderEvent(settle(pending, { kind: 'RESERVED', unitPrice: 1500 }))).toEqual(exampleEvent('OrderConfirmed'));
  });

  it('a REJECTED order is announced as OrderRejected with the reason', () => {
    expect(orderEvent(settle(pending, { kind: 'REJECTED', reason: 'OUT_OF_STOCK' }))).toEqual(exampleEvent('OrderRejected'));
  });

  it('announcing the same state again gives the same event (same eventId)', () => {
    expect(orderEvent({ ...pending })).toEqual(orderEvent(pending));
  });

  it('refuses to build an event its schema would reject', () => {
    expect(() => orderEvent({ ...pending, qty: 0 })).toThrow();
  });
});
