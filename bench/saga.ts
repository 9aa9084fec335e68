/**
 * The orders saga, measured: how long an order stays PENDING (placed -> CONFIRMED/REJECTED), how many
 * orders per second the local stack settles when they keep coming, and whether any were lost or
 * oversold (both must be 0); then the whole lifecycle to PAID at grace 0 (measureLifecycle). Figures are
 * printed, never asserted. Bounded: fixed order counts.
 *
 *   npx tsx bench/saga.ts [--orders 600] [--concurrency 10,50] [--rate 0] [--latency-orders 60] [--warmup 300]
 *                         [--lifecycle-orders 300] [--lifecycle-latency-orders 30] [--lifecycle-concurrency 10]
 *                         [--only saga|lifecycle] [--port-offset N]
 *
 * By default the orders are placed as fast as `concurrency` requests in flight allow: what the stack can
 * settle at most, with latency then set by the queues that build up on a saturated machine. `--rate N`
 * places them at N orders/s (still at most `concurrency` in flight): the settle latency at that load.
 *
 * Each sustained phase (one per concurrency) also prints where the CPU went (local only): CPU ms per order
 * in each process of the stack, and how busy the machine's cores were, so that the wall is named.
 *
 * Without E2E_BASE_URL it starts its own local stack (in memory, its own ports) and reads the
 * settle times the orders table records (settledAt - createdAt, server clocks, no polling error).
 * With E2E_BASE_URL it only has HTTP: latency is then as a client polling GET sees it.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startLocalStack, type RunningStack } from '../local/stack.js';
import { SAGA_FUNCTIONS, createProduct, names, ordersOfUser, stockOf, warmUp } from '../tests/integration/saga-helpers.js';
import { ms, summarize } from './stats.js';
import { cpus } from 'node:os';
import { cpuSince, processLabel, processTreeCpu } from './process-cpu.js';

const BENCH_PORTS = { http: 3220, lambda: 3222, dynamodb: 8220, sqs: 9544, eventBridge: 4230 };
/** BENCH_PORTS moved by `offset` (--port-offset: beside another stack that uses these). */
const portsAt = (offset: number) =>
  Object.fromEntries(Object.entries(BENCH_PORTS).map(([name, port]) => [name, port + offset])) as typeof BENCH_PORTS;
/** The statuses of an order whose stock the catalog keeps. */
const KEPT_STATUSES = ['CONFIRMED', 'PAID', 'SHIPPED'];
/** The lifecycle's event-driven functions beyond the saga's (warmed before the lifecycle is measured). */
const LIFECYCLE_FUNCTIONS = ['requestPayments', 'processPayments', 'publishPaymentEvents'] as const;

/** The bench's own local stack, in memory, on BENCH_PORTS moved by `portOffset` (BENCH_VERBOSE=1 prints its output). */
function benchStack(portOffset: number, params: string[] = []): Promise<RunningStack> {
  const verbose = process.env.BENCH_VERBOSE === '1';
  return startLocalStack({
    inMemory: true,
    ports: portsAt(portOffset),
    params,
    verbose,
    log: verbose ? (m) => console.log(m) : () => undefined,
  });
}

export interface Session {
  userId: string;
  token: string;
}

export class Api {
  constructor(private readonly baseUrl: string) {}

  async call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
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

  async session(): Promise<Session> {
    const email = `bench-${randomUUID()}@example.com`;
    const pwd = `pw-${randomUUID()}`;
    const created = await this.call('POST', '/users', { email, name: 'Bench', pwd });
    if (created.status !== 201) throw new Error(`sign-up: ${created.status}`);
    const login = await this.call('POST', '/login', { email, password: pwd });
    if (login.status !== 200) throw new Error(`login: ${login.status}`);
    return { userId: login.body.userId, token: login.body.token };
  }

