/**
 * DynamoDB Local on its own: is it the saga's wall? Starts DynamoDB Local alone (nothing else of the local
 * stack), creates the orders, catalogs and users tables from the compiled template (local/cloudformation.ts,
 * local/provision.ts: the stack's own definitions), and replays per order the DynamoDB calls the saga's
 * functions make, with the project's own classes: OrderService.place (placeOrder: one PutItem),
 * CatalogService.reserveStock (reserveStock: one TransactWriteItems; out of stock, the cancelled transaction,
 * a GetItem of the product and a PutItem of the rejection), OrderService.settle (settleOrders: one UpdateItem),
 * and the local stack's stream pollers (local/stream-poller.ts, the real class, its invoke a no-op) reading
 * the orders and users streams, woken on each successful write as the write-signal pass-through wakes them.
 * Half the orders find stock (as in bench/saga.ts), all on one product. (The pollers here invoke nothing, so
 * they read more often per batch and less often per order than the stack's, whose users-stream poller reads an
 * empty stream after nearly every write: see the per-call costs for what such a read costs.)
 *
 * Per JVM variant (a fresh DynamoDB Local each): start-up time; the first `--warmup` orders in four chunks
 * (JIT warm-up); then `--orders` orders at each `--concurrency` in flight: calls per order by kind,
 * orders/s and calls/s DynamoDB Local alone reaches, CPU ms per order of the java process (from /proc) and
 * of this process (the client), java's CPU by thread (Jetty's request threads, the single SQLite thread, the JIT
 * compilers, GC), p50/p99 per operation. For the first variant, what each kind of call
 * costs on its own (CPU ms of java per call). Figures are printed, never asserted. Bounded: fixed counts,
 * and each phase stops at `--phase-seconds`.
 *
 *   npx tsx bench/dynamodb-local.ts [--orders 600] [--concurrency 10,50] [--warmup 1000] [--op-calls 500]
 *       [--variants baseline,serial-gc,parallel-gc,c1-only,serial-gc+c1-only,heap-1g,small-heap,no-cds,data-dir]
 *
 * DynamoDB Local listens on port 8850 (all interfaces: it has no host option). The template is packaged once into
 * .serverless-bench-dynamodb and reused while nothing it is made from changes (local/build-reuse.ts).
 * JVM options go in through JDK_JAVA_OPTIONS, as local/dynamodb-local.ts starts it for the stack.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isPackageCurrent, markPackageCurrent, packageInputsDigest } from '../local/build-reuse.js';
import { loadTemplate, localStackModel, type TableSpec } from '../local/cloudformation.js';
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import { stopProcess } from '../local/processes.js';
import { ensureTable } from '../local/provision.js';
import { LOCAL_CREDENTIALS, packageTemplate } from '../local/stack.js';
import { StreamPoller } from '../local/stream-poller.js';
import { DynamoDbCatalogRepository } from '../functions/catalogs/adapters/dynamodb-catalog-repository.js';
import { CatalogService } from '../functions/catalogs/domain/catalog-service.js';
import { DynamoDbOrderRepository } from '../functions/orders/adapters/dynamodb-order-repository.js';
import { OrderService } from '../functions/orders/domain/order-service.js';
import { newOrderId } from '../functions/orders/domain/order-id.js';
import { settlement, type Order, type StockOutcome } from '../functions/orders/domain/order.js';
import { createProduct, names } from '../tests/integration/saga-helpers.js';
import { cpuSince, processTreeCpu, type ProcessCpu } from './process-cpu.js';
import { load, ms, summarize } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const PORT = 8850; // DynamoDB Local binds every interface (it has no host option)
const REGION = 'us-east-1';
const STAGE = 'local';
const PACKAGE_FOLDER = '.serverless-bench-dynamodb';
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

interface Variant {
  name: string;
  what: string;
  javaOptions: string;
  dataDir?: boolean;
}

const VARIANTS: Variant[] = [
  {
    name: 'baseline',
    what: 'JVM defaults (G1, tiered C1+C2, default CDS), -inMemory: how the stack ran it before c1-only',
    javaOptions: '',
  },
  { name: 'serial-gc', what: '-XX:+UseSerialGC', javaOptions: '-XX:+UseSerialGC' },
  { name: 'parallel-gc', what: '-XX:+UseParallelGC', javaOptions: '-XX:+UseParallelGC' },
  { name: 'c1-only', what: '-XX:TieredStopAtLevel=1 (no C2)', javaOptions: '-XX:TieredStopAtLevel=1' },
  {
    name: 'serial-gc+c1-only',
    what: '-XX:+UseSerialGC -XX:TieredStopAtLevel=1',
    javaOptions: '-XX:+UseSerialGC -XX:TieredStopAtLevel=1',
  },
  { name: 'heap-1g', what: '-Xms1g -Xmx1g (fixed heap, no resizing)', javaOptions: '-Xms1g -Xmx1g' },
  { name: 'small-heap', what: '-Xmx96m (more GC)', javaOptions: '-Xmx96m' },
  { name: 'no-cds', what: '-Xshare:off (no class-data sharing)', javaOptions: '-Xshare:off' },
  {
    name: 'data-dir',
    what: 'JVM defaults, -dbPath (a SQLite file in a temporary folder) instead of -inMemory',
    javaOptions: '',
    dataDir: true,
  },
];

/** The template's tables, as the local stack reads them (packaged once into PACKAGE_FOLDER, reused while current). */
async function templateTables(): Promise<TableSpec[]> {
  const digest = packageInputsDigest(ROOT, { stage: STAGE, params: [] });
  const folder = join(ROOT, PACKAGE_FOLDER);
  const template = isPackageCurrent(folder, digest)
    ? await loadTemplate(join(folder, 'cloudformation-template-update-stack.json'))
    : await packageTemplate(STAGE, PACKAGE_FOLDER, {
        ...process.env,
        ESBUILD_WORK_FOLDER: '.esbuild-bench-dynamodb',
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
      });
  markPackageCurrent(folder, digest);
  const n = names(STAGE);
  const wanted = new Set([n.ordersTable, n.catalogsTable, n.catalogsLedgerTable, `ecommerce-${STAGE}-users`]);
  return localStackModel(template).tables.filter((table) => wanted.has(String(table.properties.TableName)));
}

