import { createHash } from 'node:crypto';
import { ConflictError, NotFoundError } from '../../shared/domain-errors.js';
import type { Page } from '../../shared/pagination.js';
import { newOrderId } from './order-id.js';
import {
  acknowledgement,
  buyerCancellation,
  compensated,
  DEFAULT_PAYMENT_METHOD,
  isCancellable,
  payment,
  paymentDeclined,
  paymentRequest,
  sameOutcome,
  settlement,
  shipment,
  type Acknowledgement,
  type CompensationState,
  type Order,
  type OrderChange,
  type OrderStatus,
  type PaymentMethod,
  type StockOutcome,
} from './order.js';

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

/** What a conditional write did: `changed` (the stored order after it), or nothing, because the order is `missing` or did not meet the guard (`unchanged`: the stored order, read after the failed write). */
export type ChangeResult = { kind: 'changed'; order: Order } | { kind: 'unchanged'; order: Order } | { kind: 'missing' };

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
  /** The order by id alone (the saga's answers carry no user id). */
  find(orderId: string): Promise<Order | undefined>;
  /** Applies one step of the state machine in one conditional write: only if the stored order meets the change's guard. */
  apply(orderId: string, change: OrderChange): Promise<ChangeResult>;
  /** Orders the sweeper watches (every order not final) that have been quiet since before `quietSince` (ISO time), longest first, at most `limit`. */
  findDue(quietSince: string, limit: number): Promise<SweepCandidate[]>;
  /**
   * Marks the order for another announcement (the outbox publishes its state again; a CONFIRMED order's payment is
   * requested, if it was not yet) and starts its next quiet period at `nextSweepAt`, only if it is still in the
   * candidate's status, watched, and announced as often as the candidate says.
   */
  reannounce(candidate: SweepCandidate, at: string, nextSweepAt: string): Promise<'reannounced' | 'skipped'>;
  /** Takes the order out of the sweep, into the stuck list; false if it is no longer as the candidate says. */
  markStuck(candidate: SweepCandidate, at: string): Promise<boolean>;
  /** The stuck list, longest stuck first. */
  listStuck(limit: number, nextToken?: string): Promise<Page<StuckOrder>>;
  /** Puts a stuck order back in the sweep with a fresh count, announcing its state now; false if it is not stuck. */
  redrive(orderId: string, at: string): Promise<boolean>;
}

/** An order the sweeper found due: its status and compensations as read, and how often it has re-announced it so far. */
export type SweepCandidate = {
  orderId: string;
  status: OrderStatus;
  announcements: number;
} & CompensationState;

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
  /** The simulator's test token (the default when not given). */
  paymentMethod?: PaymentMethod;
  correlationId: string;
  idempotencyKey?: string;
  /** The request body as received (after validation); hashed for the idempotency check. */
  requestBody: Record<string, unknown>;
}

/**
 * What an event did to its order: `applied` (the order moved on), `duplicate` (it had already been applied), or
 * `ignored`: the order had moved on in a way this event does not change (a late answer for a cancelled order;
 * the context that sent it compensates), logged and counted by the handler, never an error.
 */
export type EventResult =
  { kind: 'applied'; order: Order } | { kind: 'duplicate'; order: Order } | { kind: 'ignored'; order: Order; why: string };

/** What a request did: `applied`, or nothing because it had been (`duplicate`: the same answer again). */
export type StepResult = { kind: 'applied' | 'duplicate'; order: Order };

export class UnknownOrderError extends Error {
  override name = 'UnknownOrderError';
}
export class MismatchedOutcomeError extends Error {
  override name = 'MismatchedOutcomeError';
}
/** A payment-due message that came early: retried (SQS hands it again after its visibility timeout), not dropped. */
export class PaymentNotDueError extends Error {
  override name = 'PaymentNotDueError';
  readonly retryable = true;
}

/** A payment-due message may come this early (clocks of two services) and still be served. */
export const PAYMENT_DUE_TOLERANCE_MS = 2000;

/** A stable hash of a JSON object (keys sorted), so key order in the body does not matter. */
export function fingerprintOf(body: Record<string, unknown>): string {
  const canonical = JSON.stringify(
    Object.keys(body)
      .sort()
      .map((key) => [key, body[key]]),
  );
  return createHash('sha256').update(canonical).digest('base64url');
}

export interface OrderServiceOptions {
  /** A CONFIRMED order is charged this long after it was confirmed (param paymentGraceSeconds). */
  paymentGraceSeconds: number;
}

/** A write judged on a stale read is tried again on a fresh one this often before it gives up (a message then retries). */
const ATTEMPTS = 3;