  /** The user's orders, newest first; with `since` (ISO time), paging stops at the first page reaching older ones. */
  async allOrders(session: Session, since?: string): Promise<Array<Record<string, any>>> {
    const items: Array<Record<string, any>> = [];
    let token: string | undefined;
    do {
      const page = await this.call(
        'GET',
        `/users/${session.userId}/orders?limit=100${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`,
        undefined,
        session.token,
      );
      if (page.status !== 200) throw new Error(`list orders: ${page.status}`);
      items.push(...page.body.items);
      token = page.body.nextToken;
      if (since !== undefined && String(page.body.items.at(-1)?.createdAt ?? '') < since) break;
    } while (token);
    return items;
  }
}

interface SettledItem {
  orderId: string;
  createdAt: string;
  settledAt: string;
}

interface Placed {
  orderId: string;
  session: Session;
  sentAt: number;
  acceptedAt: number;
}

/**
 * Places `total` orders with at most `concurrency` in flight, at `rate` orders/s when given (0: as fast as they
 * are answered); returns the accepted ones and the failures.
 */
async function place(api: Api, sessions: Session[], productId: string, total: number, concurrency: number, rate = 0) {
  const placed: Placed[] = [];
  const failures: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const index = next++;
        const session = sessions[index % sessions.length] as Session;
        const due = rate > 0 ? started + (index * 1000) / rate : 0;
        if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
        const sentAt = Date.now();
        const res = await api.call('POST', `/users/${session.userId}/orders`, { productId, qty: 1 }, session.token);
        if (res.status === 201) placed.push({ orderId: res.body.orderId, session, sentAt, acceptedAt: Date.now() });
        else failures.push(`${res.status}`);
      }
    }),
  );
  return { placed, failures, seconds: (performance.now() - started) / 1000 };
}

/** Polls until every placed order is settled or `boundMs` passes; records when each was first seen settled. */
async function awaitSettled(api: Api, placed: Placed[], boundMs: number, pollMs = 50) {
  const wanted = new Set(placed.map((p) => p.orderId));
  const seenSettled = new Map<string, { at: number; order: Record<string, any> }>();
  const bySession = new Map<Session, Placed[]>();
  for (const p of placed) bySession.set(p.session, [...(bySession.get(p.session) ?? []), p]);
  const deadline = Date.now() + boundMs;
  // Earlier phases' orders are older: not listed again (the polls are the bench's load, not the system's).
  const since = new Date(Math.min(...placed.map((p) => p.sentAt)) - 1000).toISOString();
  while (seenSettled.size < placed.length && Date.now() < deadline) {
    for (const session of bySession.keys()) {
      const now = Date.now();
      for (const order of await api.allOrders(session, since)) {
        if (wanted.has(order.orderId) && order.status !== 'PENDING' && !seenSettled.has(order.orderId))
          seenSettled.set(order.orderId, { at: now, order });
      }
    }
    if (seenSettled.size < placed.length) await new Promise((r) => setTimeout(r, pollMs));
  }
  return seenSettled;
}

