import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../shared/domain-errors.js';
import { InMemoryCatalogRepository } from '../adapters/in-memory-catalog-repository.js';
import { CatalogService } from './catalog-service.js';
import { adjustmentFingerprint } from './stock-adjustment.js';

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
    expect((await service.reserveStock({ orderId: 'o1', productId: 'P1', qty: 2 })).reservation?.status).toBe('REJECTED');
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
    expect(results.filter((r) => r.reservation?.status === 'RESERVED')).toHaveLength(10);
    expect(repo.products.get('P1')?.stock).toBe(0);
  });
});

describe('the catalog management (admin)', () => {
  const ids = () => {
    let n = 0;
    return () => `id-${++n}`;
  };
  const NOW = new Date('2026-03-01T10:00:00.000Z');
  function managed(stock = 5) {
    const { repo } = setup(stock);
    repo.nowSeconds = () => Math.floor(NOW.getTime() / 1000); // the clock a key's record is judged by: the service's
    return { repo, service: new CatalogService(repo, () => NOW, ids()) };
  }

  describe('createProduct', () => {
    it('stores the product as given, stamped with the time', async () => {
      const { repo, service } = managed();
      const created = await service.createProduct({ productId: 'P2', productName: 'Two', unitPrice: 0, stock: 0 });
      expect(created).toEqual({ productId: 'P2', productName: 'Two', unitPrice: 0, stock: 0, createdAt: '2026-03-01T10:00:00.000Z' });
      expect(repo.products.get('P2')).toEqual(created);
    });

    it('an existing id is PRODUCT_EXISTS and leaves the product as it is', async () => {
      const { repo, service } = managed();
      const before = { ...repo.products.get('P1') };
      await expect(service.createProduct({ productId: 'P1', productName: 'Other', unitPrice: 1, stock: 99 })).rejects.toEqual(
        new ConflictError('PRODUCT_EXISTS', 'Product P1 already exists'),
      );
      expect(repo.products.get('P1')).toEqual(before);
    });
  });

  describe('updateProduct', () => {
    it('a new price: the product, and the change with the previous price', async () => {
      const { repo, service } = managed();
      expect(await service.updateProduct('P1', { unitPrice: 1600 })).toEqual({
        product: { ...repo.products.get('P1'), unitPrice: 1600 },
        priceChange: { changeId: 'id-1', productId: 'P1', previousUnitPrice: 1500, unitPrice: 1600, changedAt: '2026-03-01T10:00:00.000Z' },
      });
      expect(repo.products.get('P1')).toMatchObject({ unitPrice: 1600, productName: 'One', stock: 5 });
    });

    it('a new name, or the same price again: no price change', async () => {
      const { repo, service } = managed();
      expect(await service.updateProduct('P1', { productName: 'Uno' })).toEqual({ product: { ...repo.products.get('P1') } });
      expect(repo.products.get('P1')?.productName).toBe('Uno');
      expect(await service.updateProduct('P1', { unitPrice: 1500 })).not.toHaveProperty('priceChange');
    });

    it('an unknown product is NOT_FOUND and nothing is created', async () => {
      const { repo, service } = managed();
      await expect(service.updateProduct('NOPE', { unitPrice: 1 })).rejects.toEqual(new NotFoundError('Product NOPE not found'));
      await expect(service.updateProduct('NOPE', {})).rejects.toBeInstanceOf(NotFoundError);
      expect(repo.products.has('NOPE')).toBe(false);
    });

    it('orders reserved after a price change pay the new price; one reserved before keeps its own', async () => {
      const { repo, service } = managed();
      const before = await service.reserveStock({ orderId: 'o1', productId: 'P1', qty: 1 }); // remembers 1500
      await service.updateProduct('P1', { unitPrice: 1700 });
      const after = await service.reserveStock({ orderId: 'o2', productId: 'P1', qty: 1 });
      expect(before.reservation).toMatchObject({ status: 'RESERVED', unitPrice: 1500 });
      expect(after.reservation).toMatchObject({ status: 'RESERVED', unitPrice: 1700 });
      expect(repo.reservations.get('o1')).toMatchObject({ unitPrice: 1500 });
      expect(repo.products.get('P1')?.stock).toBe(3);
    });
  });

  describe('adjustStock', () => {
    it('a restock and a write-off to exactly 0, each answering the product as written', async () => {
      const { repo, service } = managed(5);
      const restock = await service.adjustStock({ productId: 'P1', delta: 7 });
      expect(restock).toEqual({
        repeated: false,
        adjustment: {
          adjustmentId: 'id-1',
          productId: 'P1',
          delta: 7,
          product: { ...repo.products.get('P1'), stock: 12 },
          createdAt: '2026-03-01T10:00:00.000Z',
        },
      });
      expect((await service.adjustStock({ productId: 'P1', delta: -12 })).adjustment.product.stock).toBe(0);
      expect(repo.products.get('P1')?.stock).toBe(0);
      expect(repo.adjustments.size).toBe(0);
    });

    it('a write-off below 0 is INSUFFICIENT_STOCK: nothing written, nothing recorded, the key still free', async () => {
      const { repo, service } = managed(3);
      await expect(service.adjustStock({ productId: 'P1', delta: -4, idempotencyKey: 'k' })).rejects.toEqual(
        new ConflictError('INSUFFICIENT_STOCK', 'Product P1 has 3 in stock: -4 would take it below 0'),
      );
      expect(repo.products.get('P1')?.stock).toBe(3);
      expect(repo.adjustments.size).toBe(0);
      repo.products.get('P1')!.stock = 10;
      expect((await service.adjustStock({ productId: 'P1', delta: -4, idempotencyKey: 'k' })).adjustment.product.stock).toBe(6);
    });

    it('an unknown product is NOT_FOUND', async () => {
      const { service } = managed();
      await expect(service.adjustStock({ productId: 'NOPE', delta: 1 })).rejects.toEqual(new NotFoundError('Product NOPE not found'));
    });

    it('with a key: recorded with the answer; a repeat applies nothing and gets the same answer, even when the stock could no longer take it', async () => {
      const { repo, service } = managed(5);
      const first = await service.adjustStock({ productId: 'P1', delta: -5, idempotencyKey: 'k-1' });
      expect(repo.adjustments.get('k-1')).toMatchObject({
        ...first.adjustment,
        idempotencyKey: 'k-1',
        expiresAt: Date.parse('2026-03-01T10:00:00.000Z') / 1000 + 24 * 60 * 60,
      });
      const again = await service.adjustStock({ productId: 'P1', delta: -5, idempotencyKey: 'k-1' });
      expect(again).toEqual({ adjustment: first.adjustment, repeated: true });
      expect(repo.products.get('P1')?.stock).toBe(0);
    });

    it('the same key with another delta or product is IDEMPOTENCY_KEY_REUSED and changes nothing', async () => {
      const { repo, service } = managed(5);
      repo.products.set('P2', { ...repo.products.get('P1')!, productId: 'P2' });
      await service.adjustStock({ productId: 'P1', delta: 2, idempotencyKey: 'k-1' });
      const reused = new ConflictError('IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was already used with a different request');
      await expect(service.adjustStock({ productId: 'P1', delta: 3, idempotencyKey: 'k-1' })).rejects.toEqual(reused);
      await expect(service.adjustStock({ productId: 'P2', delta: 2, idempotencyKey: 'k-1' })).rejects.toEqual(reused);
      expect(repo.products.get('P1')?.stock).toBe(7);
      expect(repo.products.get('P2')?.stock).toBe(5);
    });

    it('a reservation between the read and the write: read again, the delta applied on the new stock (no update lost)', async () => {
      const { repo, service } = managed(5);
      repo.beforeAdjust = () => (repo.products.get('P1')!.stock = 2);
      const { adjustment } = await service.adjustStock({ productId: 'P1', delta: 3 });
      expect(adjustment.product.stock).toBe(5);
      expect(repo.products.get('P1')?.stock).toBe(5);
    });

    it('a reservation between the read and a write-off that no longer fits: INSUFFICIENT_STOCK, nothing written', async () => {
      const { repo, service } = managed(5);
      repo.beforeAdjust = () => (repo.products.get('P1')!.stock = 2);
      await expect(service.adjustStock({ productId: 'P1', delta: -4, idempotencyKey: 'k' })).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
      });
      expect(repo.products.get('P1')?.stock).toBe(2);
      expect(repo.adjustments.size).toBe(0);
    });

    it('a request with the same key that came first meanwhile: its answer, nothing applied twice', async () => {
      const { repo, service } = managed(5);
      const concurrent = {
        adjustmentId: 'first',
        productId: 'P1',
        delta: 1,
        product: { ...repo.products.get('P1')!, stock: 6 },
        createdAt: 'earlier',
      };
      repo.beforeAdjust = () => {
        repo.products.get('P1')!.stock = 6;
        repo.adjustments.set('k', {
          ...concurrent,
          idempotencyKey: 'k',
          fingerprint: adjustmentFingerprint('P1', 1),
          expiresAt: repo.nowSeconds() + 60,
        });
      };
      expect(await service.adjustStock({ productId: 'P1', delta: 1, idempotencyKey: 'k' })).toEqual({
        adjustment: concurrent,
        repeated: true,
      });
      expect(repo.products.get('P1')?.stock).toBe(6);
    });

    it('gives up (an error, nothing written) when the product changes under every attempt', async () => {
      const { repo, service } = managed(5);
      let writes = 0;
      repo.adjustStock = async () => {
        writes++;
        return 'product-changed';
      };
      await expect(service.adjustStock({ productId: 'P1', delta: 1 })).rejects.toThrow(/after 20 attempts/);
      expect(writes).toBe(20);
      expect(repo.products.get('P1')?.stock).toBe(5);
    }, 10_000);
  });
});

