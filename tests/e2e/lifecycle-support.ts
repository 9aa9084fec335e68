// Helpers for the order lifecycle's end-to-end suites (tests/e2e/order-lifecycle.test.ts): the lifecycle's routes over
// HTTP (any base URL), and, for the local stack only, its tables and queues read and written with the real SDK, in
// either lane (the function-auth stack's workers are given only its base URL: its endpoints are found beside it).
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { reservationKey } from '../../functions/catalogs/adapters/dynamodb-catalog-repository.js';
import { orderKey } from '../../functions/orders/adapters/dynamodb-order-repository.js';
import { isFinal, type Order } from '../../functions/orders/domain/order.js';
import { providerLedgerKey } from '../../functions/payments/adapters/payment-simulator.js';
import { buildEvent, type EventData, type EventType } from '../../functions/shared/events/contracts.js';
import { busEventBody, sleep } from '../integration/saga-helpers.js';
import { stackClientConfig } from '../support/aws.js';
import { stage } from '../support/env.js';
import { api, type ApiResponse } from '../support/http.js';
import { getOrder, type Session } from './orders-support.js';

export type OrderView = Record<string, any>;

/** The stage's grace period (s) as the test stacks set it; a stage that says nothing has the default. */
export const paymentGraceSeconds = (): number => Number(process.env.E2E_PAYMENT_GRACE_SECONDS ?? 60);

/** Long enough for an order to be confirmed, charged after its grace period, and answered, on a busy 2-core machine. */
export const lifecycleTimeoutMs = (): number => paymentGraceSeconds() * 1000 + 30_000;

export const cancelOrder = (session: Session, orderId: string) =>
  api('POST', `/users/${session.userId}/orders/${orderId}/cancel`, { token: session.token });

export const shipOrder = (session: Session, orderId: string) => api('POST', `/orders/${orderId}/ship`, { token: session.token });

/** A product of the test's own, made by an admin over HTTP (so its stock is the test's alone). */
export async function newProduct(admin: Session, { stock, unitPrice }: { stock: number; unitPrice: number }): Promise<string> {
  const productId = `E2E-LIFE-${randomUUID().slice(0, 8)}`;
  const res = await api('POST', '/catalogs', { body: { productId, productName: 'Lifecycle', unitPrice, stock }, token: admin.token });
  if (res.status !== 201) throw new Error(`POST /catalogs -> ${res.status} ${res.text}`);
  return productId;
}

export async function stockOf(productId: string): Promise<number> {
  const res = await api('GET', `/catalogs/${productId}`);
  if (res.status !== 200) throw new Error(`GET /catalogs/${productId} -> ${res.status} ${res.text}`);
  return res.body.stock as number;
}

/** Polls a product's stock until `wanted` (bounded); returns the last value read, so the caller's assertion shows it. */
export async function stockWhenItIs(productId: string, wanted: number, { timeoutMs = 20_000, intervalMs = 100 } = {}): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stock = await stockOf(productId);
    if (stock === wanted || Date.now() > deadline) return stock;
    await sleep(intervalMs);
  }
}

/** Samples a product's stock until stopped: the lowest value seen, and how many samples. */
export function stockSampler(productId: string, intervalMs = 50) {
  let running = true;
  let lowest = Infinity;
  let samples = 0;
  const loop = (async () => {
    while (running) {
      lowest = Math.min(lowest, await stockOf(productId));
      samples++;
      await sleep(intervalMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { lowest, samples };
    },
  };
}

export interface Watched {
  order: OrderView;
  /** Every status a poll saw, in order of first sight. */
  seen: string[];
}

/** Polls GET order until `done` holds (bounded), remembering every status seen on the way. */
export async function watchOrder(
  session: Session,
  orderId: string,
  done: (order: OrderView) => boolean,
  { timeoutMs = lifecycleTimeoutMs(), intervalMs = 75, seen = [] as string[] } = {},
): Promise<Watched> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res: ApiResponse = await getOrder(session, orderId);
    if (res.status !== 200) throw new Error(`GET order ${orderId} -> ${res.status} ${res.text}`);
    const order = res.body as OrderView;
    if (!seen.includes(order.status)) seen.push(order.status);
    if (done(order)) return { order, seen };
    if (Date.now() > deadline)
      throw new Error(`order ${orderId} is ${JSON.stringify(order)} after ${timeoutMs} ms (seen: ${seen.join(' -> ')})`);
    await sleep(intervalMs);
  }
}

export const hasStatus =
  (...statuses: string[]) =>
  (order: OrderView) =>
    statuses.includes(order.status);

/** Final as the view shows it: PAID, SHIPPED, REJECTED, or CANCELLED with any charge refunded. (The stock's release is seen on the product.) */
export const finalInView = (order: OrderView) =>
  ['PAID', 'SHIPPED', 'REJECTED'].includes(order.status) || (order.status === 'CANCELLED' && (!order.paidAt || Boolean(order.refundedAt)));

// ---------------------------------------------------------------------------------------------------------
// The local stack's own resources (describeLocal suites only).

export const tableNames = () => ({
  orders: `ecommerce-${stage()}-orders`,
  catalogsLedger: `ecommerce-${stage()}-catalogs-ledger`,
  payments: `ecommerce-${stage()}-payments`,
});

/** The consumers' queues, by the function that reads each. */
export const QUEUES = {
  reserveStock: 'catalogs-inbox',
  settleOrders: 'orders-inbox',
  requestPayments: 'orders-payment-due',
  processPayments: 'payments-inbox',
} as const;