export async function measureSaga(options: {
  orders: number;
  concurrencies: number[];
  rate?: number;
  latencyOrders: number;
  warmup: number;
  portOffset?: number;
}) {
  const remote = process.env.E2E_BASE_URL;
  const stack = remote ? undefined : await benchStack(options.portOffset ?? 0);
  try {
    const api = new Api(remote ?? (stack as RunningStack).baseUrl);
    let doc: DynamoDBDocumentClient | undefined;
    const n = names(stack?.stage ?? 'local');
    const productId = stack ? `BENCH-${randomUUID().slice(0, 8)}` : 'CATALOG-002';
    const stockAtStart = Math.floor(options.orders / 2);
    if (stack) {
      Object.assign(process.env, stack.env);
      doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
      await warmUp(
        SAGA_FUNCTIONS.map((name) => n.fn(name)),
        stack.endpoints.lambda,
      );
      await createProduct(doc, n.catalogsTable, { productId, stock: stockAtStart + options.latencyOrders + 20, unitPrice: 4200 });
    }
    const stockBefore = stack
      ? await stockOf(doc as DynamoDBDocumentClient, n.catalogsTable, productId)
      : (await api.call('GET', `/catalogs/${productId}`)).body.stock;
    const sessions = await Promise.all(Array.from({ length: 4 }, () => api.session()));

    // Warm the HTTP path, the saga's workers and DynamoDB Local's JIT (its first few hundred orders cost it
    // several times what later ones do: bench/dynamodb-local.ts), then one order at a time: the settle
    // latency of a quiet system.
    await awaitSettled(api, (await place(api, sessions, productId, options.warmup, Math.max(...options.concurrencies))).placed, 120_000);
    const settledItems: SettledItem[] = [];
    const quiet: Placed[] = [];
    const quietClient: number[] = [];
    for (let i = 0; i < options.latencyOrders; i++) {
      const one = await place(api, [sessions[0] as Session], productId, 1, 1);
      const settled = await awaitSettled(api, one.placed, 30_000);
      quiet.push(...one.placed);
      for (const p of one.placed) {
        const seen = settled.get(p.orderId);
        if (seen) quietClient.push(seen.at - p.sentAt);
      }
    }

    // Sustained: `orders` orders per phase, `concurrency` in flight, against a stock of half of them.
    const loads = [];
    for (const concurrency of options.concurrencies) {
      loads.push(await sustained(concurrency));
    }
    return {
      where: remote ?? `local stack (in memory) at ${(stack as RunningStack).baseUrl}`,
      stockBefore,
      quiet: { server: summarize(serverLatency(quiet.map((p) => p.orderId))), client: summarize(quietClient) },
      loads,
    };

    /** settledAt - createdAt of these orders, as the orders table records them (local only). */
    function serverLatency(orderIds: string[]) {
      const ids = new Set(orderIds);
      return settledItems.filter((item) => ids.has(item.orderId)).map((item) => Date.parse(item.settledAt) - Date.parse(item.createdAt));
    }

    async function sustained(concurrency: number) {
      if (stack) {
        const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
        await (doc as DynamoDBDocumentClient).send(
          new UpdateCommand({
            TableName: n.catalogsTable,
            Key: { pk: `PRODUCT#${productId}`, sk: 'PRODUCT' },
            UpdateExpression: 'SET stock = :s',
            ExpressionAttributeValues: { ':s': stockAtStart },
          }),
        );
      }
      const stockLoadStart = stack ? stockAtStart : (await api.call('GET', `/catalogs/${productId}`)).body.stock;
      let lowestStock = stockLoadStart;
      let sampling = true;
      const sampler = stack
        ? (async () => {
            while (sampling) {
              lowestStock = Math.min(lowestStock, (await stockOf(doc as DynamoDBDocumentClient, n.catalogsTable, productId)) ?? -Infinity);
              await new Promise((r) => setTimeout(r, 250)); // a light watch: each read costs DynamoDB Local too
            }
          })()
        : Promise.resolve();
      const cpuBefore = stack ? processTreeCpu() : [];
      const loadStarted = Date.now();
      const load = await place(api, sessions, productId, options.orders, concurrency, options.rate ?? 0);
      // Polled slowly: each poll lists every order through the API, load the figure should not include.
      const settledUnderLoad = await awaitSettled(api, load.placed, 120_000, 1000);
      const loadEnded = Math.max(...[...settledUnderLoad.values()].map((s) => s.at), Date.now() - 1);
      sampling = false;
      await sampler;
      const cpu = stack ? cpuSince(cpuBefore) : [];

      // Server-side settle times (local only): settledAt - createdAt as the orders table records them.
      let lastSettledAt = loadStarted;
      if (stack) {
        for (const session of sessions) {
          for (const item of await ordersOfUser(doc as DynamoDBDocumentClient, n.ordersTable, session.userId)) {
            if (item.settledAt && !settledItems.some((known) => known.orderId === item.orderId)) settledItems.push(item as SettledItem);
          }
        }
        const loadIds = new Set(load.placed.map((p) => p.orderId));
        for (const item of settledItems) if (loadIds.has(item.orderId)) lastSettledAt = Math.max(lastSettledAt, Date.parse(item.settledAt));
      }
      const loadOrders = [...settledUnderLoad.values()].map((s) => s.order);
      // Confirmed, or charged since (the grace period may end while a long phase is still being polled).
      const confirmed = loadOrders.filter((o) => KEPT_STATUSES.includes(o.status)).length;
      const stockAfter = stack
        ? await stockOf(doc as DynamoDBDocumentClient, n.catalogsTable, productId)
        : (await api.call('GET', `/catalogs/${productId}`)).body.stock;
      const lost = load.placed.length - settledUnderLoad.size;
      const oversold = Math.max(0, confirmed - stockLoadStart) + (lowestStock < 0 ? -lowestStock : 0);
      const settleSeconds = ((stack ? lastSettledAt : loadEnded) - loadStarted) / 1000;
      const wallSeconds = (Math.max(loadEnded, lastSettledAt) - loadStarted) / 1000;
      return {
        orders: options.orders,
        concurrency,
        rate: options.rate ?? 0,
        accepted: load.placed.length,
        placementFailures: load.failures,
        placedPerSecond: load.placed.length / load.seconds,
        settledPerSecond: settledUnderLoad.size / settleSeconds,
        settleSeconds,
        server: summarize(serverLatency(load.placed.map((p) => p.orderId))),
        cpu: cpu
          .filter((p) => p.seconds > 0)
          .map((p) => ({ name: processLabel(p), msPerOrder: (p.seconds * 1000) / Math.max(1, load.placed.length) }))
          .sort((a, b) => b.msPerOrder - a.msPerOrder),
        coresBusy: cpu.reduce((sum, p) => sum + p.seconds, 0) / Math.max(wallSeconds, 0.001),
        cores: cpus().length,
        confirmed,
        rejected: loadOrders.length - confirmed,
        stockAtStart: stockLoadStart,
        stockAfter,
        lowestStock,
        lost,
        oversold,
        stockConsistent: stockAfter === stockLoadStart - confirmed,
      };
    }
  } finally {
    await stack?.stop();
  }
}

