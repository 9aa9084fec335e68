/**
 * The order lifecycle survives a crash of the whole local stack: `npm start` (local/start.ts) runs as a user runs
 * it, orders go through their lifecycle (confirmed, charged after a short grace period, some declined, a third
 * cancelled at random moments), and in the middle of it every process of the stack is killed at once (SIGKILL:
 * `npm start` itself, with the SQS emulator and the local bus inside it, serverless offline and DynamoDB Local, each
 * in its process group). The stack starts again on the same data directory, and then:
 *
 * - every order reaches a final state: PAID, REJECTED, or CANCELLED with its compensations acknowledged (the stock
 *   released; a charge refunded);
 * - stock = initial - the qty of the orders CONFIRMED, PAID or SHIPPED, and it was never negative at any sample;
 * - each order was charged at most once and refunded at most once, only a charged order was refunded, a PAID order
 *   keeps its one charge and a cancelled one keeps none (the payment simulator's ledger: PROVIDER#<orderId>).
 *
 * What survives is what AWS keeps through a crash: the tables, the streams' checkpoints, and (npm start journals them,
 * local/sqs-journal.ts) the queued messages, delayed and in flight ones included. What is lost is what a crash on
 * AWS loses: invocations half done (their messages come again; the stream batches are read again from the
 * checkpoints) and the scheduled timers. The scheduled sweeper (every 2 s here, for orders overdue by 3 s) brings
 * back an order whose step did not happen in any non-final state: PENDING (OrderPlaced), CONFIRMED past its payment
 * due time (PaymentRequested), CANCELLED not yet compensated (OrderCancelled); the consumers' idempotency absorbs
 * what comes twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, expect, it } from 'vitest';
import { isFinal as isFinalOrder, type Order as DomainOrder } from '../../functions/orders/domain/order.js';
import { readSimulatorLedger } from '../../functions/payments/adapters/simulator-ledger.js';
import { DEFAULT_PORTS, LOCAL_CREDENTIALS } from '../../local/stack.js';
import { describeLocal } from '../support/env.js';
import { TEST_ESBUILD_FOLDER } from '../support/ports.js';
import { createProduct, names, ordersOfUser, sleep, stockOf } from './saga-helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** Beside the other suites' stacks (npm-start.test.ts takes +500). */
const OFFSET = 600 + Number(process.env.TEST_PORT_OFFSET ?? 0);
const HTTP_PORT = DEFAULT_PORTS.http + OFFSET;
const BASE = `http://127.0.0.1:${HTTP_PORT}`;
const ENDPOINTS = {
  dynamodb: `http://127.0.0.1:${DEFAULT_PORTS.dynamodb + OFFSET}`,
  sqs: `http://127.0.0.1:${DEFAULT_PORTS.sqs + OFFSET}`,
};
/** What AWS takes minutes over, in seconds: the grace period, and the sweeper's rate and patience. */
const PARAMS = [
  'paymentGraceSeconds=2',
  'sweepRate=rate(2 seconds)',
  'sweepOlderThanSeconds=3',
  'sweepMaxBackoffSeconds=6',
  'sagaQueueVisibilityTimeout=2',
];
const INITIAL_STOCK = 20;
const UNIT_PRICE = 250;

const n = names('local');
const paymentsTable = `ecommerce-local-payments`;
const DECLINING = ['pm_card_declined', 'pm_card_insufficient_funds'] as const;

interface Cli {
  child: ChildProcess;
  output: string[];
  ready: Promise<void>;
}

