/**
 * Local-only helpers for the saga suites: the stack's tables and queues (read and written with the
 * real SDK against the emulators), the event bus, and functions invoked through serverless-offline's
 * Lambda port. Nothing here is a mock.
 */
import { randomUUID } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { USER_ORDERS_INDEX, orderItemOf, orderKey } from '../../functions/orders/adapters/dynamodb-order-repository.js';
import type { Order } from '../../functions/orders/domain/order.js';
import type { OutgoingEvent } from '../../functions/shared/events/contracts.js';

/** Resource names of a stage (no vitest import here: the bench uses these helpers too). */
export const names = (stageName = process.env.LOCAL_STAGE ?? 'local') => ({
  ordersTable: `ecommerce-${stageName}-orders`,
  catalogsTable: `ecommerce-${stageName}-catalogs`,
  catalogsLedgerTable: `ecommerce-${stageName}-catalogs-ledger`,
  bus: `ecommerce-${stageName}`,
  catalogsInbox: `ecommerce-${stageName}-catalogs-inbox`,
  catalogsDlq: `ecommerce-${stageName}-catalogs-inbox-dlq`,
  ordersInbox: `ecommerce-${stageName}-orders-inbox`,
  ordersDlq: `ecommerce-${stageName}-orders-inbox-dlq`,
  fn: (name: string) => `ecommerce-${stageName}-${name}`,
});

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An event as an EventBridge rule delivers it to an SQS target: the message body the saga's consumers read. */
export const busEventBody = (event: { source: string; detailType: string; detail: unknown }) =>
  JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': event.detailType,
    source: event.source,
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: event.detail,
  });