export function printSaga(f: Awaited<ReturnType<typeof measureSaga>>): void {
  const line = (label: string, s: ReturnType<typeof summarize>) =>
    s.n === 0 ? `  ${label}: n/a` : `  ${label}: p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p99 ${ms(s.p99)}  max ${ms(s.max)}  (n=${s.n})`;
  console.log(`\nOrders saga on ${f.where} (aims: p50 <= 300 ms to settle, >= 50 orders/s, 0 lost, 0 oversold)`);
  console.log('PENDING -> settled, one order at a time:');
  console.log(line('server (settledAt - createdAt)', f.quiet.server));
  console.log(line('client (POST sent -> seen settled by polling)', f.quiet.client));
  for (const l of f.loads) {
    const pace = l.rate > 0 ? `placed at ${l.rate}/s, at most ${l.concurrency} in flight` : `${l.concurrency} in flight`;
    console.log(`Sustained: ${l.orders} orders, ${pace}, stock ${l.stockAtStart}:`);
    console.log(
      `  accepted ${l.accepted} (${l.placedPerSecond.toFixed(1)} orders/s placed), failures: ${l.placementFailures.length ? l.placementFailures.join(',') : 'none'}`,
    );
    console.log(
      `  settled ${l.confirmed + l.rejected} in ${l.settleSeconds.toFixed(1)} s from the first POST: ${l.settledPerSecond.toFixed(1)} orders/s sustained`,
    );
    console.log(line('server settle latency under load', l.server));
    console.log(
      `  CONFIRMED ${l.confirmed}, REJECTED ${l.rejected}; stock ${l.stockAtStart} -> ${l.stockAfter} (lowest seen ${l.lowestStock}), consistent: ${l.stockConsistent}`,
    );
    console.log(`  lost: ${l.lost}   oversold: ${l.oversold}`);
    if (l.cpu.length > 0) {
      console.log(`  CPU per order (${l.coresBusy.toFixed(2)} of ${l.cores} cores busy on average):`);
      for (const p of l.cpu.filter((p) => p.msPerOrder >= 0.5)) console.log(`    ${p.msPerOrder.toFixed(1).padStart(6)} ms  ${p.name}`);
    }
  }
}