/** The short names of the tables a call touches (`orders`, `catalogs`), for its kind. */
function tablesOf(input: any): string {
  const short = (name: unknown) => (typeof name === 'string' ? name.replace(`ecommerce-${STAGE}-`, '') : '?');
  if (Array.isArray(input?.TransactItems)) {
    return input.TransactItems.map((item: Record<string, { TableName?: string }>) => {
      const [action, body] = Object.entries(item)[0] ?? ['?', {}];
      return `${action} ${short(body.TableName)}`;
    }).join(' + ');
  }
  return input?.TableName ? `${short(input.TableName)}${input.IndexName ? ` (${input.IndexName})` : ''}` : '';
}

/** Every call to DynamoDB Local, by kind (operation, and how it failed when it did), with its latency. */
class CallLog {
  readonly latencies = new Map<string, number[]>();
  private readonly onWrite: Array<() => void> = [];

  /** Logs every call `client` makes; `streamName` names the stream a poller's own client reads. */
  observe(client: { middlewareStack: { add: (middleware: any, options: any) => void } }, streamName?: string): void {
    client.middlewareStack.add(
      (next: (args: { input?: any }) => Promise<unknown>, context: { commandName?: string }) => async (args: { input?: any }) => {
        const operation = String(context.commandName ?? '?').replace(/Command$/, '');
        const kind = `${operation} ${streamName ? `${streamName} stream` : tablesOf(args.input)}`.trim();
        const started = performance.now();
        try {
          const output = await next(args);
          this.record(kind, performance.now() - started);
          if (WRITES.has(operation)) for (const wake of this.onWrite) wake();
          return output;
        } catch (error) {
          this.record(`${kind} (${(error as Error).name.replace(/Exception$/, '')})`, performance.now() - started);
          throw error;
        }
      },
      { step: 'initialize', name: 'benchCallLog' },
    );
  }

