import { createHash } from 'node:crypto';
import { ConflictError } from '../../shared/domain-errors.js';
import type { Page } from '../../shared/pagination.js';
import { newOrderId } from './order-id.js';
import { sameOutcome, settlementOf, type Order, type OrderStatus, type Settlement, type StockOutcome } from './order.js';

/** An Idempotency-Key is kept this long (docs/http-api.md, "Requests and answers": 24 h). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export interface IdempotencyClaim {
  key: string;
  /** Hash of the request body: the same key with another body is a conflict. */
  fingerprint: string;
  /** Epoch seconds after which the key may be reused (and the store may delete it). */
  expiresAt: number;
}

export type CreateOrderResult = { kind: 'created' } | { kind: 'key-taken'; orderId: string; fingerprint: string };

/**
 * What applying an answer did: `settled` (the order was PENDING with this product and qty), or nothing,
 * because the order is `missing`, or `not-pending`/`mismatched` (then the stored order is given).
 */
export type ApplySettlementResult =
  { kind: 'settled'; order: Order } | { kind: 'missing' } | { kind: 'not-pending'; order: Order } | { kind: 'mismatched'; order: Order };

export interface OrderRepository {
  /**
   * Stores a new PENDING order (and, atomically with it, the idempotency claim when given).
   * When the claim's key is already held by an unexpired claim, stores nothing and says which order holds it.
   */
  create(order: Order, claim?: IdempotencyClaim): Promise<CreateOrderResult>;
  /** The user's order (undefined when there is none, or it is another user's). */
  get(userId: string, orderId: string): Promise<Order | undefined>;
  /** Newest first; `nextToken` from the page before (InvalidPageTokenError if it is not one). */
  list(userId: string, limit: number, nextToken?: string): Promise<Page<Order>>;
  /** Every user's orders in `status`, newest first; `nextToken` as for `list`. */
  listByStatus(status: OrderStatus, limit: number, nextToken?: string): Promise<Page<Order>>;
  /**
   * Settles the order by id alone (the catalog's answer carries no user id), in one conditional
   * write: only if it is PENDING and for this product and quantity.
   */
  applySettlement(orderId: string, expected: { productId: string; qty: number }, settlement: Settlement): Promise<ApplySettlementResult>;
  /** PENDING orders the sweeper watches that have been quiet since before `quietSince` (ISO time), longest first, at most `limit`. */
  findDue(quietSince: string, limit: number): Promise<SweepCandidate[]>;
  /**
   * Marks the order for another announcement (the outbox publishes it again) and starts its next quiet
   * period at `nextSweepAt`, only if it is still PENDING, watched, and announced as often as the candidate says.
   */
  reannounce(candidate: SweepCandidate, at: string, nextSweepAt: string): Promise<'reannounced' | 'skipped'>;
  /** Takes a PENDING order out of the sweep, into the stuck list; false if it is no longer PENDING and watched. */
  markStuck(orderId: string, at: string): Promise<boolean>;
  /** The stuck list, longest stuck first. */
  listStuck(limit: number, nextToken?: string): Promise<Page<StuckOrder>>;
  /** Puts a stuck order back in the sweep with a fresh count, announcing it now; false if it is not stuck. */
  redrive(orderId: string, at: string): Promise<boolean>;
}

/** A PENDING order the sweeper found due, and how often it has re-announced it so far. */
export interface SweepCandidate {
  orderId: string;
  announcements: number;
}

export interface StuckOrder {
  order: Order;
  announcements: number;
  stuckAt: string;
}

export interface SweepOptions {
  /** Quiet this long after its creation, an order is announced again. */
  olderThanSeconds: number;
  /** Re-announcements before an order is left to an operator (the stuck list). */
  maxAnnouncements: number;
  /** Each re-announcement doubles the quiet period before the next, up to this. */
  maxBackoffSeconds: number;
  /** Orders looked at in one run. */
  limit: number;
}

/**
 * How long the sweeper leaves an order quiet after its `announcements`-th re-announcement before the next:
 * `olderThan` doubled each time, capped. A consumer that is down for a time T so receives each pending
 * order about log2(cap / olderThan) + T / cap times, not T / (sweep interval).
 */
export function quietPeriodSeconds(announcements: number, options: Pick<SweepOptions, 'olderThanSeconds' | 'maxBackoffSeconds'>): number {
  return Math.min(options.olderThanSeconds * 2 ** announcements, Math.max(options.maxBackoffSeconds, options.olderThanSeconds));
}

export interface PlaceOrder {
  userId: string;
  productId: string;
  qty: number;
  correlationId: string;
  idempotencyKey?: string;
  /** The request body as received (after validation); hashed for the idempotency check. */
  requestBody: Record<string, unknown>;
}

export type SettleResult =
  | { kind: 'settled'; order: Order }
  | { kind: 'duplicate'; order: Order }
  /** Already settled with another outcome: the first answer stands; logged, not an error. */
  | { kind: 'conflicting'; order: Order };

export class UnknownOrderError extends Error {
  override name = 'UnknownOrderError';
}
export class MismatchedOutcomeError extends Error {
  override name = 'MismatchedOutcomeError';
}

