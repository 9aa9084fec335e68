import type { PaymentRepository } from '../domain/payment-service.js';
import type {
  CancelledPayment,
  ChargeOutcome,
  ChargingPayment,
  DeclinedPayment,
  Payment,
  PaymentStatus,
  RefundedPayment,
} from '../domain/payment.js';

/**
 * The payments port in memory, for unit tests: the DynamoDB adapter's conditions, checked by the same
 * contract suite (payment-repository.contract.ts) against both. `announcements` counts the writes that make
 * the outbox announce a record again. `beforeWrite` runs once, just before the next conditional write
 * decides: a test's concurrent writer.
 */
export class InMemoryPaymentRepository implements PaymentRepository {
  readonly payments = new Map<string, Payment>();
  readonly announcements = new Map<string, number>();
  beforeWrite: (() => void) | undefined;

  async get(orderId: string): Promise<Payment | undefined> {
    const payment = this.payments.get(orderId);
    return payment && { ...payment };
  }

  async create(payment: ChargingPayment | CancelledPayment): Promise<boolean> {
    this.interfere();
    if (this.payments.has(payment.orderId)) return false;
    this.payments.set(payment.orderId, { ...payment });
    return true;
  }

  async recordOutcome(orderId: string, outcome: ChargeOutcome): Promise<Payment | undefined> {
    this.interfere();
    const payment = this.payments.get(orderId);
    if (payment?.status !== 'CHARGING') return undefined;
    const recorded = { ...payment, ...outcome } as Payment;
    this.payments.set(orderId, recorded);
    return { ...recorded };
  }

  async recordRefund(orderId: string, refund: { refundedAt: string; correlationId: string }): Promise<RefundedPayment | undefined> {
    this.interfere();
    const payment = this.payments.get(orderId);
    if (payment?.status !== 'CHARGED') return undefined;
    const refunded: RefundedPayment = { ...payment, ...refund, status: 'REFUNDED' };
    this.payments.set(orderId, refunded);
    return { ...refunded };
  }

  async recordDeclineCancelled(
    orderId: string,
    cancellation: { cancelledAt: string; correlationId: string },
  ): Promise<DeclinedPayment | undefined> {
    this.interfere();
    const payment = this.payments.get(orderId);
    if (payment?.status !== 'DECLINED' || payment.cancelledAt !== undefined) return undefined;
    const answered: DeclinedPayment = { ...payment, ...cancellation };
    this.payments.set(orderId, answered);
    return { ...answered };
  }

  async reannounce(orderId: string, status: PaymentStatus): Promise<boolean> {
    this.interfere();
    if (this.payments.get(orderId)?.status !== status) return false;
    this.announcements.set(orderId, (this.announcements.get(orderId) ?? 0) + 1);
    return true;
  }

  private interfere() {
    const interfere = this.beforeWrite;
    this.beforeWrite = undefined;
    interfere?.();
  }
}