  /** As the write-signal pass-through does: a successful write wakes the stream pollers. */
  wakeOnWrite(wake: () => void): void {
    this.onWrite.push(wake);
  }

  private record(kind: string, latencyMs: number): void {
    const list = this.latencies.get(kind) ?? [];
    list.push(latencyMs);
    this.latencies.set(kind, list);
  }

  reset(): void {
    this.latencies.clear();
  }

  get total(): number {
    let total = 0;
    for (const list of this.latencies.values()) total += list.length;
    return total;
  }
}

interface RunningDynamoDb {
  child: ChildProcess;
  startupMs: number;
  dataDir?: string;
  endpoint: string;
}

async function startDynamoDb(variant: Variant): Promise<RunningDynamoDb> {
  const dataDir = variant.dataDir ? mkdtempSync(join(tmpdir(), 'bench-dynamodb-')) : undefined;
  const started = performance.now();
  const output: string[] = [];
  // As local/stack.ts starts it, with this variant's JVM options in place of the stack's.
  const child = startDynamoDbLocal({
    port: PORT,
    ...(dataDir ? { dataPath: dataDir } : {}),
    jvmOptions: variant.javaOptions,
    onOutput: (text) => output.push(text),
  });
  const endpoint = `http://127.0.0.1:${PORT}`;
  const probe = new DynamoDBClient({ endpoint, region: REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}): ${output.join('').slice(-2000)}`);
      try {
        await probe.send(new ListTablesCommand({}));
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within 60 s: ${output.join('').slice(-2000)}`);
        await new Promise((done) => setTimeout(done, 20));
      }
    }
  } catch (error) {
    await stopProcess(child);
    throw error;
  } finally {
    probe.destroy();
  }
  const pickedUp = !variant.javaOptions || output.join('').includes(`Picked up JDK_JAVA_OPTIONS: ${variant.javaOptions}`);
  if (!pickedUp) throw new Error(`java did not take JDK_JAVA_OPTIONS=${variant.javaOptions}: ${output.join('').slice(-1000)}`);
  return { child, startupMs: performance.now() - started, endpoint, ...(dataDir ? { dataDir } : {}) };
}

/**
 * CPU seconds of a process's threads, grouped by name without their numbers (/proc/<pid>/task): for java,
 * which part of DynamoDB Local works (Jetty's request threads `qtp...`, the JIT's `C2 CompilerThre`, GC threads).
 */