/**
 * The lifecycle to PAID at grace 0: a local stack of its own started with `paymentGraceSeconds=0` (against
 * E2E_BASE_URL, whatever grace that stage has: printed), orders with the default test token, so each goes PENDING ->
 * CONFIRMED -> charged -> PAID. Time to PAID = paidAt - createdAt as the order view shows them (server clocks), and
 * as a client polling GET sees it; then `orders` orders with `concurrency` in flight: how many reach PAID per second.
 */
export async function measureLifecycle(options: { latencyOrders: number; orders: number; concurrency: number; portOffset?: number }) {
  const remote = process.env.E2E_BASE_URL;
  const stack = remote ? undefined : await benchStack(options.portOffset ?? 0, ['paymentGraceSeconds=0']);
  try {
    const api = new Api(remote ?? (stack as RunningStack).baseUrl);
    const n = names(stack?.stage ?? 'local');
    let productId = 'CATALOG-002';
    if (stack) {
      Object.assign(process.env, stack.env);
      const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
      await warmUp(
        [...SAGA_FUNCTIONS, ...LIFECYCLE_FUNCTIONS].map((name) => n.fn(name)),
        stack.endpoints.lambda,
      );
      productId = `BENCH-LIFE-${randomUUID().slice(0, 8)}`;
      await createProduct(doc, n.catalogsTable, { productId, stock: 10 * (options.orders + options.latencyOrders + 50), unitPrice: 4200 });
    }
    const sessions = await Promise.all(Array.from({ length: 4 }, () => api.session()));
    // Warm every hop (HTTP, the saga, the payment-due queue, payments and its outbox) before anything is timed.
    await awaitPaid(api, (await place(api, sessions, productId, 20, 10)).placed, 120_000);

    const quietServer: number[] = [];
    const quietClient: number[] = [];
    /** The two legs: placed -> paymentDueAt (the saga's settle plus the grace period), paymentDueAt -> paidAt (the charge). */
    const quietDue: number[] = [];
    const quietCharge: number[] = [];
    let quietUnpaid = 0;
    for (let i = 0; i < options.latencyOrders; i++) {
      const one = await place(api, [sessions[0] as Session], productId, 1, 1);
      const paid = await awaitPaid(api, one.placed, 60_000, 20);
      for (const p of one.placed) {
        const seen = paid.get(p.orderId);
        if (seen?.order.status !== 'PAID') quietUnpaid++;
        else {
          quietClient.push(seen.at - p.sentAt);
          quietServer.push(Date.parse(seen.order.paidAt) - Date.parse(seen.order.createdAt));
          quietDue.push(Date.parse(seen.order.paymentDueAt) - Date.parse(seen.order.createdAt));
          quietCharge.push(Date.parse(seen.order.paidAt) - Date.parse(seen.order.paymentDueAt));
        }
      }
    }

    const started = Date.now();
    const load = await place(api, sessions, productId, options.orders, options.concurrency);
    // Polled slowly: each poll lists every order through the API, load the figure should not include.
    const paid = await awaitPaid(api, load.placed, 180_000, 1000);
    const final = [...paid.values()].map((p) => p.order);
    const paidOrders = final.filter((o) => o.status === 'PAID');
    const lastPaidAt = Math.max(...paidOrders.map((o) => Date.parse(o.paidAt)));
    return {
      where: remote ?? `local stack (in memory, paymentGraceSeconds=0) at ${(stack as RunningStack).baseUrl}`,
      quiet: {
        server: summarize(quietServer),
        client: summarize(quietClient),
        due: summarize(quietDue),
        charge: summarize(quietCharge),
        unpaid: quietUnpaid,
      },
      load: {
        orders: options.orders,
        concurrency: options.concurrency,
        accepted: load.placed.length,
        placementFailures: load.failures,
        placedPerSecond: load.placed.length / load.seconds,
        paid: paidOrders.length,
        notPaid: countBy(final.filter((o) => o.status !== 'PAID').map((o) => o.status)),
        lost: load.placed.length - paid.size,
        paidSeconds: (lastPaidAt - started) / 1000,
        paidPerSecond: paidOrders.length / ((lastPaidAt - started) / 1000),
        server: summarize(paidOrders.map((o) => Date.parse(o.paidAt) - Date.parse(o.createdAt))),
      },
    };
  } finally {
    await stack?.stop();
  }
}

