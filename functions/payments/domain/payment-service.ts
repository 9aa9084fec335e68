/**
 * Charges due orders and refunds cancelled ones (functions/payments/README.md). Every state change is one
 * conditional write naming the state it comes from, and the record is what the outbox announces (the table's
 * stream: CHARGED -> PaymentSucceeded, DECLINED -> PaymentDeclined, REFUNDED -> PaymentRefunded, a tombstone or a
 * decline that carries the cancellation -> PaymentCancelled), so whatever
 * the order and the duplication of the events: an order is charged at most once, refunded at most once, and
 * only a charged order is refunded.
 */
import type { PaymentProvider } from './payment-provider.js';
import {
  ChargeInFlightError,
  type Cancellation,
  type CancelledPayment,
  type ChargeOutcome,
  type ChargingPayment,
  type DeclinedPayment,
  type Payment,
  type PaymentRequest,
  type PaymentStatus,
  type RefundedPayment,
} from './payment.js';

export interface PaymentRepository {
  get(orderId: string): Promise<Payment | undefined>;
  /** Stores a charge's claim or a tombstone unless the order has a record already; whether it stored it. */
  create(payment: ChargingPayment | CancelledPayment): Promise<boolean>;
  /** CHARGING -> CHARGED | DECLINED, only from CHARGING: the record as written, or undefined when it was not CHARGING. */
  recordOutcome(orderId: string, outcome: ChargeOutcome): Promise<Payment | undefined>;
  /** CHARGED -> REFUNDED, only from CHARGED (the cancellation's correlation id goes on the record). */
  recordRefund(orderId: string, refund: { refundedAt: string; correlationId: string }): Promise<RefundedPayment | undefined>;
  /**
   * Puts the order's cancellation on a decline (its `cancelledAt`, and its correlation id), only on a DECLINED
   * record that has none yet: the record as written, or undefined.
   */
  recordDeclineCancelled(
    orderId: string,
    cancellation: { cancelledAt: string; correlationId: string },
  ): Promise<DeclinedPayment | undefined>;
  /** Writes the record again, unchanged but for its bookkeeping, only while it is in `status`: the outbox announces it once more. */
  reannounce(orderId: string, status: PaymentStatus, at: string): Promise<boolean>;
}

export type RequestResult =
  /** Charged now (the outbox announces PaymentSucceeded). */
  | { kind: 'charged'; payment: Payment }
  /** Declined now (the outbox announces PaymentDeclined). */
  | { kind: 'declined'; payment: Payment }
  /** Decided before (a redelivery, the sweeper's repeat, or a delivery that ran alongside): the outcome is announced again. */
  | { kind: 'repeated'; payment: Payment }
  /** Charged, then refunded: nothing new to say (PaymentRefunded was announced). */
  | { kind: 'refunded-before'; payment: Payment }
  /** Declined, then the order's cancellation answered: nothing new to say (PaymentCancelled was announced). */
  | { kind: 'cancelled-before'; payment: Payment }
  /** The order was cancelled before any charge (a tombstone): nothing charged, nothing announced. */
  | { kind: 'prevented'; payment: Payment };

export type CancelResult =
  /** The charge was refunded now (the outbox announces PaymentRefunded). */
  | { kind: 'refunded'; payment: Payment }
  /** Refunded before: PaymentRefunded is announced again. */
  | { kind: 'refund-repeated'; payment: Payment }
  /** Nothing was charged yet: a tombstone now keeps a later PaymentRequested from charging (the outbox announces PaymentCancelled). */
  | { kind: 'tombstoned'; payment: Payment }
  /** Declined: nothing to refund; the decline now carries the cancellation (the outbox announces PaymentCancelled). */
  | { kind: 'nothing-to-refund'; payment: Payment }
  /** Tombstoned or answered before: PaymentCancelled is announced again. */
  | { kind: 'cancel-repeated'; payment: Payment };

/** A create or an outcome that lost to another delivery is read again; more losses than this mean a bug. */
const MAX_ATTEMPTS = 3;

