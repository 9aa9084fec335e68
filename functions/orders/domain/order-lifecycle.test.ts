// The order lifecycle on the in-memory fake: every transition and guard of the state machine, duplicates, and
// events that arrive in another order than they were sent (functions/orders/README.md, "The lifecycle").
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../shared/domain-errors.js';
import { InMemoryOrderRepository } from '../adapters/in-memory-order-repository.js';
import { newOrderId } from './order-id.js';
import { OrderService, PaymentNotDueError, UnknownOrderError, type ChangeResult, type SweepOptions } from './order-service.js';
import { isFinal, type Order, type OrderChange } from './order.js';

const T0 = Date.UTC(2026, 2, 1, 10);
const iso = (ms: number) => new Date(ms).toISOString();
const GRACE = 60;

function setup() {
  let now = T0;
  const repo = new InMemoryOrderRepository([], () => Math.floor(now / 1000));
  const service = new OrderService(repo, () => new Date(now), newOrderId, { paymentGraceSeconds: GRACE });
  const stored = (orderId: string) => repo.orders.get(orderId);
  const place = (paymentMethod?: 'pm_card_declined') =>
    service.place({
      userId: 'u1',
      productId: 'P-1',
      qty: 2,
      correlationId: 'c1',
      requestBody: {},
      ...(paymentMethod ? { paymentMethod } : {}),
    });
  const reserve = (orderId: string, unitPrice = 500) =>
    service.settle({ orderId, productId: 'P-1', qty: 2, outcome: { kind: 'RESERVED', unitPrice } });
  const reject = (orderId: string) =>
    service.settle({ orderId, productId: 'P-1', qty: 2, outcome: { kind: 'REJECTED', reason: 'OUT_OF_STOCK' } });
  return {
    repo,
    service,
    stored,
    place,
    reserve,
    reject,
    advance: (ms: number) => (now += ms),
    now: () => now,
    /** An order CONFIRMED at T0 + 1 s, its payment due GRACE s later. */
    confirmed: async () => {
      const order = await place();
      now += 1000;
      await reserve(order.orderId);
      return order.orderId;
    },
    /** A CONFIRMED order whose grace period is over and whose payment was requested and charged. */
    paid: async (orderId: string) => {
      now = Date.parse(stored(orderId)?.paymentDueAt as string);
      await service.requestPayment(orderId, stored(orderId)?.paymentDueAt as string);
      now += 500;
      await service.applyPayment(orderId, 'SUCCEEDED');
    },
  };
}

const watched = (order: { sweepShard?: string } | undefined) => order?.sweepShard?.startsWith('SWEEP#') ?? false;

describe('placing', () => {
  it('stores the payment method given, else the default; the view never shows it', async () => {
    const { place, stored } = setup();
    expect(stored((await place()).orderId)?.paymentMethod).toBe('pm_card_visa');
    expect(stored((await place('pm_card_declined')).orderId)?.paymentMethod).toBe('pm_card_declined');
  });
});

describe('PENDING -> CONFIRMED | REJECTED (the catalog answers)', () => {
  it('StockReserved confirms it, its payment due the grace period later, watched from then', async () => {
    const { confirmed, stored } = setup();
    const id = await confirmed();
    expect(stored(id)).toMatchObject({
      status: 'CONFIRMED',
      unitPrice: 500,
      totalPrice: 1000,
      settledAt: iso(T0 + 1000),
      paymentDueAt: iso(T0 + 61_000),
      sweepAt: iso(T0 + 61_000),
      announcements: 0,
    });
    expect(stored(id)?.silent).toBeUndefined();
  });

  it('StockRejected rejects it; it leaves the sweep', async () => {
    const { place, reject, stored } = setup();
    const order = await place();
    expect((await reject(order.orderId)).kind).toBe('applied');
    expect(stored(order.orderId)).toMatchObject({ status: 'REJECTED', reason: 'OUT_OF_STOCK' });
    expect(watched(stored(order.orderId))).toBe(false);
  });

  it('an answer for an order that moved on changes nothing: the same answer is a duplicate, another is ignored', async () => {
    const { confirmed, reserve, reject, paid, stored } = setup();
    const id = await confirmed();
    await paid(id);
    const before = structuredClone(stored(id));
    expect((await reserve(id)).kind).toBe('duplicate');
    expect((await reserve(id, 999)).kind).toBe('ignored');
    expect((await reject(id)).kind).toBe('ignored');
    expect(stored(id)).toEqual(before);
  });
});

