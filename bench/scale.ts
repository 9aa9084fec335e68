/**
 * Reads that must not grow with the orders: GET /catalogs (public), GET /users and GET /users/{id}/orders,
 * timed on a fresh stack and again after `--orders` orders went through the whole saga. Each order is
 * placed over HTTP and settled by the stack (the outbox, the catalog's reservation in its ledger, the
 * settlement), so every item the saga writes is there, as a shop's tables would hold them. Figures and
 * the after/before ratio of each median are printed, never asserted (target: every ratio <= 1.2).
 *
 *   npx tsx bench/scale.ts [--orders 20000] [--requests 300] [--concurrency 50] [--seed http|direct]
 *
 * Its own local stack, in memory, on ports 3240/3242/8240/9564/4250. 20,000 orders take about 6 minutes
 * on 2 cores (the saga settles about 60 a second there).
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startLocalStack, type RunningStack } from '../local/stack.js';
import { SAGA_FUNCTIONS, createProduct, names, queueDepth, sleep, warmUp } from '../tests/integration/saga-helpers.js';
import { DynamoDbOrderRepository } from '../functions/orders/adapters/dynamodb-order-repository.js';
import { OrderService } from '../functions/orders/domain/order-service.js';
import { Api, type Session } from './saga.js';
import { ms, summarize } from './stats.js';

const BENCH_PORTS = { http: 3240, lambda: 3242, dynamodb: 8240, sqs: 9564, eventBridge: 4250 };

/** The three reads, `requests` times each, one at a time (latency, not throughput); each answer must be a 200. */
async function timeReads(api: Api, reader: Session, requests: number) {
  const reads: Array<[string, string, string | undefined]> = [
    ['GET /catalogs', '/catalogs', undefined],
    ['GET /users', '/users', reader.token],
    ['GET /users/{id}/orders', `/users/${reader.userId}/orders`, reader.token],
  ];
  const result: Record<string, ReturnType<typeof summarize>> = {};
  for (const [name, path, token] of reads) {
    for (let i = 0; i < 30; i++) await api.call('GET', path, undefined, token); // warm the worker and the JIT
    const samples: number[] = [];
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      const answer = await api.call('GET', path, undefined, token);
      samples.push(performance.now() - started);
      if (answer.status !== 200) throw new Error(`${name}: ${answer.status}`);
    }
    result[name] = summarize(samples);
  }
  return result;
}

export async function measureScale(options: { orders: number; requests: number; concurrency: number; seed: 'http' | 'direct' }) {
  const stack: RunningStack = await startLocalStack({ inMemory: true, ports: BENCH_PORTS, log: () => undefined });
  try {
    Object.assign(process.env, stack.env);
    const api = new Api(stack.baseUrl);
    const n = names(stack.stage);
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const sqs = new SQSClient({});
    await warmUp(
      SAGA_FUNCTIONS.map((name) => n.fn(name)),
      stack.endpoints.lambda,
    );
    const buyers: Session[] = [];
    for (let i = 0; i < 20; i += 5) buyers.push(...(await Promise.all(Array.from({ length: 5 }, () => api.session()))));
    const reader = buyers[0] as Session;
    // Half the orders are reserved, half rejected OUT_OF_STOCK: both leave an answer in the catalog's ledger.
    const productId = `SCALE-${randomUUID().slice(0, 8)}`;
    await createProduct(doc, n.catalogsTable, { productId, stock: Math.floor(options.orders / 2), unitPrice: 100 });
    // The reader has a few orders before, so its list is a full page both times.
    for (let i = 0; i < 25; i++) await api.call('POST', `/users/${reader.userId}/orders`, { productId, qty: 1 }, reader.token);
    await drained(sqs, stack, n);

    const before = await timeReads(api, reader, options.requests);

    const started = performance.now();
    let next = 0;
    let failures = 0;
    // `http`: each order through the API (gateway, authorizer, placeOrder); `direct`: placeOrder's own write path
    // (OrderService over the DynamoDB adapter) in this process, the HTTP hop left out. Either way the stack's saga
    // (the outbox, the catalog's reservation in its ledger, the settlement) writes every item it writes for an order.
    const orders = new OrderService(new DynamoDbOrderRepository(doc, n.ordersTable));
    const placeOne = async (buyer: Session) => {
      if (options.seed === 'direct') {
        await orders.place({ userId: buyer.userId, productId, qty: 1, correlationId: `scale-${next}`, requestBody: { productId, qty: 1 } });
        return true;
      }
      return (await api.call('POST', `/users/${buyer.userId}/orders`, { productId, qty: 1 }, buyer.token)).status === 201;
    };
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < options.orders) {
          const buyer = buyers[next++ % buyers.length] as Session;
          if (!(await placeOne(buyer))) failures++;
          if (next % 2000 === 0) console.error(`  ${next} orders placed after ${((performance.now() - started) / 1000).toFixed(0)} s`);
        }
      }),
    );
    const placedSeconds = (performance.now() - started) / 1000;
    await drained(sqs, stack, n);
    const settledSeconds = (performance.now() - started) / 1000;

    const after = await timeReads(api, reader, options.requests);
    return { before, after, placedSeconds, settledSeconds, failures };
  } finally {
    await stack.stop();
  }
}

/** Both saga queues empty for a few polls in a row: every order placed so far is settled. */
async function drained(sqs: SQSClient, stack: RunningStack, n: ReturnType<typeof names>) {
  const urls = [n.catalogsInbox, n.ordersInbox].map((name) => stack.queueUrls.get(name) as string);
  for (let quiet = 0; quiet < 5;) {
    const depth = (await Promise.all(urls.map((url) => queueDepth(sqs, url)))).reduce((a, b) => a + b, 0);
    quiet = depth === 0 ? quiet + 1 : 0;
    await sleep(depth === 0 ? 200 : 1000);
  }
}

if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '20000' },
      requests: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: '50' },
      seed: { type: 'string', default: 'http' },
    },
  });
  const seeds = ['http', 'direct'] as const;
  const seed = seeds.find((candidate) => candidate === values.seed);
  if (!seed) throw new Error('--seed is http or direct');
  const options = {
    orders: Number(values.orders),
    requests: Number(values.requests),
    concurrency: Number(values.concurrency),
    seed,
  };
  const result = await measureScale(options);
  console.log(
    `${options.orders} orders placed (${options.seed}) in ${result.placedSeconds.toFixed(0)} s (${result.failures} refused), all settled after ${result.settledSeconds.toFixed(0)} s`,
  );
  console.log(`| read | 0 orders: p50 / p90 | ${options.orders} orders: p50 / p90 | ratio of medians |`);
  console.log('| --- | --- | --- | --- |');
  for (const name of Object.keys(result.before)) {
    const before = result.before[name] as ReturnType<typeof summarize>;
    const after = result.after[name] as ReturnType<typeof summarize>;
    console.log(
      `| ${name} | ${ms(before.p50)} / ${ms(before.p90)} | ${ms(after.p50)} / ${ms(after.p90)} | ${(after.p50 / before.p50).toFixed(2)} |`,
    );
  }
}
