// Producer contract test: the catalogs context's answers must equal the shared examples field for field.
import { describe, expect, it } from 'vitest';
import { exampleEvent } from '../../shared/events/examples/examples.js';
import { stockEvent } from './stock-events.js';

const request = {
  orderId: '01JZ8R3M5QK7V2W9X4Y6Z8A0BC',
  productId: 'CATALOG-001',
  qty: 3,
  createdAt: '2026-03-01T10:00:00.120Z',
};

describe('catalogs producer (the answer to OrderPlaced)', () => {
  it('a reservation is answered with StockReserved at the catalog price', () => {
    expect(stockEvent({ ...request, status: 'RESERVED', unitPrice: 1500 }, 'corr-example-1')).toEqual(exampleEvent('StockReserved'));
  });

  it('a rejection is answered with StockRejected and its reason', () => {
    expect(stockEvent({ ...request, status: 'REJECTED', reason: 'OUT_OF_STOCK' }, 'corr-example-1')).toEqual(exampleEvent('StockRejected'));
  });

  it("carries the correlation id it is given (the order request's)", () => {
    expect(stockEvent({ ...request, status: 'RESERVED', unitPrice: 1 }, 'other').detail.metadata.correlationId).toBe('other');
  });
});