describe('CONFIRMED: the grace period ends, the payment is requested', () => {
  it('requests it once, when due (a little early is due: clocks differ); a repeat is a duplicate', async () => {
    const { confirmed, service, stored, advance } = setup();
    const id = await confirmed();
    advance(GRACE * 1000 - 1500);
    const due = stored(id)?.paymentDueAt as string;
    expect(await service.requestPayment(id, due)).toMatchObject({ kind: 'applied', order: { paymentRequestedAt: iso(T0 + 59_500) } });
    advance(1000);
    expect((await service.requestPayment(id, due)).kind).toBe('duplicate');
    expect(stored(id)?.paymentRequestedAt).toBe(iso(T0 + 59_500));
    // Still watched from its due time: the sweeper requests it again if payments never answers.
    expect(stored(id)?.sweepAt).toBe(due);
  });

  it('an early message is retried (a retryable error), and nothing is written', async () => {
    const { confirmed, service, stored } = setup();
    const id = await confirmed();
    const error = await service.requestPayment(id, stored(id)?.paymentDueAt as string).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentNotDueError);
    expect(error).toMatchObject({ retryable: true });
    expect(stored(id)?.paymentRequestedAt).toBeUndefined();
  });

  it('an order cancelled within its grace period asks for no payment; an unknown order fails its message', async () => {
    const { confirmed, service, stored, advance } = setup();
    const id = await confirmed();
    await service.cancel('u1', id);
    advance(GRACE * 1000);
    expect(await service.requestPayment(id, stored(id)?.paymentDueAt as string)).toMatchObject({ kind: 'ignored' });
    expect(stored(id)?.paymentRequestedAt).toBeUndefined();
    await expect(service.requestPayment(newOrderId(T0), iso(T0))).rejects.toBeInstanceOf(UnknownOrderError);
  });
});

describe('CONFIRMED -> PAID | CANCELLED PAYMENT_DECLINED (payments answers)', () => {
  it('PaymentSucceeded pays it (paidAt); it leaves the sweep; a repeat is a duplicate, also once SHIPPED', async () => {
    const { confirmed, paid, service, stored } = setup();
    const id = await confirmed();
    await paid(id);
    expect(stored(id)).toMatchObject({ status: 'PAID', paidAt: iso(T0 + 61_500) });
    expect(watched(stored(id))).toBe(false);
    expect((await service.applyPayment(id, 'SUCCEEDED')).kind).toBe('duplicate');
    await service.ship(id);
    expect((await service.applyPayment(id, 'SUCCEEDED')).kind).toBe('duplicate');
    expect(stored(id)?.paidAt).toBe(iso(T0 + 61_500));
  });

  it('PaymentDeclined cancels it (PAYMENT_DECLINED, from CONFIRMED) and watches it until its stock is back and payments answered the cancel; a repeat is a duplicate', async () => {
    const { confirmed, service, stored, advance } = setup();
    const id = await confirmed();
    advance(GRACE * 1000);
    await service.requestPayment(id, stored(id)?.paymentDueAt as string);
    expect((await service.applyPayment(id, 'DECLINED')).kind).toBe('applied');
    expect(stored(id)).toMatchObject({
      status: 'CANCELLED',
      reason: 'PAYMENT_DECLINED',
      cancelledFrom: 'CONFIRMED',
      cancelledAt: iso(T0 + 61_000),
    });
    expect(watched(stored(id))).toBe(true);
    expect((await service.applyPayment(id, 'DECLINED')).kind).toBe('duplicate');
    await service.acknowledgeStockRelease(id);
    // The payment was requested: payments' answer to the cancel (PaymentCancelled: declined, nothing to refund) is awaited.
    expect(watched(stored(id))).toBe(true);
    expect(isFinal(stored(id) as Order)).toBe(false);
    expect((await service.acknowledgePaymentCancel(id)).kind).toBe('applied');
    expect(stored(id)).toMatchObject({ paymentCancelAcknowledgedAt: iso(T0 + 61_000), silent: true });
    expect(watched(stored(id))).toBe(false);
    expect(isFinal(stored(id) as Order)).toBe(true);
  });

  it('a payment answer for an order that is not CONFIRMED is ignored: PENDING, PAID (declined), cancelled by the buyer (declined)', async () => {
    const { place, confirmed, paid, service, stored } = setup();
    const pendingOrder = await place();
    expect((await service.applyPayment(pendingOrder.orderId, 'SUCCEEDED')).kind).toBe('ignored');
    expect(stored(pendingOrder.orderId)?.status).toBe('PENDING');
    const paidOrder = await confirmed();
    await paid(paidOrder);
    expect((await service.applyPayment(paidOrder, 'DECLINED')).kind).toBe('ignored');
    expect(stored(paidOrder)?.status).toBe('PAID');
    const cancelled = await confirmed();
    await service.cancel('u1', cancelled);
    expect((await service.applyPayment(cancelled, 'DECLINED')).kind).toBe('ignored');
    expect(stored(cancelled)).toMatchObject({ status: 'CANCELLED', reason: 'BUYER_CANCELLED' });
    await expect(service.applyPayment(newOrderId(T0), 'SUCCEEDED')).rejects.toBeInstanceOf(UnknownOrderError);
  });
});

