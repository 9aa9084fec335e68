/**
 * The orders saga's safety net under a stack of its own, with its schedules on: nothing here invokes the sweeper.
 *
 * 1. An order whose OrderPlaced went to the dead-letter queue (the catalog could not answer it) is re-announced by
 *    the scheduled sweeper, once the catalog can answer, and settles.
 * 2. Messages that keep failing land in their DLQs after maxReceiveCount while their batch-mates are processed,
 *    and the redrive command moves them back (here because this stack receives a message twice, 2 s apart:
 *    the shared test stack's 3 receives 12 s apart made this one test 40 s).
 * 3. The local stack stopped mid-saga and started again: every stored order settles, none is oversold. What a stop
 *    loses is what the local stack keeps in memory: queued messages (the SQS emulator) and events in flight on
 *    the local bus. What survives is what AWS keeps durably too: the tables and the stream position
 *    (checkpoints). After the restart the stream resumes from its checkpoint, and the sweeper re-announces the
 *    orders whose messages were lost; the consumers' idempotency makes every repeat harmless.
 *
 * The stack's stage params shorten what AWS would take minutes over: the sweeper fires every 2 s (a local-only
 * rate) for orders PENDING over 3 s, and a saga message is received twice, 2 s apart, before the DLQ takes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, startLocalStack, type RunningStack } from '../../local/stack.js';
import { orderEvent } from '../../functions/orders/domain/order-events.js';
import { newOrderId } from '../../functions/orders/domain/order-id.js';
import type { Order } from '../../functions/orders/domain/order.js';
import { buildEvent } from '../../functions/shared/events/contracts.js';
import { redrive } from '../../scripts/redrive-dlq.js';
import { describeLocal } from '../support/env.js';
import { TEST_ESBUILD_FOLDER, TEST_PORTS } from '../support/ports.js';
import {
  SAGA_FUNCTIONS,
  busEventBody,
  createProduct,
  names,
  orderItem,
  ordersOfUser,
  queueDepth,
  reservationOf,
  sleep,
  stockOf,
  storeOrder,
  waitUntilDrained,
  waitUntilSettled,
  warmUp,
} from './saga-helpers.js';

const PORTS = Object.fromEntries(Object.entries(TEST_PORTS).map(([name, port]) => [name, port + 5])) as typeof TEST_PORTS;
const SAFETY_NET_PARAMS = [
  'sweepRate=rate(2 seconds)',
  'sweepOlderThanSeconds=3',
  'sweepMaxBackoffSeconds=6',
  'sagaQueueVisibilityTimeout=2',
  'sagaMaxReceiveCount=2',
];

async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

describeLocal('orders saga safety net: the scheduled sweeper, and a stop and restart of the local stack', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'orders-restart-'));
  const verbose = process.env.LOCAL_STACK_VERBOSE === '1';
  const start = () =>
    startLocalStack({
      dataDir,
      ports: PORTS,
      params: SAFETY_NET_PARAMS,
      esbuildFolder: TEST_ESBUILD_FOLDER,
      verbose,
      log: verbose ? (m) => console.log(`[restart stack] ${m}`) : () => undefined,
    });
  const client = (s: RunningStack) =>
    DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: s.endpoints.dynamodb, region: 'us-east-1', credentials: LOCAL_CREDENTIALS }),
    );
  const n = names('local');
  let stack: RunningStack | undefined;

  beforeAll(async () => {
    stack = await start();
    await warmUp(
      [...SAGA_FUNCTIONS, 'sweepPendingOrders'].map((name) => n.fn(name)),
      stack.endpoints.lambda,
    );
  }, 300_000);
  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function signUp(base: string, prefix: string) {
    const email = `${prefix}-${randomUUID()}@example.com`;
    expect((await call(base, 'POST', '/users', { email, name: 'Restart', pwd: 'restart-password' })).status).toBe(201);
    return (await call(base, 'POST', '/login', { email, password: 'restart-password' })).body as { userId: string; token: string };
  }

  it('an order whose message went to the DLQ is re-announced by the scheduled sweeper and settles', async () => {
    const running = stack as RunningStack;
    const doc = client(running);
    // A catalog entry the catalog cannot answer for (its stock is not a number): each attempt fails, the DLQ takes the message.
    const productId = `SWEEP-${randomUUID().slice(0, 8)}`;
    await createProduct(doc, n.catalogsTable, { productId, stock: 5, unitPrice: 700 });
    const setStock = (stock: unknown) =>
      doc.send(
        new UpdateCommand({
          TableName: n.catalogsTable,
          Key: { pk: `PRODUCT#${productId}`, sk: 'PRODUCT' },
          UpdateExpression: 'SET stock = :s',
          ExpressionAttributeValues: { ':s': stock },
        }),
      );
    await setStock('five');
    const { userId, token } = await signUp(running.baseUrl, 'sweep');
    const placed = await call(running.baseUrl, 'POST', `/users/${userId}/orders`, { productId, qty: 1 }, token);
    expect(placed.status).toBe(201);
    const orderId = placed.body.orderId as string;

    // Announced by the sweeper at least once while the catalog still cannot answer: still PENDING.
    let item: Record<string, any> | undefined;
    for (let i = 0; i < 300 && !((item?.announcements ?? 0) >= 1); i++) {
      await sleep(200);
      item = await orderItem(doc, n.ordersTable, orderId);
    }
    expect(item).toMatchObject({ status: 'PENDING' });
    expect(item?.announcements).toBeGreaterThanOrEqual(1);

    // The catalog can answer again: the next scheduled sweep brings the order back, and it settles.
    await setStock(5);
    for (let i = 0; i < 300 && item?.status === 'PENDING'; i++) {
      await sleep(200);
      item = await orderItem(doc, n.ordersTable, orderId);
    }
    expect(item).toMatchObject({ status: 'CONFIRMED', unitPrice: 700 });
    expect(await stockOf(doc, n.catalogsTable, productId)).toBe(4);
  }, 120_000);

  it('a message that keeps failing lands in its DLQ after maxReceiveCount while the rest is processed; redrive moves it back', async () => {
    const running = stack as RunningStack;
    const doc = client(running);
    const sqs = new SQSClient({ endpoint: running.endpoints.sqs, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
    const queueUrl = (name: string) => running.queueUrls.get(name) as string;
    try {
      const productId = `POISON-${randomUUID().slice(0, 8)}`;
      await createProduct(doc, n.catalogsTable, { productId, stock: 20, unitPrice: 30 });
      // Batch-mates of the poison: OrderPlaced for three orders the orders table does not have (yet).
      const mates = Array.from({ length: 3 }, (): Order => ({
        orderId: newOrderId(),
        userId: `poison-buyer-${randomUUID()}`,
        productId,
        qty: 1,
        status: 'PENDING',
        createdAt: new Date().toISOString(),
        correlationId: 'poison',
      }));
      const poisonContract = buildEvent(
        'OrderPlaced',
        { orderId: newOrderId(), userId: 'u', productId, qty: 1 },
        { eventId: 'e', correlationId: 'c', occurredAt: new Date().toISOString() },
      );
      (poisonContract.detail.data as { qty: number }).qty = 0;
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl(n.catalogsInbox),
          Entries: [
            { Id: 'p1', MessageBody: '{"this is": not json' },
            { Id: 'p2', MessageBody: busEventBody(poisonContract) },
            ...mates.map((order, i) => ({ Id: `m${i}`, MessageBody: busEventBody(orderEvent(order)) })),
          ],
        }),
      );

      // The batch-mates are processed at once: stock reserved for each, their answers sent on.
      const eventually = async (condition: () => Promise<boolean>, what: string) => {
        for (let i = 0; i < 150 && !(await condition()); i++) await sleep(200);
        expect(await condition(), what).toBe(true);
      };
      await eventually(
        async () => (await Promise.all(mates.map((m) => reservationOf(doc, n.catalogsLedgerTable, m.orderId)))).every(Boolean),
        'reserved',
      );
      expect(await stockOf(doc, n.catalogsTable, productId)).toBe(17);
      // An answer for an order the orders context does not know fails there too: three poison answers. After
      // maxReceiveCount (2 on this stack) receives each poison is in its queue's DLQ (the sweeper test's
      // message may be in the catalogs DLQ too).
      await eventually(
        async () => (await queueDepth(sqs, queueUrl(n.catalogsDlq))) >= 2 && (await queueDepth(sqs, queueUrl(n.ordersDlq))) >= 3,
        'in the DLQs',
      );
      await waitUntilDrained(sqs, [queueUrl(n.catalogsInbox), queueUrl(n.ordersInbox)]);
      expect(await stockOf(doc, n.catalogsTable, productId)).toBe(17);

      // The cause is fixed (the orders are stored; their outbox settles them), then the DLQ is redriven: the
      // answers are processed again (as duplicates now) and none returns to the DLQ.
      for (const order of mates) await storeOrder(doc, n.ordersTable, order);
      const settled = await waitUntilSettled(
        (orderId) => orderItem(doc, n.ordersTable, orderId),
        mates.map((m) => m.orderId),
      );
      for (const order of settled.values()) expect(order).toMatchObject({ status: 'CONFIRMED', unitPrice: 30, totalPrice: 30 });
      const ordersDlqBefore = await queueDepth(sqs, queueUrl(n.ordersDlq));
      const moved = await redrive(sqs, queueUrl(n.ordersDlq), queueUrl(n.ordersInbox), 1000);
      expect(moved).toBe(ordersDlqBefore);
      await waitUntilDrained(sqs, [queueUrl(n.ordersInbox)]);
      expect(await queueDepth(sqs, queueUrl(n.ordersDlq))).toBe(0);
      expect(await stockOf(doc, n.catalogsTable, productId)).toBe(17);
    } finally {
      sqs.destroy();
    }
  }, 120_000);

  it('every order stored before the stop settles after the restart; stock is taken once per confirmed order', async () => {
    const productId = `RESTART-${randomUUID().slice(0, 8)}`;
    let doc = client(stack as RunningStack);
    await createProduct(doc, n.catalogsTable, { productId, stock: 30, unitPrice: 990 });
    const { userId, token } = await signUp((stack as RunningStack).baseUrl, 'restart');

    // 40 orders for a stock of 30, ten requests in flight; the stack is stopped as soon as the last is stored.
    const base = (stack as RunningStack).baseUrl;
    let next = 0;
    const placed: string[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < 40) {
          next++;
          const res = await call(base, 'POST', `/users/${userId}/orders`, { productId, qty: 1 }, token);
          expect(res.status).toBe(201);
          placed.push(res.body.orderId as string);
        }
      }),
    );
    const pendingAtStop = (await ordersOfUser(doc, n.ordersTable, userId)).filter((o) => o.status === 'PENDING').length;
    await stack?.stop();
    stack = undefined;
    // Mid-saga indeed: some orders had not settled when the stack went down.
    expect(pendingAtStop).toBeGreaterThan(0);

    stack = await start();
    doc = client(stack);
    expect((await ordersOfUser(doc, n.ordersTable, userId)).map((o) => o.orderId).sort()).toEqual([...placed].sort());
    await warmUp(
      SAGA_FUNCTIONS.map((name) => n.fn(name)),
      stack.endpoints.lambda,
    );
    // The resumed stream settles some; the scheduled sweeper brings back those whose messages were lost.
    let orders: Array<Record<string, any>> = [];
    for (let i = 0; i < 300; i++) {
      orders = await ordersOfUser(doc, n.ordersTable, userId);
      if (orders.every((o) => o.status !== 'PENDING')) break;
      await sleep(200);
    }
    console.log(
      `[restart] ${placed.length} orders; PENDING at the stop: ${pendingAtStop}; ` +
        `re-announced by the sweeper: ${orders.filter((o) => (o.announcements ?? 0) > 0).length}`,
    );
    expect(orders.filter((o) => o.status === 'PENDING')).toEqual([]);
    const confirmed = orders.filter((o) => o.status === 'CONFIRMED');
    expect(confirmed).toHaveLength(30);
    expect(orders.filter((o) => o.status === 'REJECTED' && o.reason === 'OUT_OF_STOCK')).toHaveLength(10);
    for (const order of confirmed) expect(order).toMatchObject({ unitPrice: 990, totalPrice: 990 });
    expect(await stockOf(doc, n.catalogsTable, productId)).toBe(0);
    for (const order of orders) {
      expect((await reservationOf(doc, n.catalogsLedgerTable, order.orderId as string))?.status).toBe(
        order.status === 'CONFIRMED' ? 'RESERVED' : 'REJECTED',
      );
    }
  }, 420_000);
});