describe('releasing the stock of a cancelled order (the compensation)', () => {
  const order = { orderId: 'o1', productId: 'P1', qty: 2 };
  /** The catalog of `setup`, with a clock that moves: the reservation at 10:00, the cancel at 10:05. */
  function cancelling(stock = 5) {
    const repo = new InMemoryCatalogRepository();
    repo.products.set('P1', { productId: 'P1', productName: 'One', unitPrice: 1500, stock, createdAt: '2026-01-01T00:00:00.000Z' });
    const clock = { now: new Date('2026-03-01T10:00:00.000Z') };
    return { repo, clock, service: new CatalogService(repo, () => clock.now) };
  }
  const CANCELLED_AT = new Date('2026-03-01T10:05:00.000Z');

  it('a reservation: RELEASED and the stock back, in one step; the answer gives back its qty', async () => {
    const { repo, clock, service } = cancelling();
    await service.reserveStock(order);
    clock.now = CANCELLED_AT;
    expect(await service.releaseStock(order)).toEqual({
      outcome: 'released',
      release: { ...order, releasedQty: 2, releasedAt: '2026-03-01T10:05:00.000Z' },
    });
    expect(repo.products.get('P1')?.stock).toBe(5);
    expect(repo.reservations.get('o1')).toEqual({
      ...order,
      status: 'RELEASED',
      unitPrice: 1500,
      createdAt: '2026-03-01T10:00:00.000Z',
      releasedAt: '2026-03-01T10:05:00.000Z',
    });
  });

  it('a repeated cancel gives nothing back twice, and gets the same answer (the time of the release)', async () => {
    const { repo, clock, service } = cancelling();
    await service.reserveStock(order);
    clock.now = CANCELLED_AT;
    const first = await service.releaseStock(order);
    clock.now = new Date('2026-03-01T11:00:00.000Z');
    expect(await service.releaseStock(order)).toEqual({ ...first, outcome: 'repeated' });
    expect(repo.products.get('P1')?.stock).toBe(5);
  });

  it('a cancel before the reservation leaves a tombstone: the late OrderPlaced reserves nothing and gets no answer', async () => {
    const { repo, clock, service } = cancelling();
    clock.now = CANCELLED_AT;
    expect(await service.releaseStock(order)).toEqual({
      outcome: 'tombstoned',
      release: { ...order, releasedQty: 0, releasedAt: '2026-03-01T10:05:00.000Z' },
    });
    const tombstone = { ...order, status: 'CANCELLED', createdAt: '2026-03-01T10:05:00.000Z' };
    expect(repo.reservations.get('o1')).toEqual(tombstone);
    expect(await service.reserveStock(order)).toEqual({ cancelled: tombstone });
    expect(await service.reserveStock(order)).toEqual({ cancelled: tombstone });
    expect(repo.products.get('P1')?.stock).toBe(5);
    expect(repo.reservations.get('o1')).toEqual(tombstone);
  });

  it('a tombstone also stops a late rejection from being recorded (unknown product, short stock)', async () => {
    const { repo, service } = cancelling(1);
    const unknown = { orderId: 'o-unknown', productId: 'NOPE', qty: 1 };
    const short = { orderId: 'o-short', productId: 'P1', qty: 3 };
    await service.releaseStock(unknown);
    await service.releaseStock(short);
    expect((await service.reserveStock(unknown)).cancelled?.status).toBe('CANCELLED');
    expect((await service.reserveStock(short)).cancelled?.status).toBe('CANCELLED');
    expect(repo.reservations.get('o-unknown')?.status).toBe('CANCELLED');
    expect(repo.reservations.get('o-short')?.status).toBe('CANCELLED');
    expect(repo.products.get('P1')?.stock).toBe(1);
  });

  it('a repeated cancel after the tombstone is a repeat: the same answer, nothing written', async () => {
    const { repo, clock, service } = cancelling();
    clock.now = CANCELLED_AT;
    const first = await service.releaseStock(order);
    clock.now = new Date('2026-03-01T11:00:00.000Z');
    expect(await service.releaseStock(order)).toEqual({ ...first, outcome: 'repeated' });
    expect(repo.reservations.get('o1')).toMatchObject({ status: 'CANCELLED', createdAt: '2026-03-01T10:05:00.000Z' });
  });

  it('a rejected order has nothing to give back: releasedQty 0, the rejection stays', async () => {
    const { repo, clock, service } = cancelling(1);
    await service.reserveStock(order);
    clock.now = CANCELLED_AT;
    expect(await service.releaseStock(order)).toEqual({
      outcome: 'nothing-reserved',
      release: { ...order, releasedQty: 0, releasedAt: '2026-03-01T10:05:00.000Z' },
    });
    expect(repo.reservations.get('o1')).toMatchObject({ status: 'REJECTED', reason: 'OUT_OF_STOCK' });
    expect(repo.products.get('P1')?.stock).toBe(1);
  });

  it('an OrderPlaced redelivered after the release reserves nothing again and gets no answer', async () => {
    const { repo, service } = cancelling();
    await service.reserveStock(order);
    await service.releaseStock(order);
    expect((await service.reserveStock(order)).cancelled).toMatchObject({ status: 'RELEASED' });
    expect(repo.products.get('P1')?.stock).toBe(5);
  });

  it('a reservation that lands between the read and the tombstone: the tombstone is not written, the reservation is released', async () => {
    const { repo, service } = cancelling();
    repo.beforeCancel = () => {
      repo.products.get('P1')!.stock -= 2;
      repo.reservations.set('o1', { ...order, status: 'RESERVED', unitPrice: 1500, createdAt: 'racing' });
    };
    expect((await service.releaseStock(order)).outcome).toBe('released');
    expect(repo.products.get('P1')?.stock).toBe(5);
    expect(repo.reservations.get('o1')).toMatchObject({ status: 'RELEASED', createdAt: 'racing' });
  });

  it('another delivery of the cancel that released first: nothing given back twice, the answer is its release', async () => {
    const { repo, clock, service } = cancelling();
    await service.reserveStock(order);
    clock.now = CANCELLED_AT;
    repo.beforeCancel = () => {
      repo.products.get('P1')!.stock += 2;
      repo.reservations.set('o1', {
        ...order,
        status: 'RELEASED',
        unitPrice: 1500,
        createdAt: 'x',
        releasedAt: '2026-03-01T10:04:59.000Z',
      });
    };
    expect(await service.releaseStock(order)).toEqual({
      outcome: 'repeated',
      release: { ...order, releasedQty: 2, releasedAt: '2026-03-01T10:04:59.000Z' },
    });
    expect(repo.products.get('P1')?.stock).toBe(5);
  });

  it('five deliveries of one cancel at once give the stock back once', async () => {
    const { repo, service } = cancelling();
    await service.reserveStock(order);
    const answers = await Promise.all(Array.from({ length: 5 }, () => service.releaseStock(order)));
    expect(answers.map((a) => a.outcome).sort()).toEqual(['released', 'repeated', 'repeated', 'repeated', 'repeated']);
    for (const answer of answers) expect(answer.release).toEqual(answers[0]?.release);
    expect(repo.products.get('P1')?.stock).toBe(5);
  });

  it('a product that is gone cannot take its stock back: an error, the reservation stays RESERVED', async () => {
    const { repo, service } = cancelling();
    await service.reserveStock(order);
    repo.products.delete('P1');
    await expect(service.releaseStock(order)).rejects.toThrow(/product P1 of order o1 is gone/);
    expect(repo.reservations.get('o1')?.status).toBe('RESERVED');
  });

  describe('arrival order does not matter: every sequence of OrderPlaced (P) and OrderCancelled (C) deliveries', () => {
    const sequences = (length: number): string[] =>
      length === 0 ? [''] : sequences(length - 1).flatMap((rest) => [`P${rest}`, `C${rest}`]);
    const all = [1, 2, 3, 4].flatMap(sequences);

    it.each(all)('%s: the stock ends at 5 once cancelled (3 if never), every cancel answered the same', async (sequence) => {
      const { repo, service } = cancelling();
      const releases = [];
      let reserved = 0;
      for (const delivery of sequence) {
        if (delivery === 'C') releases.push((await service.releaseStock(order)).release);
        else {
          const answer = await service.reserveStock(order);
          if (answer.reservation?.status === 'RESERVED' && !answer.duplicate) reserved++;
        }
      }
      const cancelled = sequence.includes('C');
      expect(repo.products.get('P1')?.stock).toBe(cancelled ? 5 : 3);
      // Reserved at most once, and only when an OrderPlaced came before the first cancel.
      expect(reserved).toBe(sequence.startsWith('P') ? 1 : 0);
      for (const release of releases) expect(release).toEqual(releases[0]);
      if (cancelled) expect(releases[0]?.releasedQty).toBe(sequence.startsWith('P') ? 2 : 0);
    });
  });
});