export class PaymentService {
  constructor(
    private readonly payments: PaymentRepository,
    private readonly provider: PaymentProvider,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** PaymentRequested: charge the order once; a repeat announces the recorded outcome again and charges nothing. */
  async handleRequest(request: PaymentRequest): Promise<RequestResult> {
    const claim: ChargingPayment = { ...request, status: 'CHARGING', requestedAt: this.now().toISOString() };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // The happy path claims without a read: the claim is the condition (no record for the order yet).
      if (attempt === 0 && (await this.payments.create(claim))) return this.charge(claim);
      const payment = await this.payments.get(request.orderId);
      if (!payment) {
        if (await this.payments.create(claim)) return this.charge(claim);
        continue;
      }
      switch (payment.status) {
        // A delivery claimed it and has not recorded the outcome (it crashed, or runs alongside): the provider
        // is idempotent by order id, so asking again charges nothing more and tells the outcome.
        case 'CHARGING':
          return this.charge(payment);
        case 'DECLINED':
          // The order was cancelled since: PaymentDeclined has nothing left to do, and the record now says PaymentCancelled.
          if (payment.cancelledAt !== undefined) return { kind: 'cancelled-before', payment };
          if (await this.payments.reannounce(payment.orderId, payment.status, this.now().toISOString()))
            return { kind: 'repeated', payment };
          continue;
        case 'CHARGED':
          if (await this.payments.reannounce(payment.orderId, payment.status, this.now().toISOString()))
            return { kind: 'repeated', payment };
          continue;
        case 'REFUNDED':
          return { kind: 'refunded-before', payment };
        case 'CANCELLED':
          return { kind: 'prevented', payment };
      }
    }
    throw new Error(`the payment of order ${request.orderId} kept changing under its request`);
  }

  /**
   * OrderCancelled: refund what was charged, once (PaymentRefunded); prevent what was not charged yet (a
   * tombstone) or record the cancellation on a decline (both PaymentCancelled); a charge in flight throws
   * ChargeInFlightError (retryable: the redelivery finds its outcome and acts on it). Every cancellation is
   * answered, a repeated one again, so orders' sweeper can ask until it hears.
   */
  async handleCancellation(cancellation: Cancellation): Promise<CancelResult> {
    const { orderId, userId, cancelledAt, correlationId } = cancellation;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const payment = await this.payments.get(orderId);
      if (!payment) {
        const tombstone: CancelledPayment = { status: 'CANCELLED', orderId, userId, cancelledAt, correlationId };
        if (await this.payments.create(tombstone)) return { kind: 'tombstoned', payment: tombstone };
        continue; // a request claimed the charge first: act on its claim
      }
      switch (payment.status) {
        case 'CHARGING':
          throw new ChargeInFlightError(orderId);
        case 'CHARGED': {
          const { refundedAt } = await this.provider.refund({ orderId, paymentId: payment.paymentId, amount: payment.amount });
          const refunded = await this.payments.recordRefund(orderId, { refundedAt, correlationId });
          if (refunded) return { kind: 'refunded', payment: refunded };
          continue; // another delivery recorded the refund first (the provider refunded once)
        }
        case 'REFUNDED':
          if (await this.payments.reannounce(orderId, 'REFUNDED', this.now().toISOString())) return { kind: 'refund-repeated', payment };
          continue;
        case 'DECLINED': {
          if (payment.cancelledAt === undefined) {
            const answered = await this.payments.recordDeclineCancelled(orderId, { cancelledAt, correlationId });
            if (answered) return { kind: 'nothing-to-refund', payment: answered };
            continue; // another delivery answered first
          }
          if (await this.payments.reannounce(orderId, 'DECLINED', this.now().toISOString())) return { kind: 'cancel-repeated', payment };
          continue;
        }
        case 'CANCELLED':
          if (await this.payments.reannounce(orderId, 'CANCELLED', this.now().toISOString())) return { kind: 'cancel-repeated', payment };
          continue;
      }
    }
    throw new Error(`the payment of order ${orderId} kept changing under its cancellation`);
  }

  /** Asks the provider (idempotent by order id) and records its answer, only on the claim it was asked for. */
  private async charge(claim: ChargingPayment): Promise<RequestResult> {
    const { orderId, amount, paymentMethod } = claim;
    const result = await this.provider.charge({ orderId, amount, paymentMethod });
    const outcome: ChargeOutcome =
      result.kind === 'charged'
        ? { status: 'CHARGED', paymentId: result.paymentId, chargedAt: result.chargedAt }
        : { status: 'DECLINED', reason: result.reason, declinedAt: this.now().toISOString() };
    const recorded = await this.payments.recordOutcome(orderId, outcome);
    if (recorded) return { kind: result.kind, payment: recorded };
    // A delivery alongside recorded the same answer first (the provider gave both the same): its write announces it.
    const payment = await this.payments.get(orderId);
    if (!payment) throw new Error(`the payment of order ${orderId} disappeared while it was charged`);
    return { kind: 'repeated', payment };
  }
}
