import { describe, expect, it } from 'vitest';
import { InMemoryCatalogRepository } from '../adapters/in-memory-catalog-repository.js';
import { CatalogService } from './catalog-service.js';

function setup(stock = 5) {
  const repo = new InMemoryCatalogRepository();
  repo.products.set('P1', {
    productId: 'P1',
    productName: 'One',
    unitPrice: 1500,
    stock,
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  return {
    repo,
    service: new CatalogService(repo, () => new Date('2026-03-01T10:00:00.000Z')),
  };
}

describe('reserving stock for an order', () => {
  it('reserves at the catalog price and lowers the stock', async () => {
    const { repo, service } = setup();
    const { reservation, duplicate } = await service.reserveStock({
      orderId: 'o1',
      productId: 'P1',
      qty: 2,
    });
    expect(duplicate).toBe(false);
    expect(reservation).toEqual({
      orderId: 'o1',
      productId: 'P1',
      qty: 2,
      status: 'RESERVED',
      unitPrice: 1500,
      createdAt: '2026-03-01T10:00:00.000Z',
    });
    expect(repo.products.get('P1')?.stock).toBe(3);
  });

  it('rejects an unknown product and a quantity above the stock, recording the answer', async () => {
    const { repo, service } = setup();
    expect((await service.reserveStock({ orderId: 'o1', productId: 'NOPE', qty: 1 })).reservation).toMatchObject({
      status: 'REJECTED',
      reason: 'UNKNOWN_PRODUCT',
    });
    expect((await service.reserveStock({ orderId: 'o2', productId: 'P1', qty: 6 })).reservation).toMatchObject({
      status: 'REJECTED',
      reason: 'OUT_OF_STOCK',
    });
    expect(repo.products.get('P1')?.stock).toBe(5);
    expect(repo.reservations.size).toBe(2);
  });

  it('a redelivered order changes nothing and gets the recorded answer again', async () => {
    const { repo, service } = setup();
    const first = await service.reserveStock({
      orderId: 'o1',
      productId: 'P1',
      qty: 2,
    });
    const again = await service.reserveStock({
      orderId: 'o1',
      productId: 'P1',
      qty: 2,
    });
    expect(again).toEqual({ reservation: first.reservation, duplicate: true });
    expect(repo.products.get('P1')?.stock).toBe(3);
  });

  it('a recorded rejection stands even after the stock is replenished', async () => {
    const { repo, service } = setup(1);
    await service.reserveStock({ orderId: 'o1', productId: 'P1', qty: 2 });
    repo.products.get('P1')!.stock = 100;
    expect((await service.reserveStock({ orderId: 'o1', productId: 'P1', qty: 2 })).reservation.status).toBe('REJECTED');
    expect(repo.products.get('P1')?.stock).toBe(100);
  });

  it('when the stock drops between the read and the write, decides again (and never oversells)', async () => {
    const { repo, service } = setup(3);
    repo.beforeReserve = () => (repo.products.get('P1')!.stock = 1);
    const { reservation } = await service.reserveStock({
      orderId: 'o1',
      productId: 'P1',
      qty: 2,
    });
    expect(reservation).toMatchObject({
      status: 'REJECTED',
      reason: 'OUT_OF_STOCK',
    });
    expect(repo.products.get('P1')?.stock).toBe(1);
  });

  it('when a duplicate answered first, returns that answer', async () => {
    const { repo, service } = setup(3);
    repo.beforeReserve = () => {
      repo.reservations.set('o1', {
        orderId: 'o1',
        productId: 'P1',
        qty: 2,
        status: 'RESERVED',
        unitPrice: 1500,
        createdAt: 'earlier',
      });
    };
    const result = await service.reserveStock({
      orderId: 'o1',
      productId: 'P1',
      qty: 2,
    });
    expect(result).toMatchObject({
      duplicate: true,
      reservation: { createdAt: 'earlier' },
    });
  });

  it('reserves at the current price after a price change (the last seen price is only an expectation)', async () => {
    const { repo, service } = setup();
    await service.reserveStock({ orderId: 'o1', productId: 'P1', qty: 1 });
    repo.products.get('P1')!.unitPrice = 1600;
    expect((await service.reserveStock({ orderId: 'o2', productId: 'P1', qty: 1 })).reservation).toMatchObject({
      status: 'RESERVED',
      unitPrice: 1600,
    });
    expect(repo.products.get('P1')?.stock).toBe(3);
  });

  it('a redelivered rejection while the stock is still short gets the recorded rejection', async () => {
    const { repo, service } = setup(1);
    const first = await service.reserveStock({
      orderId: 'o1',
      productId: 'P1',
      qty: 2,
    });
    expect(await service.reserveStock({ orderId: 'o1', productId: 'P1', qty: 2 })).toEqual({
      reservation: first.reservation,
      duplicate: true,
    });
    expect(repo.reservations.size).toBe(1);
  });

  it('a product removed after its price was seen is an unknown product', async () => {
    const { repo, service } = setup();
    await service.reserveStock({ orderId: 'o1', productId: 'P1', qty: 1 });
    repo.products.delete('P1');
    expect((await service.reserveStock({ orderId: 'o2', productId: 'P1', qty: 1 })).reservation).toMatchObject({
      status: 'REJECTED',
      reason: 'UNKNOWN_PRODUCT',
    });
  });

  it('exactly the stock is sold when many orders race for it', async () => {
    const { repo, service } = setup(10);
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) => service.reserveStock({ orderId: `o${i}`, productId: 'P1', qty: 1 })),
    );
    expect(results.filter((r) => r.reservation.status === 'RESERVED')).toHaveLength(10);
    expect(repo.products.get('P1')?.stock).toBe(0);
  });
});