/** `npm start` in its own process group, on this suite's ports and data, with the stage params above. */
function startCli(dataDir: string): Cli {
  const args = ['--port-offset', String(OFFSET), '--data-dir', dataDir, '--esbuild-folder', TEST_ESBUILD_FOLDER];
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', ...args, ...PARAMS.flatMap((p) => ['--param', p])], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output: string[] = [];
  const ready = new Promise<void>((resolveReady, reject) => {
    child.stdout?.on('data', (data: Buffer) => {
      output.push(data.toString());
      if (output.join('').includes('Ready. Press Ctrl-C to stop.')) resolveReady();
    });
    child.stderr?.on('data', (data: Buffer) => output.push(data.toString()));
    child.once('exit', (code, signal) => reject(new Error(`npm start exited (${code ?? signal}):\n${output.join('').slice(-4000)}`)));
  });
  ready.catch(() => undefined); // awaited where it matters; a later exit is not an unhandled rejection
  return { child, output, ready };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * SIGKILL to every process of the stack at once: `npm start`'s group, and the groups of the children it recorded
 * in its data directory (serverless offline, DynamoDB Local), which a kill of `npm start` alone leaves running.
 */
async function crash(cli: Cli, dataDir: string): Promise<void> {
  const recorded = JSON.parse(readFileSync(join(dataDir, `processes-${HTTP_PORT}.json`), 'utf8')) as Array<{ what: string; pid: number }>;
  expect(recorded.map((entry) => entry.what)).toEqual(expect.arrayContaining(['DynamoDB Local', 'serverless offline']));
  const exited = new Promise((done) => cli.child.once('exit', done));
  for (const pid of [cli.child.pid as number, ...recorded.map((entry) => entry.pid)]) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  await exited;
  for (let i = 0; i < 100 && recorded.some((entry) => alive(entry.pid)); i++) await sleep(100);
  expect(recorded.filter((entry) => alive(entry.pid))).toEqual([]);
}

async function stopWithCtrlC(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGINT');
  await exited;
}

async function call(method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(`${BASE}${path}`, {
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

async function signUp(): Promise<{ userId: string; token: string }> {
  const email = `crash-${randomUUID()}@example.com`;
  expect((await call('POST', '/users', { email, name: 'Crash', pwd: 'crash-password' })).status).toBe(201);
  const login = await call('POST', '/login', { email, password: 'crash-password' });
  expect(login.status).toBe(200);
  return login.body as { userId: string; token: string };
}

type Order = Record<string, any>;

/** Final as the orders context judges it (the sweep leaves it): PAID, SHIPPED, REJECTED, or CANCELLED and compensated. */
const isFinal = (order: Order) => isFinalOrder(order as DomainOrder);

const HOLDS_STOCK = new Set(['CONFIRMED', 'PAID', 'SHIPPED']);

const countBy = (orders: Order[], key: (order: Order) => string) =>
  orders.reduce<Record<string, number>>((counts, order) => ({ ...counts, [key(order)]: (counts[key(order)] ?? 0) + 1 }), {});
const stateOf = (order: Order) =>
  order.status === 'CANCELLED' ? `CANCELLED ${order.reason}${isFinal(order) ? '' : ' (compensating)'}` : String(order.status);

const ORDER_FIELDS = [
  'status',
  'reason',
  'paymentMethod',
  'paymentDueAt',
  'paymentRequestedAt',
  'paidAt',
  'cancelledAt',
  'cancelledFrom',
  'stockReleasedAt',
  'refundedAt',
];
const pick = (item: Record<string, any> | undefined, fields: string[]) =>
  item && Object.fromEntries(fields.filter((field) => item[field] !== undefined).map((field) => [field, item[field]]));

const portIsFree = (port: number) =>
  new Promise<boolean>((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });

describeLocal('the order lifecycle across a crash of the whole local stack (SIGKILL, restart on the same data)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lifecycle-crash-'));
  const clis: Cli[] = [];
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: ENDPOINTS.dynamodb, region: 'us-east-1', credentials: LOCAL_CREDENTIALS }),
  );
  const sqs = new SQSClient({ endpoint: ENDPOINTS.sqs, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });

  afterAll(async () => {
    for (const cli of clis) await stopWithCtrlC(cli.child);
    doc.destroy();
    sqs.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    const cli = startCli(dataDir);
    clis.push(cli);
    await cli.ready;
    return cli;
  };

  /** Samples the product's stock until stopped (errors while the stack is down are skipped): the lowest seen. */
  function sampleStock(productId: string) {
    let running = true;
    let lowest = Infinity;
    let samples = 0;
    const loop = (async () => {
      while (running) {
        try {
          const stock = await stockOf(doc, n.catalogsTable, productId);
          if (typeof stock === 'number') {
            lowest = Math.min(lowest, stock);
            samples++;
          }
        } catch {
          // the stack is down
        }
        await sleep(100);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return { lowest, samples };
      },
    };
  }

  const itemOf = async (table: string, pk: string, sk: string) =>
    (await doc.send(new GetCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true }))).Item;

  /** The queues the stack delivers (not the DLQs): their messages, visible, in flight or delayed. */
  async function messagesInQueues(): Promise<number> {
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'ecommerce-local-' }));
    let total = 0;
    for (const url of QueueUrls.filter((u) => !u.endsWith('-dlq') && !u.endsWith('-failures'))) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      total += Object.values(Attributes).reduce((sum, value) => sum + Number(value), 0);
    }
    return total;
  }

  it('every order reaches a final state; stock, charges and refunds add up', async () => {
    let cli = await start();
    const productId = `CRASH-${randomUUID().slice(0, 8)}`;
    await createProduct(doc, n.catalogsTable, { productId, stock: INITIAL_STOCK, unitPrice: UNIT_PRICE });
    const users = [await signUp(), await signUp(), await signUp()];
    const sampler = sampleStock(productId);

    // Orders from three buyers, four requests in flight: one in three declines (the simulator's tokens), and one in
    // three is cancelled at a random moment (at once, within its grace period, or once it may be PAID).
    const cancelTimers = new Set<NodeJS.Timeout>();
    const cancels: Array<Promise<unknown>> = [];
    const cancelLater = (user: { userId: string; token: string }, orderId: string, ms: number) => {
      const timer = setTimeout(() => {
        cancelTimers.delete(timer);
        cancels.push(call('POST', `/users/${user.userId}/orders/${orderId}/cancel`, undefined, user.token).catch(() => undefined));
      }, ms);
      cancelTimers.add(timer);
    };
    let placedCount = 0;
    const place = async (index: number, cancelWithinMs?: number) => {
      const user = users[index % users.length] as { userId: string; token: string };
      const paymentMethod = index % 3 === 1 ? DECLINING[index % 2] : undefined;
      const res = await call(
        'POST',
        `/users/${user.userId}/orders`,
        { productId, qty: 1 + (index % 2), ...(paymentMethod ? { paymentMethod } : {}) },
        user.token,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      placedCount++;
      if (cancelWithinMs !== undefined) cancelLater(user, res.body.orderId as string, Math.floor(Math.random() * cancelWithinMs));
    };
    const burst = async (from: number, count: number, cancelWithinMs: number) => {
      let next = from;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < from + count) {
            const index = next++;
            await place(index, index % 3 === 2 ? cancelWithinMs : undefined);
          }
        }),
      );
    };
    await burst(0, 18, 5_000);

    // Mid-lifecycle: some orders are paid and some cancelled; a second burst is placed and the stack is killed as soon
    // as its last order is stored, while cancels are still being sent.
    const allOrders = async () => (await Promise.all(users.map((u) => ordersOfUser(doc, n.ordersTable, u.userId)))).flat();
    let before: Order[] = [];
    for (let i = 0; i < 600; i++) {
      before = await allOrders();
      if (before.some((o) => o.status === 'PAID') && before.some((o) => o.status === 'CANCELLED')) break;
      await sleep(100);
    }
    expect(countBy(before, (o) => o.status)).toMatchObject({ PAID: expect.any(Number), CANCELLED: expect.any(Number) });
    await burst(18, 8, 1_000);
    const atCrash = await allOrders();
    await crash(cli, dataDir);
    for (const timer of cancelTimers) clearTimeout(timer);
    await Promise.all(cancels);
    expect(atCrash).toHaveLength(placedCount);
    const unfinished = atCrash.filter((o) => !isFinal(o));
    expect(unfinished.length, 'orders not final when the stack was killed').toBeGreaterThan(0);

    cli = await start();
    const restored = /Restored (\d+) queued message/.exec(cli.output.join(''))?.[1] ?? '0';
    let orders: Order[] = [];
    for (const deadline = Date.now() + 180_000; Date.now() < deadline; await sleep(250)) {
      orders = await allOrders();
      if (orders.every(isFinal)) break;
    }
    expect(
      orders.filter((o) => !isFinal(o)).map((o) => `${o.orderId} ${stateOf(o)}`),
      'orders not final after the restart',
    ).toEqual([]);
    // Final orders stay final; what is still in the queues (a late duplicate) changes nothing: wait it out.
    for (let quiet = 0, i = 0; quiet < 3 && i < 300; i++) {
      quiet = (await messagesInQueues()) === 0 ? quiet + 1 : 0;
      await sleep(100);
    }
    orders = await allOrders();
    const { lowest, samples } = await sampler.stop();
    const held = orders.filter((o) => HOLDS_STOCK.has(o.status)).reduce((sum, o) => sum + (o.qty as number), 0);
    console.log(
      `[lifecycle crash] ${placedCount} orders; when killed: ${JSON.stringify(countBy(atCrash, stateOf))}; ` +
        `after the restart: ${JSON.stringify(countBy(orders, stateOf))}; stock ${INITIAL_STOCK} -> ${INITIAL_STOCK - held} ` +
        `(lowest sample ${lowest} of ${samples}); ${restored} queued message(s) restored at the restart`,
    );
    expect(orders).toHaveLength(placedCount);
    expect(orders.filter((o) => !isFinal(o))).toEqual([]);
    expect(await stockOf(doc, n.catalogsTable, productId)).toBe(INITIAL_STOCK - held);
    expect(lowest, `the lowest of ${samples} stock samples`).toBeGreaterThanOrEqual(0);

    // Money, order by order; every breach is listed with what each context recorded of the order.
    const breaches: string[] = [];
    for (const order of orders) {
      const orderId = order.orderId as string;
      const ledger = await readSimulatorLedger(doc, paymentsTable, orderId);
      const reservation = await itemOf(n.catalogsLedgerTable, `RESERVATION#${orderId}`, 'RESERVATION');
      const charges = ledger?.charges ?? 0;
      const refunds = ledger?.refunds ?? 0;
      const problems = [
        charges > 1 && 'charged more than once',
        refunds > charges && 'refunded more than charged',
        // The money kept: one charge for an order paid, none for any other.
        charges - refunds !== (order.status === 'PAID' || order.status === 'SHIPPED' ? 1 : 0) && `keeps ${charges - refunds} charge(s)`,
        order.status === 'PAID' &&
          (order.paidAt === undefined || order.totalPrice !== order.qty * UNIT_PRICE) &&
          'PAID without paidAt or the price',
        order.status === 'PAID' && DECLINING.includes(order.paymentMethod) && 'PAID with a declining token',
        order.refundedAt !== undefined && refunds !== 1 && 'refundedAt without a refund',
        // A paid order's stock is reserved in the catalog's ledger.
        order.status === 'PAID' && reservation?.status !== 'RESERVED' && 'PAID without a reservation',
      ].filter(Boolean);
      if (problems.length === 0) continue;
      const payment = await itemOf(paymentsTable, `PAYMENT#${orderId}`, 'PAYMENT');
      breaches.push(
        `${orderId} ${problems.join(', ')}: order ${JSON.stringify(pick(order, ORDER_FIELDS))}; ` +
          `payment ${JSON.stringify(pick(payment, ['status', 'requestedAt', 'chargedAt', 'refundedAt', 'cancelledAt', 'announcements']))}; ` +
          `ledger ${JSON.stringify(pick(ledger, ['outcome', 'chargeRequests', 'charges', 'refundRequests', 'refunds']))}; ` +
          `reservation ${JSON.stringify(pick(reservation, ['status', 'releasedAt']))}; when killed ${stateOf(atCrash.find((o) => o.orderId === orderId) ?? {})}`,
      );
    }
    expect(breaches).toEqual([]);

    await stopWithCtrlC(cli.child);
    expect(await portIsFree(HTTP_PORT)).toBe(true);
  }, 600_000);
});
