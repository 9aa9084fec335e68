/**
 * What every OrderRepository does, whatever holds the data: run against the in-memory fake (unit) and the
 * DynamoDB adapter on DynamoDB Local (tests/integration/order-repository.test.ts), so the fake the unit
 * tests stand on cannot drift from the adapter. The sweeper's cases run OrderService over the repository
 * with a clock of their own.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidPageTokenError } from '../../shared/domain-errors.js';
import { newOrderId } from '../domain/order-id.js';
import { OrderService, type OrderRepository, type SweepCandidate, type SweepOptions } from '../domain/order-service.js';
import { acknowledgement, buyerCancellation, payment, paymentRequest, settlement, type Order, type OrderChange } from '../domain/order.js';

/**
 * A repository on empty storage, and a reader of an order's stored item as its storage holds it (bookkeeping
 * included: `sweepShard`, `silent`), for what the port does not show.
 */
export type OrderRepositoryFactory = () => Promise<{
  repo: OrderRepository;
  stored: (orderId: string) => Promise<Record<string, unknown> | undefined>;
}>;

const T0 = Date.UTC(2026, 11, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString();
let sequence = 0;
const pending = (overrides: Partial<Order> = {}, atMs = T0): Order => ({
  orderId: newOrderId(atMs + sequence++),
  userId: `u-${randomUUID()}`,
  productId: 'P-1',
  qty: 2,
  status: 'PENDING',
  createdAt: iso(atMs),
  correlationId: 'corr-contract',
  ...overrides,
});
const GRACE = 60;
/** The catalog's answer for `pending()`'s order: CONFIRMED at 700, its payment due GRACE s later. */
const reserved = (at = iso(T0 + 1000)): OrderChange =>
  settlement({ productId: 'P-1', qty: 2, outcome: { kind: 'RESERVED', unitPrice: 700 } }, at, GRACE);
const confirmedFields = (at = iso(T0 + 1000)) => ({
  status: 'CONFIRMED',
  unitPrice: 700,
  totalPrice: 1400,
  settledAt: at,
  paymentDueAt: iso(Date.parse(at) + GRACE * 1000),
});
const nowSeconds = () => Math.floor(Date.now() / 1000);

export function describeOrderRepositoryContract(name: string, factory: OrderRepositoryFactory) {
  const repository = async () => (await factory()).repo;
  describe(`OrderRepository contract: ${name}`, () => {
    describe('orders', () => {
      it('stores an order; only its user gets it', async () => {
        const repo = await repository();
        const order = pending();
        expect(await repo.create(order)).toEqual({ kind: 'created' });
        expect(await repo.get(order.userId, order.orderId)).toEqual(order);
        expect(await repo.get('someone-else', order.orderId)).toBeUndefined();
        expect(await repo.get(order.userId, newOrderId(T0 - 1))).toBeUndefined();
      });

      it('an Idempotency-Key claim held by an order refuses a second order and names the first', async () => {
        const repo = await repository();
        const first = pending();
        const claim = { key: 'k-1', fingerprint: 'f-1', expiresAt: nowSeconds() + 3600 };
        expect(await repo.create(first, claim)).toEqual({ kind: 'created' });
        const second = pending({ userId: first.userId });
        expect(await repo.create(second, { ...claim, fingerprint: 'f-2' })).toEqual({
          kind: 'key-taken',
          orderId: first.orderId,
          fingerprint: 'f-1',
        });
        expect(await repo.get(first.userId, second.orderId)).toBeUndefined();
        // The same key of another user is another claim.
        expect(await repo.create(pending(), claim)).toEqual({ kind: 'created' });
      });

      it('an expired claim no longer counts: a new order takes the key over', async () => {
        const repo = await repository();
        const first = pending();
        await repo.create(first, { key: 'k-old', fingerprint: 'f-1', expiresAt: nowSeconds() - 10 });
        const second = pending({ userId: first.userId });
        expect(await repo.create(second, { key: 'k-old', fingerprint: 'f-2', expiresAt: nowSeconds() + 3600 })).toEqual({
          kind: 'created',
        });
        expect(
          await repo.create(pending({ userId: first.userId }), { key: 'k-old', fingerprint: 'f-3', expiresAt: nowSeconds() + 3600 }),
        ).toEqual({
          kind: 'key-taken',
          orderId: second.orderId,
          fingerprint: 'f-2',
        });
      });

      it("lists a user's orders newest first over exact pages, and refuses a token it did not hand out", async () => {
        const repo = await repository();
        const userId = `u-${randomUUID()}`;
        const mine = Array.from({ length: 5 }, (_, i) => pending({ userId }, T0 + i * 1000));
        for (const order of mine) await repo.create(order);
        await repo.create(pending());
        const seen: string[] = [];
        let token: string | undefined;
        do {
          const page = await repo.list(userId, 2, token);
          if (page.nextToken) expect(page.items).toHaveLength(2);
          seen.push(...page.items.map((o) => o.orderId));
          token = page.nextToken;
        } while (token);
        expect(seen).toEqual(mine.map((o) => o.orderId).reverse());
        const foreign = Buffer.from(JSON.stringify({ orderId: 'not-an-order-id' })).toString('base64url');
        await expect(repo.list(userId, 2, foreign)).rejects.toBeInstanceOf(InvalidPageTokenError);
      });
    });

    describe('orders by status', () => {
      it("lists every user's orders in one status, newest first over exact pages, and only those", async () => {
        const repo = await repository();
        const pendings = Array.from({ length: 3 }, (_, i) => pending({}, T0 + i * 1000));
        const settled = pending({}, T0 + 5000);
        for (const order of [...pendings, settled]) await repo.create(order);
        await repo.apply(settled.orderId, reserved());
        const first = await repo.listByStatus('PENDING', 2);
        expect(first.items.map((o) => o.orderId)).toEqual([pendings[2]?.orderId, pendings[1]?.orderId]);
        expect(await repo.listByStatus('PENDING', 2, first.nextToken)).toEqual({ items: [pendings[0]] });
        expect((await repo.listByStatus('CONFIRMED', 10)).items).toEqual([{ ...settled, ...confirmedFields() }]);
        expect(await repo.listByStatus('REJECTED', 10)).toEqual({ items: [] });
      });
    });

    describe('a step of the state machine: one conditional write', () => {
      it('applies a change only from its states, once; then answers unchanged with the stored order', async () => {
        const repo = await repository();
        const order = pending();
        await repo.create(order);
        const result = await repo.apply(order.orderId, reserved());
        expect(result).toEqual({ kind: 'changed', order: { ...order, ...confirmedFields() } });
        const rejected = settlement(
          { productId: 'P-1', qty: 2, outcome: { kind: 'REJECTED', reason: 'OUT_OF_STOCK' } },
          iso(T0 + 2000),
          GRACE,
        );
        expect(await repo.apply(order.orderId, rejected)).toEqual({ kind: 'unchanged', order: { ...order, ...confirmedFields() } });
        expect(await repo.get(order.userId, order.orderId)).toEqual({ ...order, ...confirmedFields() });
      });

      it('an answer for another product or quantity is unchanged, and an unknown order missing (nothing created)', async () => {
        const repo = await repository();
        const order = pending();
        await repo.create(order);
        const other = (productId: string, qty: number) =>
          settlement({ productId, qty, outcome: { kind: 'RESERVED', unitPrice: 700 } }, iso(T0 + 1000), GRACE);
        expect(await repo.apply(order.orderId, other('P-2', 2))).toEqual({ kind: 'unchanged', order });
        expect(await repo.apply(order.orderId, other('P-1', 3))).toEqual({ kind: 'unchanged', order });
        const unknown = newOrderId(T0 - 5);
        expect(await repo.apply(unknown, reserved())).toEqual({ kind: 'missing' });
        expect(await repo.find(unknown)).toBeUndefined();
      });

      it('guards on fields absent and present: the payment is requested once', async () => {
        const repo = await repository();
        const order = pending();
        await repo.create(order);
        await repo.apply(order.orderId, reserved());
        const first = await repo.apply(order.orderId, paymentRequest(iso(T0 + 61_000)));
        expect(first).toMatchObject({ kind: 'changed', order: { status: 'CONFIRMED', paymentRequestedAt: iso(T0 + 61_000) } });
        expect(await repo.apply(order.orderId, paymentRequest(iso(T0 + 62_000)))).toMatchObject({
          kind: 'unchanged',
          order: { paymentRequestedAt: iso(T0 + 61_000) },
        });
        const needsRefund: OrderChange = {
          from: ['CONFIRMED'],
          present: ['refundedAt'],
          set: { paidAt: iso(T0) },
          sweep: 'keep',
          announce: true,
        };
        expect((await repo.apply(order.orderId, needsRefund)).kind).toBe('unchanged');
        expect((await repo.find(order.orderId))?.paidAt).toBeUndefined();
      });

      it('finds an order by id alone', async () => {
        const repo = await repository();
        const order = pending();
        await repo.create(order);
        expect(await repo.find(order.orderId)).toEqual(order);
      });

      it('marks an acknowledgement silent for the outbox, and any other step not', async () => {
        const { repo, stored } = await factory();
        const order = pending();
        await repo.create(order);
        await repo.apply(order.orderId, buyerCancellation('PENDING', iso(T0 + 1000)));
        expect((await stored(order.orderId))?.silent).toBeUndefined();
        const cancelled = (await repo.find(order.orderId)) as Order;
        await repo.apply(order.orderId, acknowledgement(cancelled, 'stockReleasedAt', iso(T0 + 2000)));
        expect((await stored(order.orderId))?.silent).toBe(true);
      });
    });

    describe('who the sweep watches', () => {
      const watched = async (stored: (id: string) => Promise<Record<string, unknown> | undefined>, id: string) => {
        const item = await stored(id);
        return item?.sweepShard === undefined ? undefined : { shard: item.sweepShard, at: item.sweepAt, announcements: item.announcements };
      };

      it('a CONFIRMED order from its payment due time, a REJECTED or PAID order not at all', async () => {
        const { repo, stored } = await factory();
        const [confirmed, rejected] = [pending(), pending()];
        for (const order of [confirmed, rejected]) await repo.create(order);
        await repo.apply(confirmed.orderId, reserved());
        await repo.apply(
          rejected.orderId,
          settlement({ productId: 'P-1', qty: 2, outcome: { kind: 'REJECTED', reason: 'OUT_OF_STOCK' } }, iso(T0), GRACE),
        );
        const watch = await watched(stored, confirmed.orderId);
        expect(watch?.shard).toEqual(expect.stringMatching(/^SWEEP#/));
        expect(watch).toMatchObject({ at: iso(T0 + 61_000), announcements: 0 });
        expect(await watched(stored, rejected.orderId)).toBeUndefined();
        expect(await repo.findDue(iso(T0 + 61_000), 10)).toEqual([]);
        expect(await repo.findDue(iso(T0 + 61_001), 10)).toEqual([{ orderId: confirmed.orderId, status: 'CONFIRMED', announcements: 0 }]);
        await repo.apply(confirmed.orderId, payment(iso(T0 + 62_000)));
        expect(await watched(stored, confirmed.orderId)).toBeUndefined();
      });

      it('a CANCELLED order until it is compensated; a charge that comes after that watches it again', async () => {
        const { repo, stored } = await factory();
        const order = pending();
        await repo.create(order);
        await repo.apply(order.orderId, reserved());
        await repo.apply(order.orderId, buyerCancellation('CONFIRMED', iso(T0 + 5000)));
        expect(await watched(stored, order.orderId)).toMatchObject({ at: iso(T0 + 5000), announcements: 0 });
        const ack = async (field: 'stockReleasedAt' | 'refundedAt' | 'paidAt', at: number) =>
          repo.apply(order.orderId, acknowledgement((await repo.find(order.orderId)) as Order, field, iso(at)));
        expect(await ack('stockReleasedAt', T0 + 6000)).toMatchObject({ kind: 'changed', order: { stockReleasedAt: iso(T0 + 6000) } });
        expect(await watched(stored, order.orderId)).toBeUndefined();
        // The charge raced the cancel: a refund is owed now.
        await ack('paidAt', T0 + 7000);
        expect(await watched(stored, order.orderId)).toMatchObject({ at: iso(T0 + 7000) });
        expect(await repo.findDue(iso(T0 + 7001), 10)).toEqual([
          { orderId: order.orderId, status: 'CANCELLED', announcements: 0, paidAt: iso(T0 + 7000), stockReleasedAt: iso(T0 + 6000) },
        ]);
        await ack('refundedAt', T0 + 8000);
        expect(await watched(stored, order.orderId)).toBeUndefined();
      });

      it('a CANCELLED order whose payment was requested until payments answered the cancel, read back by the sweep', async () => {
        const { repo, stored } = await factory();
        const order = pending();
        await repo.create(order);
        await repo.apply(order.orderId, reserved());
        await repo.apply(order.orderId, paymentRequest(iso(T0 + 61_000)));
        await repo.apply(order.orderId, buyerCancellation('CONFIRMED', iso(T0 + 62_000)));
        const ack = async (field: 'stockReleasedAt' | 'paymentCancelAcknowledgedAt', at: number) =>
          repo.apply(order.orderId, acknowledgement((await repo.find(order.orderId)) as Order, field, iso(at)));
        await ack('stockReleasedAt', T0 + 63_000);
        expect(await watched(stored, order.orderId)).toMatchObject({ at: iso(T0 + 62_000) });
        expect(await repo.findDue(iso(T0 + 62_001), 10)).toEqual([
          {
            orderId: order.orderId,
            status: 'CANCELLED',
            announcements: 0,
            paymentRequestedAt: iso(T0 + 61_000),
            stockReleasedAt: iso(T0 + 63_000),
          },
        ]);
        expect(await ack('paymentCancelAcknowledgedAt', T0 + 64_000)).toMatchObject({
          kind: 'changed',
          order: { paymentCancelAcknowledgedAt: iso(T0 + 64_000) },
        });
        expect((await stored(order.orderId))?.silent).toBe(true);
        expect(await watched(stored, order.orderId)).toBeUndefined();
      });

      it('an acknowledgement judged on a stale read changes nothing (a concurrent one came first)', async () => {
        const repo = await repository();
        const order = pending();
        await repo.create(order);
        await repo.apply(order.orderId, buyerCancellation('PENDING', iso(T0 + 1000)));
        const read = (await repo.find(order.orderId)) as Order;
        await repo.apply(order.orderId, acknowledgement(read, 'paidAt', iso(T0 + 2000)));
        expect((await repo.apply(order.orderId, acknowledgement(read, 'stockReleasedAt', iso(T0 + 3000)))).kind).toBe('unchanged');
      });
    });

    describe('the sweep', () => {
      it('finds a PENDING order once it has been quiet long enough, and a confirmed one not before its payment is due', async () => {
        const repo = await repository();
        const order = pending();
        const settled = pending();
        await repo.create(order);
        await repo.create(settled);
        await repo.apply(settled.orderId, reserved());
        expect(await repo.findDue(iso(T0), 10)).toEqual([]);
        expect(await repo.findDue(iso(T0 + 1), 10)).toEqual([{ orderId: order.orderId, status: 'PENDING', announcements: 0 }]);
      });

      it('re-announces as the sweep read it: counts up, moves the quiet period, and skips a stale or settled candidate', async () => {
        const repo = await repository();
        const order = pending();
        await repo.create(order);
        const [candidate] = await repo.findDue(iso(T0 + 1), 10);
        expect(await repo.reannounce(candidate!, iso(T0 + 60_000), iso(T0 + 120_000))).toBe('reannounced');
        expect(await repo.reannounce(candidate!, iso(T0 + 60_000), iso(T0 + 120_000))).toBe('skipped');
        expect(await repo.findDue(iso(T0 + 120_000), 10)).toEqual([]);
        expect(await repo.findDue(iso(T0 + 120_001), 10)).toEqual([{ orderId: order.orderId, status: 'PENDING', announcements: 1 }]);
        await repo.apply(order.orderId, reserved());
        expect(await repo.reannounce({ orderId: order.orderId, status: 'PENDING', announcements: 1 }, iso(T0), iso(T0))).toBe('skipped');
        // Now CONFIRMED with a fresh count.
        expect(await repo.reannounce({ orderId: order.orderId, status: 'CONFIRMED', announcements: 1 }, iso(T0), iso(T0))).toBe('skipped');
      });

      it('a re-announced CONFIRMED order has its payment requested, once; a re-announcement is never silent', async () => {
        const { repo, stored } = await factory();
        const order = pending();
        await repo.create(order);
        await repo.apply(order.orderId, reserved());
        const [candidate] = await repo.findDue(iso(T0 + 100_000), 10);
        expect(await repo.reannounce(candidate!, iso(T0 + 100_000), iso(T0 + 200_000))).toBe('reannounced');
        expect(await repo.find(order.orderId)).toMatchObject({ paymentRequestedAt: iso(T0 + 100_000) });
        const [again] = await repo.findDue(iso(T0 + 300_000), 10);
        expect(again).toEqual({ orderId: order.orderId, status: 'CONFIRMED', announcements: 1, paymentRequestedAt: iso(T0 + 100_000) });
        await repo.reannounce(again!, iso(T0 + 300_000), iso(T0 + 400_000));
        expect(await repo.find(order.orderId)).toMatchObject({ paymentRequestedAt: iso(T0 + 100_000) });
        expect(await stored(order.orderId)).toMatchObject({ announcements: 2 });
        expect((await stored(order.orderId))?.silent).toBeUndefined();
      });

      it('a stuck order leaves the sweep for the stuck list; a redrive puts it back with a fresh count', async () => {
        const repo = await repository();
        const order = pending();
        await repo.create(order);
        const candidate: SweepCandidate = { orderId: order.orderId, status: 'PENDING', announcements: 0 };
        expect(await repo.markStuck({ ...candidate, status: 'CONFIRMED' }, iso(T0 + 5000))).toBe(false);
        expect(await repo.markStuck(candidate, iso(T0 + 5000))).toBe(true);
        expect(await repo.markStuck(candidate, iso(T0 + 6000))).toBe(false);
        expect(await repo.findDue(iso(T0 + 10_000_000), 10)).toEqual([]);
        expect(await repo.listStuck(10)).toEqual({ items: [{ order, announcements: 0, stuckAt: iso(T0 + 5000) }] });
        expect(await repo.redrive(order.orderId, iso(T0 + 7000))).toBe(true);
        expect(await repo.redrive(order.orderId, iso(T0 + 7000))).toBe(false);
        expect(await repo.listStuck(10)).toEqual({ items: [] });
        expect(await repo.findDue(iso(T0 + 7001), 10)).toEqual([{ orderId: order.orderId, status: 'PENDING', announcements: 0 }]);
        // A rejected order is neither stuck nor redriven.
        await repo.apply(
          order.orderId,
          settlement({ productId: 'P-1', qty: 2, outcome: { kind: 'REJECTED', reason: 'OUT_OF_STOCK' } }, iso(T0), GRACE),
        );
        expect(await repo.markStuck(candidate, iso(T0))).toBe(false);
        expect(await repo.redrive(order.orderId, iso(T0))).toBe(false);
      });

      it('pages the stuck list exactly, longest stuck first', async () => {
        const repo = await repository();
        const orders = Array.from({ length: 3 }, () => pending());
        for (const [i, order] of orders.entries()) {
          await repo.create(order);
          await repo.markStuck({ orderId: order.orderId, status: 'PENDING', announcements: 0 }, iso(T0 + i * 1000));
        }
        const first = await repo.listStuck(2);
        expect(first.items.map((s) => s.order.orderId)).toEqual(orders.slice(0, 2).map((o) => o.orderId));
        const second = await repo.listStuck(2, first.nextToken);
        expect(second).toEqual({ items: [expect.objectContaining({ order: orders[2] })] });
      });
    });

    describe('the sweeper (OrderService) over this repository', () => {
      const sweeperOver = async (options: Partial<SweepOptions> = {}) => {
        let now = T0;
        const service = new OrderService(await repository(), () => new Date(now), newOrderId, { paymentGraceSeconds: GRACE });
        const sweepOptions: SweepOptions = { olderThanSeconds: 60, maxAnnouncements: 10, maxBackoffSeconds: 900, limit: 500, ...options };
        return {
          service,
          place: () => service.place({ userId: `u-${randomUUID()}`, productId: 'P-1', qty: 1, correlationId: 'c', requestBody: {} }),
          sweep: () => service.sweepPending(sweepOptions),
          advance: (seconds: number) => (now += seconds * 1000),
        };
      };

      it('is never starved: more stuck orders than a run looks at do not keep a new order from being announced', async () => {
        const { service, place, sweep, advance } = await sweeperOver({ maxAnnouncements: 1, maxBackoffSeconds: 60, limit: 5 });
        const old = await Promise.all(Array.from({ length: 12 }, place));
        const runs = [];
        for (let i = 0; i < 6; i++) {
          advance(61);
          runs.push(await sweep());
        }
        expect(new Set(runs.flatMap((r) => r.stuck))).toEqual(new Set(old.map((o) => o.orderId)));
        const fresh = await place();
        advance(61);
        expect((await sweep()).reannounced).toEqual([fresh.orderId]);
        const stuck = await service.listStuck(100);
        expect(stuck.items).toHaveLength(12);
      });

      it('backs off: an order nobody answers for ten minutes is announced 3 times, not 9', async () => {
        const { place, sweep, advance } = await sweeperOver();
        const orders = await Promise.all(Array.from({ length: 3 }, place));
        const announcements = new Map<string, number[]>();
        for (let second = 60; second <= 600; second += 60) {
          advance(60);
          for (const id of (await sweep()).reannounced) announcements.set(id, [...(announcements.get(id) ?? []), second]);
        }
        // Due once quiet for more than 60 s, then 120 s, then 240 s after each announcement: at 120, 300 and 600 s.
        for (const order of orders) expect(announcements.get(order.orderId)).toEqual([120, 300, 600]);
      });
    });
  });
}
