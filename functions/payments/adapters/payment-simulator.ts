/**
 * The payment simulator: the provider port (domain/payment-provider.ts) without a card processor, deterministic
 * by the test token (SIMULATED_DECLINES) and idempotent by order id, as a real provider is by idempotency key.
 * It keeps its own ledger in the payments table under its own key, pk=PROVIDER#<orderId> (functions/payments/README.md,
 * "The simulator"), counting what it was asked and what it did, so a test can check "charged once, refunded
 * once" (simulator-ledger.ts reads it). A real provider's adapter replaces this file and that item.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { PaymentMethod } from '../../shared/events/contracts.js';
import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest } from '../domain/payment-provider.js';
import type { DeclineReason } from '../domain/payment.js';

/** The test tokens that decline, and why; every other token (pm_card_visa) is charged. */
export const SIMULATED_DECLINES: Partial<Record<PaymentMethod, DeclineReason>> = {
  pm_card_declined: 'CARD_DECLINED',
  pm_card_insufficient_funds: 'INSUFFICIENT_FUNDS',
};

/** Deterministic, one per order (the order id is the idempotency key): `pay_<orderId>`. */
export const simulatedPaymentId = (orderId: string) => `pay_${orderId}`;

export const providerLedgerKey = (orderId: string) => ({ pk: `PROVIDER#${orderId}`, sk: 'PROVIDER' });

/** The simulator's item for one order: what it decided, and how often it was asked and acted. */
export interface SimulatorLedger {
  orderId: string;
  amount?: number;
  paymentMethod?: PaymentMethod;
  outcome?: 'charged' | 'declined';
  paymentId?: string;
  chargedAt?: string;
  reason?: DeclineReason;
  /** Charge calls, repeats included; `charges`: the money actually taken (0 or 1). */
  chargeRequests?: number;
  charges?: number;
  /** Refund calls, repeats and refused ones included; `refunds`: the money actually returned (0 or 1). */
  refundRequests?: number;
  refunds?: number;
  refundedAt?: string;
  refundedAmount?: number;
}

/** The first answer to an order's charge, by its token. */
export function simulatedCharge(request: ChargeRequest, now: Date): ChargeResult {
  const reason = SIMULATED_DECLINES[request.paymentMethod];
  return reason
    ? { kind: 'declined', reason }
    : { kind: 'charged', paymentId: simulatedPaymentId(request.orderId), chargedAt: now.toISOString() };
}

/** The recorded answer, for a repeat: the same order id with other parameters is refused, as a reused idempotency key is. */
export function recordedCharge(ledger: SimulatorLedger, request: ChargeRequest): ChargeResult {
  if (ledger.amount !== request.amount || ledger.paymentMethod !== request.paymentMethod)
    throw new Error(`order ${request.orderId} was charged with other parameters (amount ${ledger.amount}, ${ledger.paymentMethod})`);
  return ledger.outcome === 'charged'
    ? { kind: 'charged', paymentId: ledger.paymentId as string, chargedAt: ledger.chargedAt as string }
    : { kind: 'declined', reason: ledger.reason as DeclineReason };
}

/** The first refund's answer to a repeat; anything but a refunded charge of this payment id is refused. */
export function recordedRefund(ledger: SimulatorLedger, request: RefundRequest): { refundedAt: string } {
  if (ledger.outcome === 'charged' && ledger.paymentId === request.paymentId && ledger.refundedAt !== undefined)
    return { refundedAt: ledger.refundedAt };
  throw new Error(
    `no charge ${request.paymentId} of ${request.amount} on order ${request.orderId} to refund (ledger: ${ledger.outcome ?? 'nothing charged'})`,
  );
}

export class DynamoDbPaymentSimulator implements PaymentProvider {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const decided = simulatedCharge(request, this.now());
    const fields: Record<string, unknown> = {
      entity: 'PROVIDER',
      orderId: request.orderId,
      amount: request.amount,
      paymentMethod: request.paymentMethod,
      ...(decided.kind === 'charged'
        ? { outcome: 'charged', paymentId: decided.paymentId, chargedAt: decided.chargedAt }
        : { outcome: 'declined', reason: decided.reason }),
    };
    const names = Object.keys(fields);
    // The first charge decides and counts (one write, conditional on no outcome yet); a repeat only counts the call.
    const first = await this.update(request.orderId, {
      UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')} ADD chargeRequests :one, charges :charges`,
      ConditionExpression: 'attribute_not_exists(outcome)',
      ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
      ExpressionAttributeValues: {
        ...Object.fromEntries(names.map((name, i) => [`:f${i}`, fields[name]])),
        ':one': 1,
        ':charges': decided.kind === 'charged' ? 1 : 0,
      },
    });
    if (first) return decided;
    return recordedCharge(await this.countRequest(request.orderId, 'chargeRequests'), request);
  }

  async refund(request: RefundRequest): Promise<{ refundedAt: string }> {
    const refundedAt = this.now().toISOString();
    const first = await this.update(request.orderId, {
      UpdateExpression: 'SET refundedAt = :at, refundedAmount = :amount ADD refundRequests :one, refunds :one',
      ConditionExpression: 'outcome = :charged AND paymentId = :paymentId AND amount >= :amount AND attribute_not_exists(refundedAt)',
      ExpressionAttributeValues: {
        ':at': refundedAt,
        ':amount': request.amount,
        ':one': 1,
        ':charged': 'charged',
        ':paymentId': request.paymentId,
      },
    });
    if (first) return { refundedAt };
    return recordedRefund(await this.countRequest(request.orderId, 'refundRequests'), request);
  }

  /** Counts a call that changed nothing else (a repeat, or a refused refund) and reads the ledger as it stands. */
  private async countRequest(orderId: string, counter: 'chargeRequests' | 'refundRequests'): Promise<SimulatorLedger> {
    const ledger = await this.update(orderId, {
      UpdateExpression: `SET entity = :entity, orderId = :orderId ADD ${counter} :one`,
      ExpressionAttributeValues: { ':entity': 'PROVIDER', ':orderId': orderId, ':one': 1 },
    });
    return ledger as SimulatorLedger;
  }

  /** One UpdateItem of the order's ledger item: the item as written, or undefined when its condition failed. */
  private async update(
    orderId: string,
    input: Omit<UpdateCommandInput, 'TableName' | 'Key' | 'ReturnValues'>,
  ): Promise<SimulatorLedger | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({ ...input, TableName: this.tableName, Key: providerLedgerKey(orderId), ReturnValues: 'ALL_NEW' }),
      );
      return Attributes as SimulatorLedger;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}