export class OrderService {
  constructor(
    private readonly orders: OrderRepository,
    private readonly now: () => Date = () => new Date(),
    private readonly newId: (nowMs: number) => string = newOrderId,
    private readonly options: OrderServiceOptions = { paymentGraceSeconds: 60 },
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
      paymentMethod: command.paymentMethod ?? DEFAULT_PAYMENT_METHOD,
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
   * The buyer cancels their order (PENDING, CONFIRMED or PAID): CANCELLED BUYER_CANCELLED at once; the outbox
   * announces OrderCancelled and the catalog and payments each undo what they did. A repeat answers the same
   * order; SHIPPED, REJECTED or cancelled for another reason is ORDER_NOT_CANCELLABLE.
   */
  async cancel(userId: string, orderId: string): Promise<StepResult> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const order = await this.orders.get(userId, orderId);
      if (!order) throw new NotFoundError(`Order ${orderId} not found`);
      if (order.status === 'CANCELLED' && order.reason === 'BUYER_CANCELLED') return { kind: 'duplicate', order };
      if (!isCancellable(order.status)) {
        const why = order.status === 'CANCELLED' ? `cancelled (${order.reason})` : order.status;
        throw new ConflictError('ORDER_NOT_CANCELLABLE', `Order ${orderId} is ${why} and cannot be cancelled`);
      }
      // From exactly the status read, so OrderCancelled names what is to be undone; a concurrent step makes it fail and be judged again.
      const result = await this.orders.apply(orderId, buyerCancellation(order.status, this.at()));
      if (result.kind === 'changed') return { kind: 'applied', order: result.order };
    }
    throw new Error(`order ${orderId} kept changing while being cancelled`);
  }

  /** An admin ships a PAID order (SHIPPED, OrderShipped); a repeat answers the same order; any other status is ORDER_NOT_SHIPPABLE. */
  async ship(orderId: string): Promise<StepResult> {
    const result = await this.orders.apply(orderId, shipment(this.at()));
    if (result.kind === 'missing') throw new NotFoundError(`Order ${orderId} not found`);
    if (result.kind === 'changed') return { kind: 'applied', order: result.order };
    if (result.order.status === 'SHIPPED') return { kind: 'duplicate', order: result.order };
    throw new ConflictError('ORDER_NOT_SHIPPABLE', `Order ${orderId} is ${result.order.status}; only a PAID order can be shipped`);
  }

  /**
   * Applies the catalog's answer. Idempotent: a PENDING order is settled once; a repeat of the same answer is a
   * no-op; any other answer for an order that moved on leaves it as it is (a cancelled order's stock is the
   * catalog's to release, on OrderCancelled).
   */
  async settle(answer: { orderId: string; productId: string; qty: number; outcome: StockOutcome }): Promise<EventResult> {
    const result = await this.orders.apply(answer.orderId, settlement(answer, this.at(), this.options.paymentGraceSeconds));
    if (result.kind === 'missing') throw new UnknownOrderError(`order ${answer.orderId} does not exist`);
    if (result.kind === 'changed') return { kind: 'applied', order: result.order };
    const { order } = result;
    if (order.productId !== answer.productId || order.qty !== answer.qty) {
      throw new MismatchedOutcomeError(
        `answer for order ${answer.orderId} names ${answer.qty} x ${answer.productId}, the order is ${order.qty} x ${order.productId}`,
      );
    }
    if (sameOutcome(order, answer.outcome)) return { kind: 'duplicate', order };
    return {
      kind: 'ignored',
      order,
      why: order.status === 'CANCELLED' ? 'the order was cancelled first' : 'the order was settled with another answer, which stands',
    };
  }

  /**
   * The grace period is over (the payment-due queue hands back OrderConfirmed): the charge is requested once, for
   * an order still CONFIRMED. A message that comes early is retried, not served; one for an order that moved on
   * (cancelled, paid) does nothing.
   */
  async requestPayment(orderId: string, paymentDueAt: string): Promise<EventResult> {
    const now = this.now();
    if (Date.parse(paymentDueAt) - now.getTime() > PAYMENT_DUE_TOLERANCE_MS) {
      throw new PaymentNotDueError(`the payment of order ${orderId} is due at ${paymentDueAt}, not yet`);
    }
    const result = await this.orders.apply(orderId, paymentRequest(now.toISOString()));
    if (result.kind === 'missing') throw new UnknownOrderError(`order ${orderId} does not exist`);
    if (result.kind === 'changed') return { kind: 'applied', order: result.order };
    if (result.order.paymentRequestedAt !== undefined) return { kind: 'duplicate', order: result.order };
    return { kind: 'ignored', order: result.order, why: `the order is ${result.order.status}` };
  }

  /**
   * Payments' answer. Charged: a CONFIRMED order is PAID; a cancelled one records the charge (payments refunds it,
   * having seen OrderCancelled). Declined: a CONFIRMED order is CANCELLED PAYMENT_DECLINED (its stock is released).
   */
  async applyPayment(orderId: string, outcome: 'SUCCEEDED' | 'DECLINED'): Promise<EventResult> {
    const at = this.at();
    const result = await this.orders.apply(orderId, outcome === 'SUCCEEDED' ? payment(at) : paymentDeclined(at));
    if (result.kind === 'missing') throw new UnknownOrderError(`order ${orderId} does not exist`);
    if (result.kind === 'changed') return { kind: 'applied', order: result.order };
    const { order } = result;
    if (outcome === 'SUCCEEDED') {
      if (order.status === 'CANCELLED') return this.acknowledge(orderId, 'paidAt', order);
      if (order.status === 'PAID' || order.status === 'SHIPPED') return { kind: 'duplicate', order };
      return { kind: 'ignored', order, why: `a charge for an order that is ${order.status}` };
    }
    if (order.status === 'CANCELLED' && order.reason === 'PAYMENT_DECLINED') return { kind: 'duplicate', order };
    return {
      kind: 'ignored',
      order,
      why: `a declined payment for an order that is ${order.status}${order.reason ? ` (${order.reason})` : ''}`,
    };
  }

  /** Payments refunded a cancelled order's charge: recorded (refundedAt), announcing nothing. */
  acknowledgeRefund(orderId: string): Promise<EventResult> {
    return this.acknowledge(orderId, 'refundedAt');
  }

  /**
   * Payments answered a cancelled order's cancellation holding no charge (PaymentCancelled: nothing charged, or
   * declined): recorded, announcing nothing. For an order not cancelled it is ignored (payments only answers
   * OrderCancelled, so it is a stray).
   */
  acknowledgePaymentCancel(orderId: string): Promise<EventResult> {
    return this.acknowledge(orderId, 'paymentCancelAcknowledgedAt');
  }

  /** The catalog released a cancelled order's stock (or made sure none will be reserved): recorded, announcing nothing. */
  acknowledgeStockRelease(orderId: string): Promise<EventResult> {
    return this.acknowledge(orderId, 'stockReleasedAt');
  }

  /** Records what a cancelled order learns, judged on a fresh read each time (acknowledgements may race each other). */
  private async acknowledge(orderId: string, field: Acknowledgement, read?: Order): Promise<EventResult> {
    let order = read;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      order ??= await this.orders.find(orderId);
      if (!order) throw new UnknownOrderError(`order ${orderId} does not exist`);
      if (order.status !== 'CANCELLED') return { kind: 'ignored', order, why: `the order is ${order.status}, not cancelled` };
      if (order[field] !== undefined) return { kind: 'duplicate', order };
      const result = await this.orders.apply(orderId, acknowledgement(order, field, this.at()));
      if (result.kind === 'changed') return { kind: 'applied', order: result.order };
      order = result.kind === 'unchanged' ? result.order : undefined;
    }
    throw new Error(`order ${orderId} kept changing while recording ${field}`);
  }

  /**
   * The outbox's safety net, for every order not final: asks the outbox to announce again each one that has been
   * quiet for its period (PENDING: OrderPlaced; CONFIRMED past its due time: PaymentRequested, the payment being
   * requested if it was not; CANCELLED and not yet compensated: OrderCancelled), backing off each time
   * (`quietPeriodSeconds`). An order announced `maxAnnouncements` times leaves the sweep for the stuck list, so
   * it can never crowd newer orders out of a run.
   */
  async sweepPending(options: SweepOptions): Promise<SweepResult> {
    const now = this.now();
    // An order is due when its quiet period, counted from `sweepAt`, is over: `sweepAt` is kept at
    // (last announcement + period - olderThan), so one range condition finds every due order.
    const quietSince = new Date(now.getTime() - options.olderThanSeconds * 1000).toISOString();
    const due = await this.orders.findDue(quietSince, options.limit);
    const result: SweepResult = { reannounced: [], stuck: [], statuses: {} };
    for (const candidate of due) {
      if (candidate.status === 'CANCELLED' && compensated(candidate)) {
        // Never left behind by this code (the last acknowledgement takes it out); if one is, it is let go.
        await this.orders.apply(candidate.orderId, { from: ['CANCELLED'], set: {}, sweep: 'leave', announce: false });
        continue;
      }
      if (candidate.announcements >= options.maxAnnouncements) {
        if (await this.orders.markStuck(candidate, now.toISOString())) {
          result.stuck.push(candidate.orderId);
          result.statuses[candidate.orderId] = candidate.status;
        }
        continue;
      }
      const period = quietPeriodSeconds(candidate.announcements + 1, options);
      const nextSweepAt = new Date(now.getTime() + (period - options.olderThanSeconds) * 1000).toISOString();
      if ((await this.orders.reannounce(candidate, now.toISOString(), nextSweepAt)) === 'reannounced') {
        result.reannounced.push(candidate.orderId);
        result.statuses[candidate.orderId] = candidate.status;
      }
    }
    return result;
  }

  listStuck(limit: number, nextToken?: string): Promise<Page<StuckOrder>> {
    return this.orders.listStuck(limit, nextToken);
  }

  /** Puts stuck orders back in the sweep (each announced again at once); says which were stuck. */
  async redriveStuck(orderIds: readonly string[]): Promise<{ redriven: string[]; notStuck: string[] }> {
    const at = this.at();
    const redriven: string[] = [];
    const notStuck: string[] = [];
    for (const orderId of orderIds) ((await this.orders.redrive(orderId, at)) ? redriven : notStuck).push(orderId);
    return { redriven, notStuck };
  }

  private at(): string {
    return this.now().toISOString();
  }
}

/** A sweep's run: what it re-announced and what it gave up on, with each one's status (what the order waits for). */
export interface SweepResult {
  reannounced: string[];
  stuck: string[];
  statuses: Record<string, OrderStatus>;
}