export class LocalStackAccess {
  readonly doc = DynamoDBDocumentClient.from(new DynamoDBClient(stackClientConfig('dynamodb')));
  readonly sqs = new SQSClient(stackClientConfig('sqs'));
  readonly lambda = new LambdaClient({ ...stackClientConfig('lambda'), maxAttempts: 1 });
  private readonly urls = new Map<string, string>();

  async queueUrl(queue: string): Promise<string> {
    const name = `ecommerce-${stage()}-${queue}`;
    let url = this.urls.get(name);
    if (!url) {
      url = (await this.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl as string;
      this.urls.set(name, url);
    }
    return url;
  }

  private async item(table: string, key: Record<string, string>) {
    const { Item } = await this.doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
    return Item;
  }

  /** The stored order, bookkeeping included (stockReleasedAt, paymentRequestedAt). */
  orderItem = (orderId: string) => this.item(tableNames().orders, orderKey(orderId));

  /** The catalog's record of the order: RESERVED, REJECTED, RELEASED, or a CANCELLED tombstone. */
  reservation = (orderId: string) => this.item(tableNames().catalogsLedger, reservationKey(orderId));

  /** The payment simulator's own ledger of what it did for the order (charges, refunds). */
  providerLedger = (orderId: string) => this.item(tableNames().payments, providerLedgerKey(orderId));

  /** Sends a contract event to a consumer's queue, as the bus rule would deliver it (a duplicate delivery, or one out of order). */
  async deliver<T extends EventType>(queue: string, type: T, data: EventData<T>, correlationId = 'e2e-lifecycle-injected') {
    const eventId = `${(data as { orderId: string }).orderId}:${type}`;
    const event = buildEvent(type, data, { eventId, correlationId, occurredAt: new Date().toISOString() });
    await this.sqs.send(new SendMessageCommand({ QueueUrl: await this.queueUrl(queue), MessageBody: busEventBody(event) }));
  }

  /**
   * Hands one event to a consumer at once, as its queue's poller would (one SQS record), and returns what it answered:
   * the delivery is over when this returns, whatever else its queue holds.
   */
  async deliverNow<T extends EventType>(functionName: string, type: T, data: EventData<T>, correlationId = 'e2e-lifecycle-injected') {
    const eventId = `${(data as { orderId: string }).orderId}:${type}`;
    const event = buildEvent(type, data, { eventId, correlationId, occurredAt: new Date().toISOString() });
    const messageId = randomUUID();
    const record = {
      messageId,
      receiptHandle: messageId,
      body: busEventBody(event),
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
      eventSource: 'aws:sqs',
    };
    const response = await this.lambda.send(
      new InvokeCommand({
        FunctionName: `ecommerce-${stage()}-${functionName}`,
        Payload: Buffer.from(JSON.stringify({ Records: [record] })),
      }),
    );
    const text = Buffer.from(response.Payload ?? new Uint8Array()).toString('utf8');
    if (response.FunctionError) throw new Error(`${functionName} failed: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as { batchItemFailures: Array<{ itemIdentifier: string }> } | undefined;
  }

  /** Visible, in flight and delayed (the payment-due queue holds each message for the grace period). */
  async depth(queue: string): Promise<number> {
    const counted = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
    const { Attributes = {} } = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: await this.queueUrl(queue), AttributeNames: [...counted] }),
    );
    return counted.reduce((sum, name) => sum + Number(Attributes[name] ?? 0), 0);
  }

  /** Waits until every consumer's queue has been empty for a few reads in a row (one feeds another). Bounded. */
  async drained({ timeoutMs = lifecycleTimeoutMs() } = {}): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let quiet = 0; quiet < 4;) {
      const depths = await Promise.all(Object.values(QUEUES).map((queue) => this.depth(queue)));
      quiet = depths.every((d) => d === 0) ? quiet + 1 : 0;
      if (Date.now() > deadline) throw new Error(`the consumers' queues did not drain in ${timeoutMs} ms: ${depths.join(', ')}`);
      await sleep(100);
    }
  }

  /** Polls the stored order until it is final, its compensations acknowledged (stock released; a charge refunded). Bounded. */
  async finalItem(orderId: string, { timeoutMs = lifecycleTimeoutMs() } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const item = await this.orderItem(orderId);
      if (item && finalItem(item)) return item;
      if (Date.now() > deadline) throw new Error(`order ${orderId} is not final after ${timeoutMs} ms: ${JSON.stringify(item)}`);
      await sleep(100);
    }
  }

  /** Polls the stored orders, one read at a time (a poll per order in parallel would load the stack under test), until all are final. */
  async finalItems(orderIds: string[], { timeoutMs = lifecycleTimeoutMs(), intervalMs = 250 } = {}) {
    const pending = new Set(orderIds);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const orderId of [...pending]) {
        const item = await this.orderItem(orderId);
        if (item && finalItem(item)) pending.delete(orderId);
      }
      if (pending.size === 0) return;
      if (Date.now() > deadline)
        throw new Error(`${pending.size} of ${orderIds.length} orders not final after ${timeoutMs} ms: ${[...pending].join(', ')}`);
      await sleep(intervalMs);
    }
  }

  destroy() {
    this.doc.destroy();
    this.sqs.destroy();
    this.lambda.destroy();
  }
}

/** Final as stored: nothing left to do or to compensate (the orders context's own judgement, the sweep's too). */
export const finalItem = (item: Record<string, any>) => isFinal(item as Order);