/** A product of the test's own (unique id), so suites never share stock. */
export async function createProduct(
  doc: DynamoDBDocumentClient,
  table: string,
  product: { productId: string; stock: number; unitPrice: number },
) {
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: {
        pk: `PRODUCT#${product.productId}`,
        sk: 'PRODUCT',
        entity: 'PRODUCT',
        productName: `Test ${product.productId}`,
        createdAt: new Date().toISOString(),
        ...product,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function stockOf(doc: DynamoDBDocumentClient, table: string, productId: string): Promise<number | undefined> {
  const { Item } = await doc.send(
    new GetCommand({ TableName: table, Key: { pk: `PRODUCT#${productId}`, sk: 'PRODUCT' }, ConsistentRead: true }),
  );
  return Item?.stock as number | undefined;
}

export async function reservationOf(doc: DynamoDBDocumentClient, table: string, orderId: string) {
  const { Item } = await doc.send(
    new GetCommand({ TableName: table, Key: { pk: `RESERVATION#${orderId}`, sk: 'RESERVATION' }, ConsistentRead: true }),
  );
  return Item;
}

/** The stored order item (all attributes, bookkeeping included). */
export async function orderItem(doc: DynamoDBDocumentClient, table: string, orderId: string) {
  const { Item } = await doc.send(new GetCommand({ TableName: table, Key: orderKey(orderId), ConsistentRead: true }));
  return Item;
}

/** Stores an order exactly as placeOrder does (no idempotency key): one item, nothing published. */
export async function storeOrder(doc: DynamoDBDocumentClient, table: string, order: Order) {
  await doc.send(new PutCommand({ TableName: table, Item: orderItemOf(order), ConditionExpression: 'attribute_not_exists(pk)' }));
}

/**
 * An order the orders context has already closed (REJECTED), for tests that put another context's events for an order
 * of their own on the bus: the answers those events cause reach settleOrders, which ignores answers for a closed order
 * but fails (to its DLQ, after 3 receives) on answers for an order it never stored, keeping the orders inbox busy for
 * the suites that follow.
 */
export async function storeClosedOrder(
  doc: DynamoDBDocumentClient,
  table: string,
  { orderId, productId = 'CATALOG-001', qty = 1 }: { orderId: string; productId?: string; qty?: number },
) {
  const at = new Date().toISOString();
  await storeOrder(doc, table, {
    orderId,
    userId: `closed-${orderId}`,
    productId,
    qty,
    status: 'REJECTED',
    reason: 'OUT_OF_STOCK',
    createdAt: at,
    settledAt: at,
    correlationId: `closed-${orderId}`,
  });
}

export async function ordersOfUser(doc: DynamoDBDocumentClient, table: string, userId: string) {
  const items: Array<Record<string, any>> = [];
  let start: Record<string, any> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: USER_ORDERS_INDEX,
        KeyConditionExpression: 'gsi1pk = :user',
        ExpressionAttributeValues: { ':user': `USER#${userId}` },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Polls until every order of the list is settled; returns them. Bounded: fails after `timeoutMs`. */
export async function waitUntilSettled(
  read: (orderId: string) => Promise<Record<string, any> | undefined>,
  orderIds: string[],
  { timeoutMs = 60_000, intervalMs = 100 } = {},
): Promise<Map<string, Record<string, any>>> {
  const settled = new Map<string, Record<string, any>>();
  const deadline = Date.now() + timeoutMs;
  while (settled.size < orderIds.length) {
    for (const orderId of orderIds) {
      if (settled.has(orderId)) continue;
      const order = await read(orderId);
      if (order && order.status !== 'PENDING') settled.set(orderId, order);
    }
    if (settled.size === orderIds.length) break;
    if (Date.now() > deadline) throw new Error(`${orderIds.length - settled.size} of ${orderIds.length} orders still PENDING`);
    await sleep(intervalMs);
  }
  return settled;
}

/** Visible + in flight (the emulator may count an in-flight message in both). */
export async function queueDepth(sqs: SQSClient, url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** Waits until the queues are empty, in order (an earlier queue's consumer feeds the later ones). */
export async function waitUntilDrained(sqs: SQSClient, urls: string[], { timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (const url of urls) {
    let quietRounds = 0;
    while (quietRounds < 3) {
      quietRounds = (await queueDepth(sqs, url)) === 0 ? quietRounds + 1 : 0;
      if (Date.now() > deadline) throw new Error(`queue ${url} did not drain`);
      await sleep(50);
    }
  }
}

/** Puts contract events on the stage's bus, as a producer would. */
export async function putOnBus(client: EventBridgeClient, bus: string, events: OutgoingEvent[]) {
  const result = await client.send(
    new PutEventsCommand({
      Entries: events.map((event) => ({
        EventBusName: bus,
        Source: event.source,
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
      })),
    }),
  );
  if (result.FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(result.Entries)}`);
}

/** Invokes a function through serverless-offline's Lambda port (what `aws lambda invoke` does on AWS). */
export async function invokeFunction<T = any>(
  functionName: string,
  payload: unknown,
  endpoint = process.env.LOCAL_LAMBDA_ENDPOINT,
): Promise<T> {
  const lambda = new LambdaClient({ endpoint, maxAttempts: 1 });
  try {
    const response = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(payload)) }));
    const text = Buffer.from(response.Payload ?? new Uint8Array()).toString('utf8');
    if (response.FunctionError) throw new Error(`${functionName} failed: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  } finally {
    lambda.destroy();
  }
}

/** The saga's event-driven functions (their pollers invoke one batch at a time). */
export const SAGA_FUNCTIONS = ['publishOrderEvents', 'reserveStock', 'settleOrders'] as const;

/**
 * Starts each function's worker with an empty batch, so that cold starts (seconds on a busy machine)
 * happen before a test's load, not inside it.
 */
export async function warmUp(functionNames: readonly string[], endpoint?: string) {
  // The sweeper refuses an input it does not know; listing one stuck order changes nothing.
  for (const name of functionNames)
    await invokeFunction(name, name.endsWith('-sweepPendingOrders') ? { stuck: 'list', limit: 1 } : { Records: [] }, endpoint);
}
