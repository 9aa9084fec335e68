/**
 * Gateway overhead: p50/p99 of a route through serverless-offline (HTTP, API Gateway emulation, the
 * Lambda authorizer where the route has one, a worker thread) next to the same bundled handler invoked
 * in-process against the same DynamoDB Local. The ratio is what the local gateway adds. Two routes: the
 * public `GET /catalogs` and the authorized `GET /users/{userId}` (which also asks the orders context,
 * in both paths alike). Bounded: fixed request counts.
 *
 *   npx tsx bench/gateway.ts [--requests 2000] [--concurrency 4]
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { startLocalStack, type RunningStack } from '../local/stack.js';
import { load, ms, summarize } from './stats.js';

const BENCH_PORTS = { http: 3200, lambda: 3202, dynamodb: 8200, sqs: 9524, eventBridge: 4210 };

type Handler = (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>;

interface Route {
  name: string;
  path: string;
  /** The handler's bundle, relative to the esbuild output's functions/ folder. */
  bundle: string;
  headers: Record<string, string>;
  /** What API Gateway (and the authorizer) put in the event. */
  event: Partial<APIGatewayProxyEvent>;
}

async function measureRoute(stack: RunningStack, route: Route, requests: number, concurrency: number) {
  const viaHttp = async () => {
    const response = await fetch(`${stack.baseUrl}${route.path}`, { headers: route.headers });
    if (response.status !== 200) throw new Error(`GET ${route.path} -> ${response.status}`);
    await response.arrayBuffer();
  };
  const bundle = join(stack.esbuildFolder, '.build', 'functions', route.bundle);
  const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: Handler };
  const event = {
    httpMethod: 'GET',
    path: route.path,
    headers: route.headers,
    queryStringParameters: null,
    pathParameters: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {},
    ...route.event,
  } as unknown as APIGatewayProxyEvent;
  const context = { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
  const inProcess = async () => {
    const result = await handler({ ...event }, context);
    if (result.statusCode !== 200) throw new Error(`in-process ${route.name} -> ${result.statusCode}`);
  };

  const warmup = Math.min(200, requests / 5);
  await load(warmup, concurrency, viaHttp);
  await load(warmup, concurrency, inProcess);
  const http = await load(requests, concurrency, viaHttp);
  const direct = await load(requests, concurrency, inProcess);
  return {
    name: route.name,
    http: { ...summarize(http.latencies), rps: requests / http.seconds },
    direct: { ...summarize(direct.latencies), rps: requests / direct.seconds },
  };
}

async function signedUpUser(baseUrl: string): Promise<{ userId: string; token: string }> {
  const email = `bench-${randomUUID()}@example.com`;
  const post = (path: string, body: unknown) =>
    fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if ((await post('/users', { email, name: 'Bench', pwd: 'correct horse battery' })).status !== 201) throw new Error('sign-up failed');
  const login = await post('/login', { email, password: 'correct horse battery' });
  if (login.status !== 200) throw new Error('log-in failed');
  return (await login.json()) as { userId: string; token: string };
}

export async function measureGateway(requests: number, concurrency: number) {
  const stack = await startLocalStack({ inMemory: true, ports: BENCH_PORTS, log: () => undefined });
  try {
    // The bundles serverless-offline runs, imported here with the same environment.
    Object.assign(process.env, stack.env, {
      CATALOGS_TABLE_NAME: `ecommerce-${stack.stage}-catalogs`,
      USERS_TABLE_NAME: `ecommerce-${stack.stage}-users`,
      ORDERS_QUERY_FUNCTION: `ecommerce-${stack.stage}-userOrders`,
      STAGE: stack.stage,
      LOG_LEVEL: 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    const user = await signedUpUser(stack.baseUrl);
    const routes: Route[] = [
      { name: 'GET /catalogs', path: '/catalogs', bundle: 'catalogs/handlers/list-catalogs.mjs', headers: {}, event: {} },
      {
        name: 'GET /users/{userId}',
        path: `/users/${user.userId}`,
        bundle: 'users/handlers/get-user.mjs',
        headers: { authorization: `Bearer ${user.token}` },
        event: {
          pathParameters: { userId: user.userId },
          // What the gateway's authorizer leaves for the handler (functions/users/handlers/authorizer.ts).
          requestContext: { authorizer: { userId: user.userId, tokenExpiresAt: String(Math.floor(Date.now() / 1000) + 3000) } },
        } as unknown as Partial<APIGatewayProxyEvent>,
      },
    ];
    const figures = [];
    for (const route of routes) figures.push(await measureRoute(stack, route, requests, concurrency));
    return figures;
  } finally {
    await stack.stop();
  }
}

export function printGateway(figures: Awaited<ReturnType<typeof measureGateway>>, concurrency: number): void {
  for (const { name, http, direct } of figures) {
    console.log(`\n${name}, ${http.n} requests, concurrency ${concurrency} (target: gateway overhead <= 2x)`);
    console.log(`  via serverless-offline : p50 ${ms(http.p50)}  p99 ${ms(http.p99)}  ${http.rps.toFixed(0)} req/s`);
    console.log(`  handler in-process     : p50 ${ms(direct.p50)}  p99 ${ms(direct.p99)}  ${direct.rps.toFixed(0)} req/s`);
    console.log(`  ratio (offline / in-process): p50 ${(http.p50 / direct.p50).toFixed(2)}x  p99 ${(http.p99 / direct.p99).toFixed(2)}x`);
  }
}

if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename)) {
  const { values } = parseArgs({
    options: { requests: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '4' } },
  });
  const concurrency = Number(values.concurrency);
  printGateway(await measureGateway(Number(values.requests), concurrency), concurrency);
}
