// Producer contract test: the catalog's announcements of an admin's changes must equal the shared examples field for field.
import { describe, expect, it } from 'vitest';
import { exampleEvent } from '../../shared/events/examples/examples.js';
import { productCreatedEvent, productPriceChangedEvent, stockAdjustedEvent } from './product-events.js';

const LISBON = { productId: 'CATALOG-004', productName: 'Lisbon', unitPrice: 1800, stock: 50, createdAt: '2026-03-01T09:00:00.000Z' };
const BERLIN = { productId: 'CATALOG-001', productName: 'Berlin', unitPrice: 1500, stock: 120, createdAt: '2026-01-01T00:00:00.000Z' };

describe('catalogs producer (the catalog management)', () => {
  it('a created product is announced with ProductCreated, its id the product id', () => {
    expect(productCreatedEvent(LISBON, 'corr-admin-1')).toEqual(exampleEvent('ProductCreated'));
  });

  it('a price change is announced with ProductPriceChanged, the previous and the new price', () => {
    const change = {
      changeId: '3f0c9a52-6d1e-4b7a-9c2f-8e5d4a1b0c7e',
      productId: 'CATALOG-001',
      previousUnitPrice: 1500,
      unitPrice: 1600,
      changedAt: '2026-03-01T09:05:00.000Z',
    };
    expect(productPriceChangedEvent(change, 'corr-admin-2')).toEqual(exampleEvent('ProductPriceChanged'));
  });

  it('a stock adjustment is announced with StockAdjusted, the delta and the stock right after it', () => {
    const adjustment = {
      adjustmentId: '9b2e7d14-0a3c-4f5e-8d6b-1c2a3e4f5a6b',
      productId: 'CATALOG-001',
      delta: 20,
      product: BERLIN,
      createdAt: '2026-03-01T09:10:00.000Z',
    };
    expect(stockAdjustedEvent(adjustment, 'corr-admin-3')).toEqual(exampleEvent('StockAdjusted'));
  });

  it('refuses to build an event that breaks its contract (a negative stock, an empty name)', () => {
    expect(() => productCreatedEvent({ ...LISBON, productName: '' }, 'c')).toThrow();
    const adjustment = { adjustmentId: 'a', productId: 'P', delta: -5, product: { ...BERLIN, stock: -1 }, createdAt: BERLIN.createdAt };
    expect(() => stockAdjustedEvent(adjustment, 'c')).toThrow();
  });
});
