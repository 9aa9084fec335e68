/**
 * The payments context on DynamoDB Local: the repository's contract and the simulator's on an empty copy of the
 * stack's payments table (one copy for the file: the cases use orders of their own), then the context as the
 * stack runs it: events put on the bus reach processPayments through PaymentsInboxRule and its queue (each
 * function signing as itself, so the local IAM checks hold its role to what it calls), the record and the
 * simulator's ledger change in the table, and the outbox relay publishes the answers.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbPaymentRepository } from '../../functions/payments/adapters/dynamodb-payment-repository.js';
import { describePaymentProviderContract } from '../../functions/payments/adapters/payment-provider.contract.js';
import { describePaymentRepositoryContract } from '../../functions/payments/adapters/payment-repository.contract.js';
import { DynamoDbPaymentSimulator } from '../../functions/payments/adapters/payment-simulator.js';
import { readSimulatorLedger } from '../../functions/payments/adapters/simulator-ledger.js';
import { buildEvent, type OutgoingEvent } from '../../functions/shared/events/contracts.js';
import { dynamoDocumentClient } from '../../functions/shared/dynamodb.js';
import { documentClient, eventBridgeClient, eventually } from '../support/aws.js';
import { describeLocal, stage } from '../support/env.js';
import { emptyCopyOf } from '../support/fresh-tables.js';
import { TEST_PORTS } from '../support/ports.js';
import { names, putOnBus, storeClosedOrder } from './saga-helpers.js';

const paymentsTable = () => `ecommerce-${stage()}-payments`;
let copy: Promise<string> | undefined;
const tableCopy = () => (copy ??= emptyCopyOf(paymentsTable()));

describeLocal('payment repository and simulator on DynamoDB Local', () => {
  describePaymentRepositoryContract('DynamoDB', async () => new DynamoDbPaymentRepository(dynamoDocumentClient(), await tableCopy()));
  describePaymentProviderContract('DynamoDB', async (now) => {
    const table = await tableCopy();
    return {
      provider: new DynamoDbPaymentSimulator(dynamoDocumentClient(), table, now),
      ledger: (orderId) => readSimulatorLedger(dynamoDocumentClient(), table, orderId),
    };
  });
});

// The stack's telemetry port: 16686 plus the offset of its HTTP port from 3000 (local/telemetry/index.ts).
const telemetryUrl = `http://127.0.0.1:${16686 + TEST_PORTS.http - 3000}`;

/**
 * The names of the spans recorded for a correlation id that ended well (the outbox relay's PutEvents among them;
 * a call the local IAM checks denied ends in an error span, OTLP status code 2).
 */
async function spanNames(correlationId: string): Promise<string[]> {
  const answer = await fetch(`${telemetryUrl}/api/traces?correlationId=${encodeURIComponent(correlationId)}`);
  const otlp = (await answer.json()) as {
    resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; status: { code: number } }> }> }>;
  };
  return otlp.resourceSpans.flatMap((resource) =>
    resource.scopeSpans.flatMap((scope) => scope.spans.filter((span) => span.status.code !== 2).map((span) => span.name)),
  );
}

