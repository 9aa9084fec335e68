import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest } from '../domain/payment-provider.js';
import { recordedCharge, recordedRefund, simulatedCharge, type SimulatorLedger } from './payment-simulator.js';

/**
 * The simulator in memory, for unit tests: the DynamoDB simulator's rules and ledger (the provider contract,
 * payment-provider.contract.ts, runs on both). `beforeCharge` runs once, before the next charge decides: a
 * test holds a charge in flight with it.
 */
export class InMemoryPaymentSimulator implements PaymentProvider {
  readonly ledgers = new Map<string, SimulatorLedger>();
  beforeCharge: (() => Promise<void>) | undefined;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const hold = this.beforeCharge;
    this.beforeCharge = undefined;
    await hold?.();
    const ledger = this.ledgerOf(request.orderId);
    ledger.chargeRequests = (ledger.chargeRequests ?? 0) + 1;
    if (ledger.outcome !== undefined) return recordedCharge(ledger, request);
    const decided = simulatedCharge(request, this.now());
    Object.assign(ledger, { amount: request.amount, paymentMethod: request.paymentMethod, charges: decided.kind === 'charged' ? 1 : 0 });
    if (decided.kind === 'charged')
      Object.assign(ledger, { outcome: 'charged', paymentId: decided.paymentId, chargedAt: decided.chargedAt });
    else Object.assign(ledger, { outcome: 'declined', reason: decided.reason });
    return decided;
  }

  async refund(request: RefundRequest): Promise<{ refundedAt: string }> {
    const ledger = this.ledgerOf(request.orderId);
    ledger.refundRequests = (ledger.refundRequests ?? 0) + 1;
    const refundable =
      ledger.outcome === 'charged' &&
      ledger.paymentId === request.paymentId &&
      (ledger.amount ?? 0) >= request.amount &&
      ledger.refundedAt === undefined;
    if (!refundable) return recordedRefund(ledger, request);
    const refundedAt = this.now().toISOString();
    Object.assign(ledger, { refundedAt, refundedAmount: request.amount, refunds: (ledger.refunds ?? 0) + 1 });
    return { refundedAt };
  }

  private ledgerOf(orderId: string): SimulatorLedger {
    let ledger = this.ledgers.get(orderId);
    if (!ledger) this.ledgers.set(orderId, (ledger = { orderId }));
    return ledger;
  }
}