/** A stable hash of a JSON object (keys sorted), so key order in the body does not matter. */
export function fingerprintOf(body: Record<string, unknown>): string {
  const canonical = JSON.stringify(
    Object.keys(body)
      .sort()
      .map((key) => [key, body[key]]),
  );
  return createHash('sha256').update(canonical).digest('base64url');
}

export class OrderService {
  constructor(
    private readonly orders: OrderRepository,
    private readonly now: () => Date = () => new Date(),
    private readonly newId: (nowMs: number) => string = newOrderId,
  ) {}

  /**
   * Stores a PENDING order; the outbox announces it. With an Idempotency-Key, a repeat of the same
   * body returns the order the key already made (and stores nothing); another body is a conflict.
   */
  async place(command: PlaceOrder): Promise<Order> {
    const now = this.now();
    const order: Order = {
      orderId: this.newId(now.getTime()),
      userId: command.userId,
      productId: command.productId,
      qty: command.qty,
      status: 'PENDING',
      createdAt: now.toISOString(),
      correlationId: command.correlationId,
    };
    if (command.idempotencyKey === undefined) {
      await this.orders.create(order);
      return order;
    }
    const claim: IdempotencyClaim = {
      key: command.idempotencyKey,
      fingerprint: fingerprintOf(command.requestBody),
      expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
    };
    const result = await this.orders.create(order, claim);
    if (result.kind === 'created') return order;
    if (result.fingerprint !== claim.fingerprint) {
      throw new ConflictError('IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was already used with a different request body');
    }
    const existing = await this.orders.get(command.userId, result.orderId);
    if (!existing) throw new Error(`idempotency key refers to order ${result.orderId}, which does not exist`);
    return existing;
  }

  get(userId: string, orderId: string): Promise<Order | undefined> {
    return this.orders.get(userId, orderId);
  }

  list(userId: string, limit: number, nextToken?: string): Promise<Page<Order>> {
    return this.orders.list(userId, limit, nextToken);
  }

  listByStatus(status: OrderStatus, limit: number, nextToken?: string): Promise<Page<Order>> {
    return this.orders.listByStatus(status, limit, nextToken);
  }

  /**
   * Applies the catalog's answer. Idempotent: a PENDING order is settled once; a repeat of the same
   * answer is a no-op; a different answer for a settled order leaves it as it is.
   */
  async settle(answer: { orderId: string; productId: string; qty: number; outcome: StockOutcome }): Promise<SettleResult> {
    const settlement = settlementOf(answer.qty, answer.outcome, this.now().toISOString());
    const result = await this.orders.applySettlement(answer.orderId, { productId: answer.productId, qty: answer.qty }, settlement);
    switch (result.kind) {
      case 'settled':
        return { kind: 'settled', order: result.order };
      case 'missing':
        throw new UnknownOrderError(`order ${answer.orderId} does not exist`);
      case 'mismatched':
        throw new MismatchedOutcomeError(
          `answer for order ${answer.orderId} names ${answer.qty} x ${answer.productId}, ` +
            `the order is ${result.order.qty} x ${result.order.productId}`,
        );
      case 'not-pending':
        return {
          kind: sameOutcome(result.order, answer.outcome) ? 'duplicate' : 'conflicting',
          order: result.order,
        };
    }
  }

  /**
   * The outbox's safety net: asks the outbox to announce again every PENDING order that has been quiet
   * for its period (its OrderPlaced, or the catalog's answer, was lost, e.g. with an in-memory queue that
   * was restarted), backing off each time (`quietPeriodSeconds`). An order announced `maxAnnouncements`
   * times leaves the sweep for the stuck list, so it can never crowd newer orders out of a run.
   */
  async sweepPending(options: SweepOptions): Promise<{ reannounced: string[]; stuck: string[] }> {
    const now = this.now();
    // An order is due when its quiet period, counted from `sweepAt`, is over: `sweepAt` is kept at
    // (last announcement + period - olderThan), so one range condition finds every due order.
    const quietSince = new Date(now.getTime() - options.olderThanSeconds * 1000).toISOString();
    const due = await this.orders.findDue(quietSince, options.limit);
    const reannounced: string[] = [];
    const stuck: string[] = [];
    for (const candidate of due) {
      if (candidate.announcements >= options.maxAnnouncements) {
        if (await this.orders.markStuck(candidate.orderId, now.toISOString())) stuck.push(candidate.orderId);
        continue;
      }
      const period = quietPeriodSeconds(candidate.announcements + 1, options);
      const nextSweepAt = new Date(now.getTime() + (period - options.olderThanSeconds) * 1000).toISOString();
      if ((await this.orders.reannounce(candidate, now.toISOString(), nextSweepAt)) === 'reannounced') reannounced.push(candidate.orderId);
    }
    return { reannounced, stuck };
  }

  listStuck(limit: number, nextToken?: string): Promise<Page<StuckOrder>> {
    return this.orders.listStuck(limit, nextToken);
  }

  /** Puts stuck orders back in the sweep (each announced again at once); says which were stuck. */
  async redriveStuck(orderIds: readonly string[]): Promise<{ redriven: string[]; notStuck: string[] }> {
    const at = this.now().toISOString();
    const redriven: string[] = [];
    const notStuck: string[] = [];
    for (const orderId of orderIds) ((await this.orders.redrive(orderId, at)) ? redriven : notStuck).push(orderId);
    return { redriven, notStuck };
  }
}
