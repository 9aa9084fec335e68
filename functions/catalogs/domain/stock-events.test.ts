// Producer contract test: the catalogs context's answers must equal the shared examples field for field.
import { describe, expect, it } from 'vitest';
import { exampleEvent } from '../../shared/events/examples/examples.js';
import { stockEvent, stockReleasedEvent } from './stock-events.js';

const request = {
  orderId: '01JZ8R3M5QK7V2W9X4Y6Z8A0BC',
  productId: 'CATALOG-001',
  qty: 3,
  createdAt: '2026-03-01T10:00:00.120Z',
};

describe('catalogs producer (the answers to OrderPlaced and OrderCancelled)', () => {
  it('a reservation is answered with StockReserved at the catalog price', () => {
    expect(stockEvent({ ...request, status: 'RESERVED', unitPrice: 1500 }, 'corr-example-1')).toEqual(exampleEvent('StockReserved'));
  });

  it('a rejection is answered with StockRejected and its reason', () => {
    expect(stockEvent({ ...request, status: 'REJECTED', reason: 'OUT_OF_STOCK' }, 'corr-example-1')).toEqual(exampleEvent('StockRejected'));
  });

  it("carries the correlation id it is given (the order request's)", () => {
    expect(stockEvent({ ...request, status: 'RESERVED', unitPrice: 1 }, 'other').detail.metadata.correlationId).toBe('other');
  });

  it("a cancelled order's release is answered with StockReleased, the qty that went back to stock", () => {
    const release = { orderId: request.orderId, productId: 'CATALOG-001', qty: 3, releasedQty: 3, releasedAt: '2026-03-01T10:05:00.300Z' };
    expect(stockReleasedEvent(release, 'corr-example-1')).toEqual(exampleEvent('StockReleased'));
  });

  it('nothing reserved is answered all the same, with releasedQty 0 and the same event id', () => {
    const release = { orderId: request.orderId, productId: 'CATALOG-001', qty: 3, releasedQty: 0, releasedAt: '2026-03-01T10:05:00.300Z' };
    const event = stockReleasedEvent(release, 'corr-example-1');
    expect(event.detail.data).toEqual({ ...exampleEvent('StockReleased').detail.data, releasedQty: 0 });
    expect(event.detail.metadata.eventId).toBe(exampleEvent('StockReleased').detail.metadata.eventId);
  });

  it('refuses to build a release that breaks its contract (a negative releasedQty)', () => {
    const release = { orderId: request.orderId, productId: 'CATALOG-001', qty: 3, releasedQty: -1, releasedAt: '2026-03-01T10:05:00.300Z' };
    expect(() => stockReleasedEvent(release, 'c')).toThrow();
  });
});