describeLocal('the payments context on the local stack', () => {
  const repository = () => new DynamoDbPaymentRepository(dynamoDocumentClient(), paymentsTable());
  const ledger = (orderId: string) => readSimulatorLedger(dynamoDocumentClient(), paymentsTable(), orderId);
  const ordersTable = names().ordersTable;
  const put = async (...events: OutgoingEvent[]) => {
    // Payments' answers go on to settleOrders: each order must be one the orders context knows (and has closed).
    for (const orderId of new Set(events.map((event) => (event.detail.data as { orderId: string }).orderId))) {
      await storeClosedOrder(documentClient(), ordersTable, { orderId }).catch((error: Error) => {
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
    }
    await putOnBus(eventBridgeClient(), names().bus, events);
  };
  const metadata = (orderId: string, type: string, correlationId: string) => ({
    eventId: `${orderId}:${type}`,
    correlationId,
    occurredAt: new Date().toISOString(),
  });
  const requested = (orderId: string, correlationId: string, paymentMethod: 'pm_card_visa' | 'pm_card_declined' = 'pm_card_visa') =>
    buildEvent(
      'PaymentRequested',
      { orderId, userId: 'user-1', amount: 4500, paymentMethod },
      metadata(orderId, 'PaymentRequested', correlationId),
    );
  const cancelled = (orderId: string, correlationId: string) =>
    buildEvent(
      'OrderCancelled',
      {
        orderId,
        userId: 'user-1',
        productId: 'CATALOG-001',
        qty: 3,
        reason: 'BUYER_CANCELLED',
        previousStatus: 'PAID',
        cancelledAt: new Date().toISOString(),
      },
      metadata(orderId, 'OrderCancelled', correlationId),
    );
  const statusOf = (orderId: string, status: string) => async () => {
    const payment = await repository().get(orderId);
    return payment?.status === status ? payment : undefined;
  };

  beforeAll(async () => {
    // The table is made from the template by the stack itself (nothing in local/ names it).
    expect(await repository().get(`order-${randomUUID()}`)).toBeUndefined();
  });

  it('a PaymentRequested is charged once, however often it comes; a cancellation refunds it once; the answers are published', async () => {
    const orderId = `order-${randomUUID()}`;
    const correlationId = `payments-${randomUUID()}`;
    await put(requested(orderId, correlationId), requested(orderId, correlationId));
    const charged = await eventually(statusOf(orderId, 'CHARGED'));
    expect(charged).toMatchObject({ paymentId: `pay_${orderId}`, amount: 4500, correlationId });
    await put(requested(orderId, correlationId));
    await put(cancelled(orderId, correlationId), cancelled(orderId, correlationId));
    await eventually(statusOf(orderId, 'REFUNDED'));
    // Every message handled (the duplicates too) before the ledger is counted.
    await eventually(async () => ((await ledger(orderId))?.refundRequests ?? 0) >= 1 || undefined);
    expect(await ledger(orderId)).toMatchObject({ charges: 1, refunds: 1 });
    const names = await eventually(async () => {
      const all = await spanNames(correlationId);
      return all.some((name) => /PutEvents.*PaymentRefunded/.test(name)) ? all : undefined;
    });
    expect(names.some((name) => /PutEvents.*PaymentSucceeded/.test(name))).toBe(true);
  });

  it('a cancellation that comes first leaves a tombstone: the PaymentRequested that follows charges nothing', async () => {
    const orderId = `order-${randomUUID()}`;
    const correlationId = `payments-${randomUUID()}`;
    await put(cancelled(orderId, correlationId));
    await eventually(statusOf(orderId, 'CANCELLED'));
    await put(requested(orderId, correlationId));
    // A later request's charge would show in the ledger; a control order sent after it is charged first.
    const control = `order-${randomUUID()}`;
    await put(requested(control, correlationId));
    await eventually(statusOf(control, 'CHARGED'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await ledger(orderId)).toBeUndefined();
    expect((await repository().get(orderId))?.status).toBe('CANCELLED');
  });

  it('a declining token is recorded DECLINED and takes nothing; its cancellation refunds nothing', async () => {
    const orderId = `order-${randomUUID()}`;
    const correlationId = `payments-${randomUUID()}`;
    await put(requested(orderId, correlationId, 'pm_card_declined'));
    expect(await eventually(statusOf(orderId, 'DECLINED'))).toMatchObject({ reason: 'CARD_DECLINED' });
    await put(cancelled(orderId, correlationId));
    await eventually(async () => (await spanNames(correlationId)).some((name) => /PutEvents.*PaymentDeclined/.test(name)) || undefined);
    expect(await ledger(orderId)).toMatchObject({ charges: 0 });
  });

  describe('its roles, as the local stack enforces them', () => {
    const as = (name: string) => ({ accessKeyId: `ecommerce-${stage()}-${name}`, secretAccessKey: 'any' });
    const denied = async (call: () => Promise<unknown>) => {
      try {
        await call();
        return undefined;
      } catch (error) {
        return (error as Error).name;
      }
    };
    const getItem = (name: string, table: string, pk: string, sk: string) =>
      new DynamoDBClient({ credentials: as(name), maxAttempts: 1 }).send(
        new GetItemCommand({ TableName: table, Key: { pk: { S: pk }, sk: { S: sk } } }),
      );
    const putEvent = (name: string, source: string, detailType: string) =>
      new EventBridgeClient({ credentials: as(name), maxAttempts: 1 }).send(
        new PutEventsCommand({ Entries: [{ EventBusName: `ecommerce-${stage()}`, Source: source, DetailType: detailType, Detail: '{}' }] }),
      );

    it('processPayments reads payment records, and neither the simulator’s ledger nor another context’s table', async () => {
      expect(await denied(() => getItem('processPayments', paymentsTable(), 'PAYMENT#x', 'PAYMENT'))).toBeUndefined();
      expect(await denied(() => getItem('processPayments', paymentsTable(), 'PROVIDER#x', 'PROVIDER'))).toBe('AccessDeniedException');
      expect(await denied(() => getItem('processPayments', `ecommerce-${stage()}-orders`, 'ORDER#x', 'ORDER'))).toBe(
        'AccessDeniedException',
      );
    });

    it('processPayments puts no events; publishPaymentEvents only the payments context’s answers, as ecommerce.payments', async () => {
      expect(await denied(() => putEvent('processPayments', 'ecommerce.payments', 'PaymentSucceeded'))).toBe('AccessDeniedException');
      expect(await denied(() => putEvent('publishPaymentEvents', 'ecommerce.orders', 'PaymentRequested'))).toBe('AccessDeniedException');
      expect(await denied(() => putEvent('publishPaymentEvents', 'ecommerce.payments', 'OrderPaid'))).toBe('AccessDeniedException');
      expect(await denied(() => getItem('publishPaymentEvents', paymentsTable(), 'PAYMENT#x', 'PAYMENT'))).toBe('AccessDeniedException');
    });
  });

  describe('an event from a source that does not own it', () => {
    it('is not routed: the rule takes PaymentRequested from ecommerce.orders only', async () => {
      const orderId = `order-${randomUUID()}`;
      const forged = { ...requested(orderId, 'forged'), source: 'ecommerce.users' };
      await put(forged);
      const control = `order-${randomUUID()}`;
      await put(requested(control, 'control'));
      await eventually(statusOf(control, 'CHARGED'));
      expect(await repository().get(orderId)).toBeUndefined();
    });
  });
});
