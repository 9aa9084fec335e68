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
 *    orders whose messages were lost. The consumers' idempotency would hide a replay from the stream's start, and
 *    the sweeper a late start, so the test sets up what shows either: orders behind the checkpoint whose answers
 *    the catalog forgot (a record of theirs relayed again would be answered anew), and orders written while the
 *    stack was down, dated ahead so the sweeper never touches them (only the resumed stream can settle them).
 *
 * The stack's stage params shorten what AWS would take minutes over: the sweeper fires every 2 s (a local-only
 * rate) for orders PENDING over 3 s, and a saga message is received twice, 2 s apart, before the DLQ takes it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDynamoDbLocal } from '../../local/dynamodb-local.js';
import { stopProcess, waitFor } from '../../local/processes.js';
import { LOCAL_CREDENTIALS, startLocalStack, type RunningStack } from '../../local/stack.js';
import { orderKey } from '../../functions/orders/adapters/dynamodb-order-repository.js';
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
  // The stock saga is what this suite restarts: confirmed orders stay CONFIRMED throughout (the lifecycle's own
  // restart suite charges and cancels them).
  'paymentGraceSeconds=900',
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

  const setStock = (doc: DynamoDBDocumentClient, productId: string, stock: unknown) =>
    doc.send(
      new UpdateCommand({
        TableName: n.catalogsTable,
        Key: { pk: `PRODUCT#${productId}`, sk: 'PRODUCT' },
        UpdateExpression: 'SET stock = :s',
        ExpressionAttributeValues: { ':s': stock },
      }),
    );

  /** A record of the orders table's stream: where it is (`shardKey`: stream ARN and shard), and which item it is of. */
  interface StreamRecordAt {
    shardKey: string;
    sequenceNumber: bigint;
    eventName: string | undefined;
    pk: string | undefined;
  }

  /** The orders table's stream as it stands, every shard from its oldest record (only the given orders' records, if named). */
  async function streamRecordsOf(s: RunningStack, orderIds?: string[]): Promise<StreamRecordAt[]> {
    const options = { endpoint: s.endpoints.dynamodb, region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
    const dynamodb = new DynamoDBClient(options);
    const streams = new DynamoDBStreamsClient(options);
    const keys = orderIds && new Set(orderIds.map((orderId) => orderKey(orderId).pk));
    try {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: n.ordersTable }));
      const streamArn = Table?.LatestStreamArn as string;
      const records: StreamRecordAt[] = [];
      let startShard: string | undefined;
      do {
        const { StreamDescription } = await streams.send(
          new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: startShard }),
        );
        for (const shard of StreamDescription?.Shards ?? []) {
          const first = await streams.send(
            new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
          );
          let iterator = first.ShardIterator;
          while (iterator) {
            const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
            for (const record of page.Records ?? []) {
              const pk = record.dynamodb?.Keys?.pk?.S;
              if (keys && !keys.has(pk as string)) continue;
              records.push({
                shardKey: `${streamArn}|${shard.ShardId}`,
                sequenceNumber: BigInt(record.dynamodb?.SequenceNumber as string),
                eventName: record.eventName,
                pk,
              });
            }
            iterator = (page.Records ?? []).length === 0 ? undefined : page.NextShardIterator;
          }
        }
        startShard = StreamDescription?.LastEvaluatedShardId;
      } while (startShard);
      return records;
    } finally {
      dynamodb.destroy();
      streams.destroy();
    }
  }

  /** Where the stack keeps the stream readers' checkpoints (local/stack.ts): the relay's, by `shardKey`. */
  const checkpointFile = join(dataDir, 'stream-checkpoints-local.json');
  function relayCheckpoints(): Map<string, bigint> {
    if (!existsSync(checkpointFile)) return new Map();
    const saved = JSON.parse(readFileSync(checkpointFile, 'utf8')) as Record<string, string>;
    const suffix = `|${n.fn('publishOrderEvents')}`;
    return new Map(
      Object.entries(saved)
        .filter(([key]) => key.endsWith(suffix))
        .map(([key, sequenceNumber]) => [key.slice(0, -suffix.length), BigInt(sequenceNumber)]),
    );
  }

  /** Waits until the relay has checkpointed past every one of `records` (it handed them on, or discarded them). */
  async function untilRelayed(records: StreamRecordAt[]) {
    expect(records.length).toBeGreaterThan(0);
    let behind = records;
    // Bounded, and generous: a loaded 2-core machine has made the relay seconds late.
    for (let i = 0; i < 600 && behind.length > 0; i++) {
      if (i > 0) await sleep(100);
      let checkpoints: Map<string, bigint>;
      try {
        checkpoints = relayCheckpoints();
      } catch {
        continue; // read while the poller wrote it
      }
      behind = records.filter((record) => (checkpoints.get(record.shardKey) ?? -1n) < record.sequenceNumber);
    }
    expect(behind, 'stream records the relay has not checkpointed').toEqual([]);
  }

  /** Runs `work` on the stopped stack's tables: DynamoDB Local alone, on the stack's data, then stopped again. */
  async function whileStopped(work: (doc: DynamoDBDocumentClient) => Promise<void>) {
    const port = PORTS.dynamodb + 1; // the stack's own DynamoDB Local port, free while it is down
    const dynamoDb = startDynamoDbLocal({
      port,
      dataPath: join(dataDir, 'dynamodb'),
      onOutput: verbose ? (text) => console.log(`[DynamoDB Local alone] ${text.trim()}`) : () => undefined,
    });
    const raw = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
    try {
      await waitFor('DynamoDB Local', async () => !!(await raw.send(new ListTablesCommand({}))), 60_000, dynamoDb);
      await work(DynamoDBDocumentClient.from(raw));
    } finally {
      raw.destroy();
      await stopProcess(dynamoDb);
    }
  }

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
    await setStock(doc, productId, 'five');
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
    await setStock(doc, productId, 5);
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

  it('after a restart the stream resumes at its checkpoint: no record before it handed to the relay again, none after it lost; every order settles once', async () => {
    const { userId, token } = await signUp((stack as RunningStack).baseUrl, 'restart');
    let doc = client(stack as RunningStack);
    const sqs = new SQSClient({ endpoint: (stack as RunningStack).endpoints.sqs, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
    const tag = randomUUID().slice(0, 8);
    const product = async (name: string, stock: number, unitPrice: number) => {
      const productId = `${name}-${tag}`;
      await createProduct(doc, n.catalogsTable, { productId, stock, unitPrice });
      return productId;
    };
    const place = async (productId: string) => {
      const res = await call((stack as RunningStack).baseUrl, 'POST', `/users/${userId}/orders`, { productId, qty: 1 }, token);
      expect(res.status).toBe(201);
      return res.body.orderId as string;
    };
    const read = (orderId: string) => orderItem(doc, n.ordersTable, orderId);
    const queues = (s: RunningStack) => [n.catalogsInbox, n.ordersInbox].map((name) => s.queueUrls.get(name) as string);

    // Probes: three orders settled, their records behind the relay's checkpoint, no delivery of theirs in flight.
    // Then the catalog forgets its answers to them: an OrderPlaced of theirs relayed again would be answered
    // anew (stock taken, an answer recorded), where before it was a duplicate nobody could see.
    const probeProduct = await product('PROBE', 5, 100);
    const probes = [await place(probeProduct), await place(probeProduct), await place(probeProduct)];
    for (const order of (await waitUntilSettled(read, probes)).values()) expect(order).toMatchObject({ status: 'CONFIRMED' });
    await waitUntilDrained(sqs, queues(stack as RunningStack));
    await untilRelayed(await streamRecordsOf(stack as RunningStack, probes));
    for (const orderId of probes) {
      await doc.send(new DeleteCommand({ TableName: n.catalogsLedgerTable, Key: { pk: `RESERVATION#${orderId}`, sk: 'RESERVATION' } }));
    }

    // Lost: two orders whose OrderPlaced the relay has handed on (checkpointed), for a product the catalog cannot
    // answer for yet: their messages are in the queues when the stack stops, and a stop loses them.
    const lostProduct = await product('LOST', 5, 200);
    await setStock(doc, lostProduct, 'not a number');
    const lost = [await place(lostProduct), await place(lostProduct)];
    await untilRelayed((await streamRecordsOf(stack as RunningStack, lost)).filter((r) => r.eventName === 'INSERT'));

    // A burst: 40 orders for a stock of 30, ten requests in flight; the stack stops as soon as the last is stored,
    // wherever each order's saga stands.
    const burstProduct = await product('BURST', 30, 990);
    let next = 0;
    const burst: string[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < 40) {
          next++;
          burst.push(await place(burstProduct));
        }
      }),
    );
    const afterProduct = await product('AFTER', 3, 300);
    for (const orderId of lost) expect(await read(orderId)).toMatchObject({ status: 'PENDING' });
    sqs.destroy();
    await stack?.stop();
    stack = undefined;

    // While the stack is down (DynamoDB Local alone on its data): three orders stored, so their records are past
    // any checkpoint; created an hour ahead, so the sweeper leaves them alone throughout and only the stream can
    // settle them. And the catalog can answer for the lost orders' product again.
    const checkpointsAtStop = relayCheckpoints();
    expect(checkpointsAtStop.size).toBeGreaterThan(0);
    const after = Array.from({ length: 3 }, (): Order => {
      const createdAt = Date.now() + 3_600_000;
      return {
        orderId: newOrderId(Date.now()),
        userId,
        productId: afterProduct,
        qty: 1,
        status: 'PENDING',
        createdAt: new Date(createdAt).toISOString(),
        correlationId: `after-${tag}`,
      };
    });
    await whileStopped(async (offline) => {
      for (const order of after) await storeOrder(offline, n.ordersTable, order);
      await setStock(offline, lostProduct, 5);
    });

    stack = await start();
    doc = client(stack);
    const placed = [...probes, ...lost, ...burst, ...after.map((o) => o.orderId)];
    expect((await ordersOfUser(doc, n.ordersTable, userId)).map((o) => o.orderId).sort()).toEqual([...placed].sort());
    // The probes' records were all behind the checkpoint the stack stopped with (the stream keeps them still).
    const pastStop = (await streamRecordsOf(stack, probes)).filter((r) => r.sequenceNumber > (checkpointsAtStop.get(r.shardKey) ?? -1n));
    expect(pastStop, 'probe records past the checkpoint at the stop').toEqual([]);
    await warmUp(
      SAGA_FUNCTIONS.map((name) => n.fn(name)),
      stack.endpoints.lambda,
    );
    let orders: Array<Record<string, any>> = [];
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(200)) {
      orders = await ordersOfUser(doc, n.ordersTable, userId);
      if (orders.every((o) => o.status !== 'PENDING')) break;
    }
    const byId = new Map(orders.map((o) => [o.orderId as string, o]));
    const of = (ids: string[]) => ids.map((id) => byId.get(id) as Record<string, any>);
    expect(
      orders.filter((o) => o.status === 'PENDING').map((o) => o.orderId),
      'orders still PENDING',
    ).toEqual([]);

    // Nothing before the checkpoint came again: once the relay has handed on the whole stream and the queues are
    // empty, no probe has a new answer (a replayed OrderPlaced of theirs would have been answered anew).
    await untilRelayed(await streamRecordsOf(stack));
    const restarted = new SQSClient({ endpoint: stack.endpoints.sqs, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
    try {
      await waitUntilDrained(restarted, queues(stack));
    } finally {
      restarted.destroy();
    }
    for (const orderId of probes) {
      expect(await reservationOf(doc, n.catalogsLedgerTable, orderId), `a new answer for probe ${orderId}`).toBeUndefined();
    }
    expect(await stockOf(doc, n.catalogsTable, probeProduct)).toBe(2);
    for (const order of of(probes)) expect(order).toMatchObject({ status: 'CONFIRMED', unitPrice: 100 });
    // Never re-announced (the sweeper stamps lastAnnouncedAt; each step's fresh count does not).
    for (const order of of(probes)) expect(order).not.toHaveProperty('lastAnnouncedAt');

    // Nothing after it was lost: the orders written while the stack was down were handed to the relay by the
    // resumed stream (nothing else could: the sweeper left them alone).
    for (const order of of(after.map((o) => o.orderId))) expect(order).toMatchObject({ status: 'CONFIRMED', unitPrice: 300 });
    for (const order of of(after.map((o) => o.orderId))) expect(order).not.toHaveProperty('lastAnnouncedAt');
    // Lost with the queues (their records behind the checkpoint): brought back by the scheduled sweeper.
    for (const order of of(lost)) expect(order).toMatchObject({ status: 'CONFIRMED', unitPrice: 200 });
    expect(
      of(lost).filter((o) => o.lastAnnouncedAt === undefined),
      'each lost order re-announced by the sweeper',
    ).toEqual([]);
    // The burst: exactly the stock, wherever the stop caught each order.
    const confirmed = of(burst).filter((o) => o.status === 'CONFIRMED');
    expect(confirmed).toHaveLength(30);
    expect(of(burst).filter((o) => o.status === 'REJECTED' && o.reason === 'OUT_OF_STOCK')).toHaveLength(10);
    for (const order of confirmed) expect(order).toMatchObject({ unitPrice: 990, totalPrice: 990 });
    expect(await stockOf(doc, n.catalogsTable, burstProduct)).toBe(0);
    for (const order of of(burst)) {
      expect((await reservationOf(doc, n.catalogsLedgerTable, order.orderId as string))?.status).toBe(
        order.status === 'CONFIRMED' ? 'RESERVED' : 'REJECTED',
      );
    }
    console.log(
      `[restart] re-announced by the sweeper: ${orders.filter((o) => o.lastAnnouncedAt !== undefined).length} of ${orders.length} ` +
        `(lost ${lost.length}, burst ${of(burst).filter((o) => o.lastAnnouncedAt !== undefined).length})`,
    );
  }, 420_000);
});