function threadCpu(pid: number): Map<string, number> {
  const groups = new Map<string, number>();
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return groups;
  }
  for (const tid of tasks) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const group = name
        .replace(/^qtp\d+-\d+$/, 'qtp (Jetty request threads)')
        .replace(/[#-]?\d+$/, '')
        .trim();
      groups.set(group, (groups.get(group) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // the thread ended while we looked
    }
  }
  return groups;
}

function threadCpuSince(before: Map<string, number>, pid: number): Array<{ name: string; seconds: number }> {
  return [...threadCpu(pid)]
    .map(([name, seconds]) => ({ name, seconds: seconds - (before.get(name) ?? 0) }))
    .filter((t) => t.seconds > 0)
    .sort((a, b) => b.seconds - a.seconds);
}

/** CPU seconds of the java process and of this process (the client) between two readings. */
function cpuSplit(before: ProcessCpu[], javaPid: number) {
  const spent = cpuSince(before);
  return {
    java: spent.filter((p) => p.pid === javaPid).reduce((sum, p) => sum + p.seconds, 0),
    client: spent.filter((p) => p.pid === process.pid).reduce((sum, p) => sum + p.seconds, 0),
  };
}

interface PhaseFigures {
  label: string;
  orders: number;
  concurrency: number;
  seconds: number;
  ordersPerSecond: number;
  callsPerSecond: number;
  callsPerOrder: number;
  javaMsPerOrder: number;
  clientMsPerOrder: number;
  javaMsPerCall: number;
  confirmed: number;
  byKind: Array<{ kind: string; perOrder: number; p50: number; p99: number }>;
  /** java's CPU by thread group, ms per order. */
  threads: Array<{ name: string; msPerOrder: number }>;
}

async function measureVariant(variant: Variant, tables: TableSpec[], options: Options) {
  const db = await startDynamoDb(variant);
  const javaPid = db.child.pid as number;
  const calls = new CallLog();
  const client = new DynamoDBClient({ endpoint: db.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
  const streams = new DynamoDBStreamsClient({ endpoint: db.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
  calls.observe(client);
  calls.observe(streams, 'cost');
  // As the functions build theirs (functions/shared/dynamodb.ts).
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const n = names(STAGE);
  const pollers: StreamPoller[] = [];
  const clients: DynamoDBStreamsClient[] = [];
  try {
    for (const table of tables) await ensureTable(client, table);
    const orders = new OrderService(new DynamoDbOrderRepository(doc, n.ordersTable));
    const catalogs = new CatalogService(new DynamoDbCatalogRepository(doc, n.catalogsTable, n.catalogsLedgerTable));
    const productId = `BENCH-${randomUUID().slice(0, 8)}`;
    await createProduct(doc, n.catalogsTable, { productId, stock: 0, unitPrice: 4200 });
    const users = Array.from({ length: 4 }, () => randomUUID());

    // The stack's stream pollers (orders -> publishOrderEvents, users -> publishUserEvents), invoking nothing.
    for (const [tableName, functionName] of [
      [n.ordersTable, 'publishOrderEvents'],
      [`ecommerce-${STAGE}-users`, 'publishUserEvents'],
    ] as const) {
      const pollerStreams = new DynamoDBStreamsClient({ endpoint: db.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
      calls.observe(pollerStreams, tableName.replace(`ecommerce-${STAGE}-`, ''));
      clients.push(pollerStreams);
      const poller = new StreamPoller({
        dynamodb: client,
        streams: pollerStreams,
        tableName,
        functionName,
        batchSize: 100,
        reportBatchItemFailures: true,
        startingPosition: 'TRIM_HORIZON',
        maximumRetryAttempts: 10,
        region: REGION,
        invoke: async () => ({ ok: true, payload: { batchItemFailures: [] } }),
      });
      await poller.start();
      calls.wakeOnWrite(() => poller.wake());
      pollers.push(poller);
    }

    /** One order through the saga's DynamoDB calls, as its three functions make them. */
    let placed = 0;
    const oneOrder = async () => {
      const userId = users[placed++ % users.length] as string;
      const body = { productId, qty: 1 };
      const order: Order = await orders.place({ userId, productId, qty: 1, correlationId: randomUUID(), requestBody: body });
      const answer = await catalogs.reserveStock({ orderId: order.orderId, productId, qty: 1 });
      // Nothing here cancels, so every order gets a reservation or a rejection (never a tombstone).
      if (!answer.reservation) throw new Error(`order ${order.orderId} was cancelled before its reservation`);
      const { reservation } = answer;
      const outcome: StockOutcome =
        reservation.status === 'RESERVED'
          ? { kind: 'RESERVED', unitPrice: reservation.unitPrice }
          : { kind: 'REJECTED', reason: reservation.reason };
      await orders.settle({ orderId: order.orderId, productId, qty: 1, outcome });
      return reservation.status === 'RESERVED';
    };

    const phase = async (label: string, count: number, concurrency: number): Promise<PhaseFigures> => {
      await doc.send(
        new UpdateCommand({
          TableName: n.catalogsTable,
          Key: { pk: `PRODUCT#${productId}`, sk: 'PRODUCT' },
          UpdateExpression: 'SET stock = :s',
          ExpressionAttributeValues: { ':s': Math.floor(count / 2) },
        }),
      );
      await new Promise((done) => setTimeout(done, 300)); // the pollers read what that write woke them for
      calls.reset();
      const cpuBefore = processTreeCpu();
      const threadsBefore = threadCpu(javaPid);
      const deadline = Date.now() + options.phaseSeconds * 1000;
      let confirmed = 0;
      let started = 0;
      let done = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (started < count && Date.now() < deadline) {
            started++;
            if (await oneOrder()) confirmed++;
            done++;
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      await new Promise((resolve) => setTimeout(resolve, 300)); // the pollers catch up with the last writes
      const cpu = cpuSplit(cpuBefore, javaPid);
      const threads = threadCpuSince(threadsBefore, javaPid).map((t) => ({
        name: t.name,
        msPerOrder: (t.seconds * 1000) / Math.max(1, done),
      }));
      const total = calls.total;
      const byKind = [...calls.latencies]
        .map(([kind, latencies]) => {
          const s = summarize(latencies);
          return { kind, perOrder: latencies.length / Math.max(1, done), p50: s.p50, p99: s.p99 };
        })
        .sort((a, b) => b.perOrder - a.perOrder);
      return {
        label,
        orders: done,
        concurrency,
        seconds,
        ordersPerSecond: done / seconds,
        callsPerSecond: total / seconds,
        callsPerOrder: total / Math.max(1, done),
        javaMsPerOrder: (cpu.java * 1000) / Math.max(1, done),
        clientMsPerOrder: (cpu.client * 1000) / Math.max(1, done),
        javaMsPerCall: (cpu.java * 1000) / Math.max(1, total),
        confirmed,
        byKind,
        threads,
      };
    };

    const warmup: PhaseFigures[] = [];
    const chunk = Math.ceil(options.warmup / 4);
    for (let from = 0; from < options.warmup; from += chunk) {
      const size = Math.min(chunk, options.warmup - from);
      warmup.push(await phase(`orders ${from + 1}-${from + size}`, size, 10));
    }
    const loads: PhaseFigures[] = [];
    for (const concurrency of options.concurrencies) loads.push(await phase(`${options.orders} orders`, options.orders, concurrency));
    for (const poller of pollers.splice(0)) await poller.stop();
    const perCall = options.opCalls > 0 && variant === options.firstVariant ? await callCosts(options.opCalls) : [];
    return { variant, startupMs: db.startupMs, warmup, loads, perCall };

    /** What each kind of call costs DynamoDB Local on its own: `count` calls, 10 in flight, java CPU per call. */
    async function callCosts(count: number) {
      const repoOrders = new DynamoDbOrderRepository(doc, n.ordersTable);
      const repoCatalogs = new DynamoDbCatalogRepository(doc, n.catalogsTable, n.catalogsLedgerTable);
      const costProduct = `COST-${randomUUID().slice(0, 8)}`;
      // Stock for the warm-up and the measured calls of the reserving kind; the cancelled kind then finds none.
      await createProduct(doc, n.catalogsTable, { productId: costProduct, stock: count + Math.min(50, count), unitPrice: 4200 });
      const fresh: Order[] = [];
      const ordersStreamArn = (await client.send(new DescribeTableCommand({ TableName: n.ordersTable }))).Table?.LatestStreamArn as string;
      const usersStreamArn = (await client.send(new DescribeTableCommand({ TableName: `ecommerce-${STAGE}-users` }))).Table
        ?.LatestStreamArn as string;
      const shardOf = async (arn: string) =>
        (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription?.Shards?.at(-1)?.ShardId as string;
      const ordersShard = await shardOf(ordersStreamArn);
      const usersShard = await shardOf(usersStreamArn);
      let ordersIterator = (
        await streams.send(
          new GetShardIteratorCommand({ StreamArn: ordersStreamArn, ShardId: ordersShard, ShardIteratorType: 'TRIM_HORIZON' }),
        )
      ).ShardIterator;
      const usersIterator = async () =>
        (await streams.send(new GetShardIteratorCommand({ StreamArn: usersStreamArn, ShardId: usersShard, ShardIteratorType: 'LATEST' })))
          .ShardIterator;
      const emptyIterators = await Promise.all(Array.from({ length: 10 }, usersIterator));
      let nextSettled = 0;
      let nextEmpty = 0;
      let nextReservation = 0;
      // The same request either way: whether it reserves or is cancelled depends on the stock left.
      const aReservation = () =>
        ({
          orderId: randomUUID(),
          productId: costProduct,
          qty: 1,
          createdAt: new Date().toISOString(),
          status: 'RESERVED',
          unitPrice: 4200,
        }) as const;
      const kinds: Array<{ kind: string; task: () => Promise<unknown> }> = [
        {
          kind: 'PutItem order (placeOrder)',
          task: async () => {
            const at = new Date();
            const order: Order = {
              orderId: newOrderId(at.getTime()),
              userId: randomUUID(),
              productId: costProduct,
              qty: 1,
              status: 'PENDING',
              createdAt: at.toISOString(),
              correlationId: randomUUID(),
            };
            fresh.push(order);
            return repoOrders.create(order);
          },
        },
        {
          kind: 'TransactWriteItems reserve (reserveStock, stock left)',
          task: () => repoCatalogs.reserve(aReservation()),
        },
        {
          kind: 'TransactWriteItems cancelled (reserveStock, out of stock)',
          task: () => repoCatalogs.reserve(aReservation()),
        },
        { kind: 'GetItem product (reserveStock)', task: () => repoCatalogs.getProduct(costProduct) },
        {
          kind: 'PutItem rejection (reserveStock)',
          task: () =>
            repoCatalogs.recordRejection({
              orderId: `REJ-${nextReservation++}-${randomUUID()}`,
              productId: costProduct,
              qty: 1,
              createdAt: new Date().toISOString(),
              status: 'REJECTED',
              reason: 'OUT_OF_STOCK',
            }),
        },
        {
          kind: 'UpdateItem settle (settleOrders)',
          task: () => {
            const order = fresh[nextSettled++ % fresh.length] as Order;
            return repoOrders.apply(
              order.orderId,
              settlement(
                { productId: order.productId, qty: order.qty, outcome: { kind: 'RESERVED', unitPrice: 4200 } },
                new Date().toISOString(),
                60,
              ),
            );
          },
        },
        {
          kind: 'GetRecords empty (an idle stream)',
          task: async () => {
            const i = nextEmpty++ % emptyIterators.length;
            try {
              const page = await streams.send(new GetRecordsCommand({ ShardIterator: emptyIterators[i], Limit: 100 }));
              emptyIterators[i] = page.NextShardIterator;
            } catch {
              // DynamoDB Local can refuse an iterator of a still-empty shard as trimmed (local/stream-poller.ts)
              emptyIterators[i] = await usersIterator();
            }
          },
        },
        {
          kind: 'GetRecords 10 records (the orders stream)',
          task: async () => {
            const page = await streams.send(new GetRecordsCommand({ ShardIterator: ordersIterator, Limit: 10 }));
            ordersIterator = page.NextShardIterator;
          },
        },
      ];
      const figures = [];
      for (const { kind, task } of kinds) {
        // The reading of the orders stream goes one page after the other; the rest, 10 in flight.
        const concurrency = kind.startsWith('GetRecords 10') ? 1 : 10;
        const run1 = async () => {
          await task();
        };
        await load(Math.min(50, count), concurrency, run1); // warm this path
        calls.reset();
        const cpuBefore = processTreeCpu();
        const run = await load(count, concurrency, run1);
        const cpu = cpuSplit(cpuBefore, javaPid);
        const s = summarize(run.latencies);
        figures.push({
          kind,
          concurrency,
          javaMsPerCall: (cpu.java * 1000) / count,
          clientMsPerCall: (cpu.client * 1000) / count,
          callsPerSecond: count / run.seconds,
          p50: s.p50,
          p99: s.p99,
        });
      }
      return figures;
    }
  } finally {
    for (const poller of pollers) await poller.stop();
    client.destroy();
    streams.destroy();
    for (const c of clients) c.destroy();
    await stopProcess(db.child);
    if (db.dataDir) rmSync(db.dataDir, { recursive: true, force: true });
  }
}

interface Options {
  orders: number;
  concurrencies: number[];
  warmup: number;
  opCalls: number;
  phaseSeconds: number;
  firstVariant?: Variant;
}

export async function measureDynamoDbLocal(options: Options & { variants: string[] }) {
  const variants = options.variants.map((name) => {
    const variant = VARIANTS.find((v) => v.name === name);
    if (!variant) throw new Error(`unknown variant ${name} (known: ${VARIANTS.map((v) => v.name).join(', ')})`);
    return variant;
  });
  const tables = await templateTables();
  const results = [];
  for (const variant of variants) {
    process.stdout.write(`  ${variant.name} ...\n`);
    results.push(await measureVariant(variant, tables, { ...options, firstVariant: variants[0] as Variant }));
  }
  return results;
}

export function printDynamoDbLocal(results: Awaited<ReturnType<typeof measureDynamoDbLocal>>): void {
  const phaseLine = (p: PhaseFigures) =>
    `${p.orders} orders, ${String(p.concurrency).padStart(2)} in flight: ${p.ordersPerSecond.toFixed(1).padStart(6)} orders/s, ` +
    `${p.callsPerSecond.toFixed(0).padStart(5)} calls/s (${p.callsPerOrder.toFixed(2)}/order); java ${p.javaMsPerOrder.toFixed(1)} ms CPU/order ` +
    `(${p.javaMsPerCall.toFixed(2)} ms/call), this process ${p.clientMsPerOrder.toFixed(1)} ms/order; confirmed ${p.confirmed}`;
  const threadLine = (p: PhaseFigures) =>
    p.threads
      .filter((t) => t.msPerOrder >= 0.1)
      .slice(0, 6)
      .map((t) => `${t.name} ${t.msPerOrder.toFixed(1)} ms`)
      .join(', ');
  for (const r of results) {
    console.log(`\n== DynamoDB Local alone: ${r.variant.name} (${r.variant.what}); started in ${(r.startupMs / 1000).toFixed(1)} s`);
    console.log('Warm-up (JIT), 10 in flight:');
    for (const p of r.warmup) {
      console.log(`  ${p.label.padEnd(16)} ${phaseLine(p)}`);
      console.log(`  ${''.padEnd(16)} java by thread: ${threadLine(p)}`);
    }
    for (const p of r.loads) {
      console.log(`Sustained: ${phaseLine(p)}`);
      console.log(`  java by thread: ${threadLine(p)}`);
      console.log('  calls per order by kind, latency as this client sees it:');
      for (const k of p.byKind) {
        console.log(
          `    ${k.perOrder.toFixed(2).padStart(5)}  ${k.kind.padEnd(72)} p50 ${ms(k.p50).padStart(9)}  p99 ${ms(k.p99).padStart(9)}`,
        );
      }
    }
    if (r.perCall.length > 0) {
      console.log('Each kind of call on its own (warm):');
      for (const c of r.perCall) {
        console.log(
          `  ${c.kind.padEnd(58)} ${c.concurrency} in flight: java ${c.javaMsPerCall.toFixed(2)} ms CPU/call, this process ` +
            `${c.clientMsPerCall.toFixed(2)}; ${c.callsPerSecond.toFixed(0)} calls/s; p50 ${ms(c.p50)} p99 ${ms(c.p99)}`,
        );
      }
    }
  }
  console.log('\nSummary (java CPU ms per order, orders/s), warm:');
  for (const r of results) {
    const cells = r.loads.map((p) => `${p.concurrency} in flight ${p.javaMsPerOrder.toFixed(1)} ms, ${p.ordersPerSecond.toFixed(1)}/s`);
    const first = r.warmup[0];
    console.log(
      `  ${r.variant.name.padEnd(18)} start ${(r.startupMs / 1000).toFixed(1)} s; first chunk ${first ? `${first.javaMsPerOrder.toFixed(1)} ms` : 'n/a'}; ${cells.join('; ')}`,
    );
  }
}

if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '600' },
      concurrency: { type: 'string', default: '10,50' },
      warmup: { type: 'string', default: '1000' },
      'op-calls': { type: 'string', default: '500' },
      'phase-seconds': { type: 'string', default: '300' },
      variants: { type: 'string', default: VARIANTS.map((v) => v.name).join(',') },
    },
  });
  printDynamoDbLocal(
    await measureDynamoDbLocal({
      orders: Number(values.orders),
      concurrencies: values.concurrency.split(',').map(Number),
      warmup: Number(values.warmup),
      opCalls: Number(values['op-calls']),
      phaseSeconds: Number(values['phase-seconds']),
      variants: values.variants.split(','),
    }),
  );
}