describe('the buyer cancels', () => {
  it.each(['PENDING', 'CONFIRMED', 'PAID'] as const)('from %s: CANCELLED BUYER_CANCELLED at once, announced, watched', async (from) => {
    const { place, confirmed, paid, service, stored, now } = setup();
    const id = from === 'PENDING' ? (await place()).orderId : await confirmed();
    if (from === 'PAID') await paid(id);
    const { kind, order } = await service.cancel('u1', id);
    expect(kind).toBe('applied');
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'BUYER_CANCELLED', cancelledFrom: from, cancelledAt: iso(now()) });
    expect(stored(id)).toMatchObject({ sweepAt: iso(now()), announcements: 0 });
    expect(stored(id)?.silent).toBeUndefined();
  });

  it('a repeat answers the same order and changes nothing', async () => {
    const { place, service, stored, advance } = setup();
    const { orderId } = await place();
    const first = await service.cancel('u1', orderId);
    const before = structuredClone(stored(orderId));
    advance(5000);
    expect(await service.cancel('u1', orderId)).toEqual({ kind: 'duplicate', order: first.order });
    expect(stored(orderId)).toEqual(before);
  });

  it('SHIPPED, REJECTED, or cancelled for another reason: ORDER_NOT_CANCELLABLE, nothing changed', async () => {
    const { place, confirmed, paid, reject, service, stored, advance } = setup();
    const shipped = await confirmed();
    await paid(shipped);
    await service.ship(shipped);
    const rejected = (await place()).orderId;
    await reject(rejected);
    const declined = await confirmed();
    advance(GRACE * 1000);
    await service.applyPayment(declined, 'DECLINED');
    for (const id of [shipped, rejected, declined]) {
      const before = structuredClone(stored(id));
      const error = await service.cancel('u1', id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ code: 'ORDER_NOT_CANCELLABLE' });
      expect(stored(id)).toEqual(before);
    }
  });

  it("an unknown order, or another user's, is NOT_FOUND", async () => {
    const { place, service } = setup();
    const { orderId } = await place();
    await expect(service.cancel('u2', orderId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.cancel('u1', newOrderId(T0))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('an order that moves on between the read and the write is cancelled from where it is now (OrderCancelled names it)', async () => {
    const { repo, confirmed, service } = setup();
    const id = await confirmed();
    // The charge lands while the cancel is judged: the first write (from CONFIRMED) fails, the second is from PAID.
    const racing = new OrderService(
      Object.assign(Object.create(repo) as InMemoryOrderRepository, {
        apply: async (orderId: string, change: OrderChange): Promise<ChangeResult> => {
          if (change.set.status === 'CANCELLED' && change.from.includes('CONFIRMED'))
            await repo.apply(orderId, { from: ['CONFIRMED'], set: { status: 'PAID', paidAt: iso(T0) }, sweep: 'leave', announce: true });
          return repo.apply(orderId, change);
        },
      }),
      () => new Date(T0 + 5000),
    );
    expect((await racing.cancel('u1', id)).order).toMatchObject({ status: 'CANCELLED', cancelledFrom: 'PAID', paidAt: iso(T0) });
    expect(await service.get('u1', id)).toMatchObject({ cancelledFrom: 'PAID' });
  });
});

describe('an admin ships', () => {
  it('a PAID order: SHIPPED (shippedAt), announced; a repeat answers the same order', async () => {
    const { confirmed, paid, service, stored, advance } = setup();
    const id = await confirmed();
    await paid(id);
    advance(1000);
    const shipped = await service.ship(id);
    expect(shipped).toMatchObject({ kind: 'applied', order: { status: 'SHIPPED', shippedAt: iso(T0 + 62_500) } });
    advance(1000);
    expect(await service.ship(id)).toEqual({ kind: 'duplicate', order: shipped.order });
    expect(watched(stored(id))).toBe(false);
  });

  it.each(['PENDING', 'CONFIRMED', 'CANCELLED'] as const)('a %s order: ORDER_NOT_SHIPPABLE', async (status) => {
    const { place, confirmed, service, stored } = setup();
    const id = status === 'PENDING' ? (await place()).orderId : await confirmed();
    if (status === 'CANCELLED') await service.cancel('u1', id);
    await expect(service.ship(id)).rejects.toMatchObject({ code: 'ORDER_NOT_SHIPPABLE' });
    expect(stored(id)?.status).toBe(status);
  });

  it('an unknown order: NOT_FOUND', async () => {
    await expect(setup().service.ship(newOrderId(T0))).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('compensations, as their owners acknowledge them (nothing announced)', () => {
  it('cancelled while PENDING: the stock release (with nothing reserved) completes it; it leaves the sweep', async () => {
    const { place, service, stored } = setup();
    const { orderId } = await place();
    await service.cancel('u1', orderId);
    expect((await service.acknowledgeStockRelease(orderId)).kind).toBe('applied');
    expect(stored(orderId)).toMatchObject({ status: 'CANCELLED', stockReleasedAt: iso(T0), silent: true });
    expect(watched(stored(orderId))).toBe(false);
    expect((await service.acknowledgeStockRelease(orderId)).kind).toBe('duplicate');
  });

  it('cancelled when PAID: watched until both the stock and the refund are acknowledged, in either order', async () => {
    for (const order of [
      ['stock', 'refund'],
      ['refund', 'stock'],
    ]) {
      const { confirmed, paid, service, stored } = setup();
      const id = await confirmed();
      await paid(id);
      await service.cancel('u1', id);
      for (const [i, step] of order.entries()) {
        await (step === 'stock' ? service.acknowledgeStockRelease(id) : service.acknowledgeRefund(id));
        expect(watched(stored(id))).toBe(i === 0);
      }
      expect(stored(id)).toMatchObject({
        status: 'CANCELLED',
        silent: true,
        refundedAt: expect.any(String),
        stockReleasedAt: expect.any(String),
      });
    }
  });

  it('an acknowledgement for an order that is not cancelled is ignored, and records nothing', async () => {
    const { confirmed, paid, place, service, stored } = setup();
    const id = await confirmed();
    expect((await service.acknowledgeStockRelease(id)).kind).toBe('ignored');
    expect((await service.acknowledgeRefund(id)).kind).toBe('ignored');
    expect((await service.acknowledgePaymentCancel(id)).kind).toBe('ignored');
    expect(stored(id)?.stockReleasedAt).toBeUndefined();
    expect(stored(id)?.refundedAt).toBeUndefined();
    expect(stored(id)?.paymentCancelAcknowledgedAt).toBeUndefined();
    await paid(id);
    expect(await service.acknowledgePaymentCancel(id)).toMatchObject({ kind: 'ignored', why: 'the order is PAID, not cancelled' });
    const pending = (await place()).orderId;
    expect((await service.acknowledgePaymentCancel(pending)).kind).toBe('ignored');
    expect(stored(id)?.paymentCancelAcknowledgedAt).toBeUndefined();
    expect(stored(pending)?.paymentCancelAcknowledgedAt).toBeUndefined();
    await expect(service.acknowledgeRefund(newOrderId(T0))).rejects.toBeInstanceOf(UnknownOrderError);
    await expect(service.acknowledgePaymentCancel(newOrderId(T0))).rejects.toBeInstanceOf(UnknownOrderError);
  });

  it('cancelled after its payment was requested, no charge known: watched until payments answers, PaymentCancelled or PaymentRefunded, in either order with the stock', async () => {
    for (const [answer, first] of [
      ['cancel', 'stock'],
      ['cancel', 'payments'],
      ['refund', 'stock'],
      ['refund', 'payments'],
    ] as const) {
      const { confirmed, service, stored, advance } = setup();
      const id = await confirmed();
      advance(GRACE * 1000);
      await service.requestPayment(id, stored(id)?.paymentDueAt as string);
      await service.cancel('u1', id);
      const steps = first === 'stock' ? ['stock', answer] : [answer, 'stock'];
      for (const [i, step] of steps.entries()) {
        const result =
          step === 'stock'
            ? await service.acknowledgeStockRelease(id)
            : step === 'cancel'
              ? await service.acknowledgePaymentCancel(id)
              : await service.acknowledgeRefund(id);
        expect([answer, first, i, result.kind]).toEqual([answer, first, i, 'applied']);
        expect([answer, first, i, watched(stored(id))]).toEqual([answer, first, i, i === 0]);
      }
      expect(isFinal(stored(id) as Order)).toBe(true);
    }
  });

  it('PaymentCancelled repeated is a duplicate: the first acknowledgement kept, nothing announced', async () => {
    const { confirmed, service, stored, advance } = setup();
    const id = await confirmed();
    advance(GRACE * 1000);
    await service.requestPayment(id, stored(id)?.paymentDueAt as string);
    await service.cancel('u1', id);
    expect((await service.acknowledgePaymentCancel(id)).kind).toBe('applied');
    const first = stored(id)?.paymentCancelAcknowledgedAt;
    advance(5000);
    expect((await service.acknowledgePaymentCancel(id)).kind).toBe('duplicate');
    await service.acknowledgeStockRelease(id);
    expect((await service.acknowledgePaymentCancel(id)).kind).toBe('duplicate');
    expect(stored(id)).toMatchObject({ paymentCancelAcknowledgedAt: first, silent: true });
    expect(watched(stored(id))).toBe(false);
  });

  it('cancelled before its payment was requested: the stock release alone completes it (payments is not waited for)', async () => {
    const { confirmed, service, stored } = setup();
    const id = await confirmed();
    await service.cancel('u1', id);
    await service.acknowledgeStockRelease(id);
    expect(watched(stored(id))).toBe(false);
    // Payments' tombstone answers all the same: recorded, the order stays out of the sweep.
    expect((await service.acknowledgePaymentCancel(id)).kind).toBe('applied');
    expect(watched(stored(id))).toBe(false);
  });

  it('two acknowledgements racing: the one judged on a stale read is judged again, and the sweep ends right', async () => {
    const { repo, confirmed, paid, service, stored } = setup();
    const id = await confirmed();
    await paid(id);
    await service.cancel('u1', id);
    // The refund is recorded between the stock acknowledgement's read and its write.
    let raced = false;
    const racing = new OrderService(
      Object.assign(Object.create(repo) as InMemoryOrderRepository, {
        find: async (orderId: string): Promise<Order | undefined> => {
          const read = await repo.find(orderId);
          if (!raced) {
            raced = true;
            await service.acknowledgeRefund(orderId);
          }
          return read;
        },
      }),
      () => new Date(T0 + 70_000),
    );
    expect((await racing.acknowledgeStockRelease(id)).kind).toBe('applied');
    expect(stored(id)).toMatchObject({ refundedAt: expect.any(String), stockReleasedAt: iso(T0 + 70_000) });
    expect(watched(stored(id))).toBe(false);
  });
});

describe('events that arrive out of order', () => {
  it('cancel before StockReserved: the late reservation is ignored (the catalog releases it); the order never was CONFIRMED', async () => {
    const { place, reserve, reject, service, stored } = setup();
    const { orderId } = await place();
    await service.cancel('u1', orderId);
    expect(await reserve(orderId)).toMatchObject({ kind: 'ignored', why: 'the order was cancelled first' });
    expect((await reject(orderId)).kind).toBe('ignored');
    expect(stored(orderId)).toMatchObject({ status: 'CANCELLED', cancelledFrom: 'PENDING' });
    expect(stored(orderId)?.unitPrice).toBeUndefined();
    expect(stored(orderId)?.paymentDueAt).toBeUndefined();
  });

  it('PaymentSucceeded after the cancel: the charge is recorded (paidAt, silent), a refund is now owed and watched for', async () => {
    const { confirmed, service, stored, advance } = setup();
    const id = await confirmed();
    advance(GRACE * 1000);
    await service.requestPayment(id, stored(id)?.paymentDueAt as string);
    await service.cancel('u1', id);
    await service.acknowledgeStockRelease(id);
    // The payment was requested: still watched, whether or not a charge is known (it may be in flight, its answer lost).
    expect(watched(stored(id))).toBe(true);
    advance(100);
    expect((await service.applyPayment(id, 'SUCCEEDED')).kind).toBe('applied');
    expect(stored(id)).toMatchObject({ status: 'CANCELLED', paidAt: iso(T0 + 61_100), silent: true });
    expect(watched(stored(id))).toBe(true);
    expect((await service.applyPayment(id, 'SUCCEEDED')).kind).toBe('duplicate');
    await service.acknowledgeRefund(id);
    expect(watched(stored(id))).toBe(false);
  });

  it('PaymentRefunded before PaymentSucceeded: both recorded, the order compensated whatever the order', async () => {
    const { confirmed, service, stored } = setup();
    const id = await confirmed();
    await service.cancel('u1', id);
    await service.acknowledgeStockRelease(id);
    await service.acknowledgeRefund(id);
    await service.applyPayment(id, 'SUCCEEDED');
    expect(stored(id)).toMatchObject({ status: 'CANCELLED', paidAt: expect.any(String), refundedAt: expect.any(String) });
    expect(watched(stored(id))).toBe(false);
  });

  it('the charge was in flight at the cancel and every answer about it lost: the order is never taken for compensated', async () => {
    const { confirmed, service, stored, advance } = setup();
    const id = await confirmed();
    advance(GRACE * 1000);
    await service.requestPayment(id, stored(id)?.paymentDueAt as string);
    await service.cancel('u1', id);
    await service.acknowledgeStockRelease(id);
    // Neither PaymentSucceeded nor an answer to the cancel came: the sweeper keeps asking (OrderCancelled again).
    expect(isFinal(stored(id) as Order)).toBe(false);
    advance(61_000);
    const sweep = await service.sweepPending({ olderThanSeconds: 60, maxAnnouncements: 5, maxBackoffSeconds: 60, limit: 10 });
    expect(sweep.reannounced).toEqual([id]);
    // The sweeper's OrderCancelled finds the charge and refunds it: PaymentRefunded then completes the order.
    await service.acknowledgeRefund(id);
    expect(isFinal(stored(id) as Order)).toBe(true);
    expect(watched(stored(id))).toBe(false);
  });

  it('PaymentCancelled before StockReleased, and a late PaymentSucceeded after both: watched again for the refund', async () => {
    const { confirmed, service, stored, advance } = setup();
    const id = await confirmed();
    advance(GRACE * 1000);
    await service.requestPayment(id, stored(id)?.paymentDueAt as string);
    await service.cancel('u1', id);
    await service.acknowledgePaymentCancel(id);
    expect(watched(stored(id))).toBe(true);
    await service.acknowledgeStockRelease(id);
    expect(watched(stored(id))).toBe(false);
    // Cannot come from payments (a cancel answered without a charge means none will be made), but if it did, the money is owed back.
    expect((await service.applyPayment(id, 'SUCCEEDED')).kind).toBe('applied');
    expect(watched(stored(id))).toBe(true);
    await service.acknowledgeRefund(id);
    expect(watched(stored(id))).toBe(false);
  });

  it('StockReleased duplicated and interleaved with payment answers changes nothing twice', async () => {
    const { confirmed, paid, service, stored } = setup();
    const id = await confirmed();
    await paid(id);
    await service.cancel('u1', id);
    await service.acknowledgeStockRelease(id);
    const released = stored(id)?.stockReleasedAt;
    await service.applyPayment(id, 'SUCCEEDED');
    await service.acknowledgeStockRelease(id);
    expect(stored(id)?.stockReleasedAt).toBe(released);
  });
});

describe('the sweeper, for every order not final', () => {
  const options: SweepOptions = { olderThanSeconds: 60, maxAnnouncements: 2, maxBackoffSeconds: 60, limit: 10 };

  it('requests the payment of a CONFIRMED order overdue past the sweep age, and only then', async () => {
    const { confirmed, service, stored, advance } = setup();
    const id = await confirmed();
    advance(GRACE * 1000 + 59_000);
    expect((await service.sweepPending(options)).reannounced).toEqual([]);
    advance(2000);
    expect(await service.sweepPending(options)).toEqual({ reannounced: [id], stuck: [], statuses: { [id]: 'CONFIRMED' } });
    expect(stored(id)).toMatchObject({ paymentRequestedAt: iso(T0 + 122_000), announcements: 1 });
  });

  it('re-announces a cancelled order until it is compensated; gives up on it into the stuck list (compensation stuck)', async () => {
    const { place, service, stored, advance } = setup();
    const { orderId } = await place();
    await service.cancel('u1', orderId);
    const runs = [];
    for (let i = 0; i < 4; i++) {
      advance(61_000);
      runs.push(await service.sweepPending(options));
    }
    expect(runs.map((r) => [r.reannounced.length, r.stuck.length])).toEqual([
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 0],
    ]);
    expect(runs[2]?.statuses).toEqual({ [orderId]: 'CANCELLED' });
    expect(stored(orderId)).toMatchObject({ sweepShard: 'STUCK', status: 'CANCELLED' });
    // The catalog answers at last: compensated, out of the stuck list too.
    await service.acknowledgeStockRelease(orderId);
    expect((await service.listStuck(10)).items).toEqual([]);
  });

  it('watches exactly the orders that are not final', async () => {
    const { repo, place, confirmed, paid, reject, service } = setup();
    const ids = {
      pending: (await place()).orderId,
      confirmed: await confirmed(),
      paid: await confirmed(),
      rejected: (await place()).orderId,
      cancelled: (await place()).orderId,
      compensated: (await place()).orderId,
    };
    await paid(ids.paid);
    await reject(ids.rejected);
    await service.cancel('u1', ids.cancelled);
    await service.cancel('u1', ids.compensated);
    await service.acknowledgeStockRelease(ids.compensated);
    for (const [name, id] of Object.entries(ids)) {
      const order = repo.orders.get(id) as Order;
      expect([name, isFinal(order)]).toEqual([name, ['paid', 'rejected', 'compensated'].includes(name)]);
      expect([name, watched(repo.orders.get(id))]).toEqual([name, !isFinal(order)]);
    }
  });

  it('leaves final orders alone: PAID, SHIPPED, REJECTED, compensated', async () => {
    const { place, confirmed, paid, reject, service, advance } = setup();
    const paidId = await confirmed();
    await paid(paidId);
    const rejected = (await place()).orderId;
    await reject(rejected);
    const compensated = (await place()).orderId;
    await service.cancel('u1', compensated);
    await service.acknowledgeStockRelease(compensated);
    advance(3600_000);
    expect(await service.sweepPending(options)).toEqual({ reannounced: [], stuck: [], statuses: {} });
  });
});
