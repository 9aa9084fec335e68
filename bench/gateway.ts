/**
 * Gateway overhead: p50/p99 of `GET /catalogs` through serverless-offline (HTTP, API Gateway
 * emulation, worker thread) next to the same bundled handler invoked in-process against the same
 * DynamoDB Local. The ratio is what the local gateway adds. Bounded: fixed request counts.
 *
 *   npx tsx bench/gateway.ts [--requests 2000] [--concurrency 4]
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { startLocalStack } from '../local/stack.js';
import { load, ms, summarize } from './stats.js';

const BENCH_PORTS = { http: 3200, lambda: 3202, dynamodb: 8200, sqs: 9524, eventBridge: 4210 };

export async function measureGateway(requests: number, concurrency: number) {
  const stack = await startLocalStack({ inMemory: true, ports: BENCH_PORTS, log: () => undefined });
  try {
    const url = `${stack.baseUrl}/catalogs`;
    const viaHttp = async () => {
      const response = await fetch(url);
      if (response.status !== 200) throw new Error(`GET /catalogs -> ${response.status}`);
      await response.arrayBuffer();
    };

    // The same bundle serverless-offline runs, imported here with the same environment.
    Object.assign(process.env, stack.env, {
      CATALOGS_TABLE_NAME: `ecommerce-${stack.stage}-catalogs`,
      STAGE: stack.stage,
      LOG_LEVEL: 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
    });
    const bundle = join(stack.esbuildFolder, '.build', 'functions', 'catalogs', 'handlers', 'list-catalogs.mjs');
    const { handler } = (await import(pathToFileURL(bundle).href)) as {
      handler: (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>;
    };
    const event = {
      httpMethod: 'GET',
      path: '/catalogs',
      headers: {},
      queryStringParameters: null,
      pathParameters: null,
      body: null,
      isBase64Encoded: false,
      requestContext: {},
    } as unknown as APIGatewayProxyEvent;
    const context = { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
    const inProcess = async () => {
      const result = await handler({ ...event }, context);
      if (result.statusCode !== 200) throw new Error(`in-process -> ${result.statusCode}`);
    };

    const warmup = Math.min(200, requests / 5);
    await load(warmup, concurrency, viaHttp);
    await load(warmup, concurrency, inProcess);
    const http = await load(requests, concurrency, viaHttp);
    const direct = await load(requests, concurrency, inProcess);
    return {
      http: { ...summarize(http.latencies), rps: requests / http.seconds },
      direct: { ...summarize(direct.latencies), rps: requests / direct.seconds },
    };
  } finally {
    await stack.stop();
  }
}

export function printGateway(figures: Awaited<ReturnType<typeof measureGateway>>, concurrency: number): void {
  const { http, direct } = figures;
  console.log(`\nGET /catalogs, ${http.n} requests, concurrency ${concurrency} (target: gateway overhead <= 2x)`);
  console.log(`  via serverless-offline : p50 ${ms(http.p50)}  p99 ${ms(http.p99)}  ${http.rps.toFixed(0)} req/s`);
  console.log(`  handler in-process     : p50 ${ms(direct.p50)}  p99 ${ms(direct.p99)}  ${direct.rps.toFixed(0)} req/s`);
  console.log(`  ratio (offline / in-process): p50 ${(http.p50 / direct.p50).toFixed(2)}x  p99 ${(http.p99 / direct.p99).toFixed(2)}x`);
}

if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename)) {
  const { values } = parseArgs({
    options: { requests: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '4' } },
  });
  const concurrency = Number(values.concurrency);
  printGateway(await measureGateway(Number(values.requests), concurrency), concurrency);
}
