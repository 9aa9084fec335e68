import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { PaymentRepository } from '../domain/payment-service.js';
import type {
  CancelledPayment,
  ChargeOutcome,
  ChargingPayment,
  DeclinedPayment,
  DeclineReason,
  Payment,
  PaymentStatus,
  RefundedPayment,
} from '../domain/payment.js';

/**
 * The payments table (generic keys; functions/payments/README.md, "Data"):
 * - a payment record: pk=PAYMENT#<orderId> sk=PAYMENT entity PAYMENT, the record's fields, and the outbox's
 *   bookkeeping (`announcements`, `lastAnnouncedAt`: each re-announcement is a write the stream hands on);
 * - the simulator's ledger: pk=PROVIDER#<orderId> (adapters/payment-simulator.ts), which a real provider replaces.
 */
export const paymentKey = (orderId: string) => ({ pk: `PAYMENT#${orderId}`, sk: 'PAYMENT' });

type PaymentItem = Payment & { pk: string; sk: string; entity: 'PAYMENT'; announcements?: number; lastAnnouncedAt?: string };

export const paymentItemOf = (payment: Payment): PaymentItem => ({ ...paymentKey(payment.orderId), entity: 'PAYMENT', ...payment });

/** The record in a stored item (the table's own and the stream's images); the bookkeeping stays out. */
export function toPayment(item: Record<string, unknown>): Payment {
  const text = (name: string) => item[name] as string;
  const [orderId, userId, correlationId] = [text('orderId'), text('userId'), text('correlationId')];
  const status = item.status as PaymentStatus;
  if (status === 'CANCELLED') return { status, orderId, userId, correlationId, cancelledAt: text('cancelledAt') };
  const charge = {
    orderId,
    userId,
    amount: item.amount as number,
    paymentMethod: item.paymentMethod as ChargingPayment['paymentMethod'],
    requestedAt: text('requestedAt'),
    correlationId,
  };
  switch (status) {
    case 'CHARGING':
      return { ...charge, status };
    case 'CHARGED':
      return { ...charge, status, paymentId: text('paymentId'), chargedAt: text('chargedAt') };
    case 'DECLINED': {
      const declined: DeclinedPayment = { ...charge, status, reason: item.reason as DeclineReason, declinedAt: text('declinedAt') };
      return item.cancelledAt === undefined ? declined : { ...declined, cancelledAt: text('cancelledAt') };
    }
    case 'REFUNDED':
      return { ...charge, status, paymentId: text('paymentId'), chargedAt: text('chargedAt'), refundedAt: text('refundedAt') };
  }
}

export class DynamoDbPaymentRepository implements PaymentRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(orderId: string): Promise<Payment | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: paymentKey(orderId), ConsistentRead: true }));
    return Item ? toPayment(Item) : undefined;
  }

  async create(payment: ChargingPayment | CancelledPayment): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: paymentItemOf(payment), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async recordOutcome(orderId: string, outcome: ChargeOutcome): Promise<Payment | undefined> {
    const fields: Record<string, unknown> =
      outcome.status === 'CHARGED'
        ? { status: 'CHARGED', paymentId: outcome.paymentId, chargedAt: outcome.chargedAt }
        : { status: 'DECLINED', reason: outcome.reason, declinedAt: outcome.declinedAt };
    return this.transition(orderId, 'CHARGING', fields);
  }

  async recordRefund(orderId: string, refund: { refundedAt: string; correlationId: string }): Promise<RefundedPayment | undefined> {
    return (await this.transition(orderId, 'CHARGED', { status: 'REFUNDED', ...refund })) as RefundedPayment | undefined;
  }

  async recordDeclineCancelled(
    orderId: string,
    cancellation: { cancelledAt: string; correlationId: string },
  ): Promise<DeclinedPayment | undefined> {
    // Once only: a second cancellation re-announces the first answer rather than rewriting it.
    return (await this.transition(orderId, 'DECLINED', cancellation, 'attribute_not_exists(cancelledAt)')) as DeclinedPayment | undefined;
  }

  async reannounce(orderId: string, status: PaymentStatus, at: string): Promise<boolean> {
    return (
      (await this.update({
        Key: paymentKey(orderId),
        UpdateExpression: 'SET lastAnnouncedAt = :at ADD announcements :one',
        ConditionExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':at': at, ':one': 1, ':status': status },
      })) !== undefined
    );
  }

  /** Sets `fields` only while the record is in `from` (and meets `also`): the record as written, or undefined. */
  private transition(orderId: string, from: PaymentStatus, fields: Record<string, unknown>, also?: string): Promise<Payment | undefined> {
    const names = Object.keys(fields);
    return this.update({
      Key: paymentKey(orderId),
      UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
      ConditionExpression: also ? `#status = :from AND ${also}` : '#status = :from',
      ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(names.map((name, i) => [`#f${i}`, name])) },
      ExpressionAttributeValues: { ':from': from, ...Object.fromEntries(names.map((name, i) => [`:f${i}`, fields[name]])) },
    });
  }

  private async update(input: Omit<UpdateCommandInput, 'TableName' | 'ReturnValues'>): Promise<Payment | undefined> {
    try {
      const { Attributes } = await this.client.send(new UpdateCommand({ ...input, TableName: this.tableName, ReturnValues: 'ALL_NEW' }));
      return toPayment(Attributes as Record<string, unknown>);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}