/** Polls until every placed order is past CONFIRMED (PAID, or REJECTED / CANCELLED) or `boundMs` passes. */
async function awaitPaid(api: Api, placed: Placed[], boundMs: number, pollMs = 50) {
  const seen = new Map<string, { at: number; order: Record<string, any> }>();
  const deadline = Date.now() + boundMs;
  let waiting = placed;
  while (waiting.length > 0 && Date.now() < deadline) {
    const settled = await awaitSettled(api, waiting, deadline - Date.now(), pollMs);
    for (const [orderId, s] of settled) if (s.order.status !== 'CONFIRMED') seen.set(orderId, s);
    waiting = placed.filter((p) => !seen.has(p.orderId));
    if (waiting.length > 0) await new Promise((r) => setTimeout(r, pollMs));
  }
  return seen;
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

export function printLifecycle(f: Awaited<ReturnType<typeof measureLifecycle>>): void {
  const line = (label: string, s: ReturnType<typeof summarize>) =>
    s.n === 0 ? `  ${label}: n/a` : `  ${label}: p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p99 ${ms(s.p99)}  max ${ms(s.max)}  (n=${s.n})`;
  const l = f.load;
  console.log(`\nOrder lifecycle to PAID on ${f.where}`);
  console.log('Placed -> PAID, one order at a time:');
  console.log(line('server (paidAt - createdAt)', f.quiet.server));
  console.log(line('client (POST sent -> seen PAID by polling)', f.quiet.client));
  console.log(line('  of which placed -> paymentDueAt (settled, plus the grace period)', f.quiet.due));
  console.log(line('  and paymentDueAt -> paidAt (the payment-due queue, payments, its outbox, settleOrders)', f.quiet.charge));
  if (f.quiet.unpaid > 0) console.log(`  not PAID: ${f.quiet.unpaid}`);
  console.log(`Sustained: ${l.orders} orders, ${l.concurrency} in flight:`);
  console.log(
    `  accepted ${l.accepted} (${l.placedPerSecond.toFixed(1)} orders/s placed), failures: ${l.placementFailures.length ? l.placementFailures.join(',') : 'none'}`,
  );
  console.log(`  PAID ${l.paid} in ${l.paidSeconds.toFixed(1)} s from the first POST: ${l.paidPerSecond.toFixed(1)} orders/s to PAID`);
  console.log(line('server placed -> PAID under load', l.server));
  console.log(`  not PAID: ${JSON.stringify(l.notPaid)}   lost: ${l.lost}`);
}

if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '600' },
      concurrency: { type: 'string', default: '10,50' },
      rate: { type: 'string', default: '0' },
      'latency-orders': { type: 'string', default: '60' },
      warmup: { type: 'string', default: '300' },
      'lifecycle-orders': { type: 'string', default: '300' },
      'lifecycle-latency-orders': { type: 'string', default: '30' },
      'lifecycle-concurrency': { type: 'string', default: '10' },
      only: { type: 'string' },
      'port-offset': { type: 'string', default: '0' },
    },
  });
  if (values.only !== undefined && !['saga', 'lifecycle'].includes(values.only))
    throw new Error(`--only ${values.only}: saga or lifecycle`);
  if (values.only !== 'lifecycle') {
    printSaga(
      await measureSaga({
        orders: Number(values.orders),
        concurrencies: values.concurrency.split(',').map(Number),
        rate: Number(values.rate),
        latencyOrders: Number(values['latency-orders']),
        warmup: Number(values.warmup),
        portOffset: Number(values['port-offset']),
      }),
    );
  }
  if (values.only !== 'saga') {
    printLifecycle(
      await measureLifecycle({
        orders: Number(values['lifecycle-orders']),
        latencyOrders: Number(values['lifecycle-latency-orders']),
        concurrency: Number(values['lifecycle-concurrency']),
        portOffset: Number(values['port-offset']),
      }),
    );
  }
}
