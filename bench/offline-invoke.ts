/**
 * What one invocation through serverless-offline costs, next to the same handler called in-process: the
 * `health` function (no DynamoDB, no SDK call: the cheapest there is), invoked
 * - over HTTP, GET /health through the local gateway (this process: the proxy; offline: its HTTP server,
 *   API Gateway emulation and the function's worker thread);
 * - through offline's Lambda invoke port, with @aws-sdk/client-lambda as the stack's pollers invoke
 *   (local/lambda-invoker.ts);
 * - in-process: the bundle offline runs (the stack's esbuild folder), and the TypeScript handler (tsx),
 *   with the function's environment from the compiled template: the floor.
 * At 1, 10 and 50 in flight, `--requests` each: requests/s, p50/p99, and CPU ms per invocation of offline's
 * process (its worker threads included) and of this process. Starts its own local stack (in memory, its own
 * ports). Then, unless `--no-offline-alone`, serverless offline on its own (the stack stopped; the same
 * command line as local/stack.ts's), once as the stack runs it and once with `--useInProcess`, HTTP straight
 * to offline and through its invoke port: what the gateway adds, and what offline's worker threads cost.
 * Figures are printed, never asserted. Bounded: fixed request counts.
 *
 *   npx tsx bench/offline-invoke.ts [--requests 2000] [--concurrency 1,10,50] [--no-offline-alone]
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { startProcess, stopProcess, waitFor } from '../local/processes.js';
import { LOCAL_CREDENTIALS, startLocalStack, type RunningStack } from '../local/stack.js';
import type { CfnTemplate } from '../local/cloudformation.js';
import { cpuSince, processLabel, processTreeCpu } from './process-cpu.js';
import { load, ms, summarize } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const PORTS = { http: 3850, lambda: 3852, dynamodb: 8860, sqs: 9850, eventBridge: 4850 };

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const healthEvent = (): APIGatewayProxyEvent =>
  ({
    resource: '/health',
    httpMethod: 'GET',
    path: '/health',
    headers: { accept: 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'bench', identity: { sourceIp: '127.0.0.1' } },
  }) as unknown as APIGatewayProxyEvent;

const context = {
  awsRequestId: 'bench',
  functionName: 'ecommerce-local-health',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

/** The health function's environment as the compiled template gives it (its literal values). */
function functionEnvironment(stack: RunningStack, logicalId: string): Record<string, string> {
  // local/stack.ts packages a stack on other ports than npm start's into .serverless-<http port>.
  const template = JSON.parse(
    readFileSync(join(ROOT, `.serverless-${PORTS.http}`, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as CfnTemplate;
  const variables =
    (template.Resources[logicalId]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  return {
    ...stack.env,
    ...Object.fromEntries(Object.entries(variables).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
  };
}

/** Runs `task` with this process's output swallowed (the handler logs there, as it does in offline's worker). */
async function quietly<T>(task: () => Promise<T>): Promise<T> {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await task();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

interface PathFigures {
  part: string;
  path: string;
  concurrency: number;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU ms per invocation, by process. */
  cpu: Array<{ name: string; msPerCall: number }>;
  offlineThreads?: number;
}

function threadsOf(pid: number): number | undefined {
  try {
    return Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

interface Path {
  path: string;
  quiet?: boolean;
  call: () => Promise<void>;
}

/** Each path at each concurrency: latencies, and CPU per invocation by process (offline's threads counted after). */
async function measurePaths(
  part: string,
  paths: Path[],
  options: Options,
  offlinePid: number | undefined,
  thisProcess: string,
): Promise<PathFigures[]> {
  const figures: PathFigures[] = [];
  for (const { path, quiet, call } of paths) {
    const run = (count: number, concurrency: number) =>
      quiet ? quietly(() => load(count, concurrency, call)) : load(count, concurrency, call);
    await run(Math.min(200, options.requests), Math.max(...options.concurrencies)); // warm: workers started, JIT
    for (const concurrency of options.concurrencies) {
      const before = processTreeCpu();
      const result = await run(options.requests, concurrency);
      const spent = cpuSince(before);
      const s = summarize(result.latencies);
      const byName = new Map<string, number>();
      for (const p of spent) {
        const name = p.pid === process.pid ? thisProcess : processLabel(p);
        byName.set(name, (byName.get(name) ?? 0) + p.seconds);
      }
      figures.push({
        part,
        path,
        concurrency,
        requests: result.latencies.length,
        perSecond: result.latencies.length / result.seconds,
        p50: s.p50,
        p99: s.p99,
        cpu: [...byName]
          .map(([name, seconds]) => ({ name, msPerCall: (seconds * 1000) / result.latencies.length }))
          .filter((c) => c.msPerCall >= 0.005)
          .sort((a, b) => b.msPerCall - a.msPerCall),
        ...(offlinePid !== undefined ? { offlineThreads: threadsOf(offlinePid) } : {}),
      });
    }
  }
  return figures;
}

const invokePath = (lambda: LambdaClient, path: string): Path => ({
  path,
  call: async () => {
    const response = await lambda.send(
      new InvokeCommand({ FunctionName: 'ecommerce-local-health', Payload: Buffer.from(JSON.stringify(healthEvent())) }),
    );
    const payload = JSON.parse(Buffer.from(response.Payload ?? new Uint8Array()).toString('utf8')) as { statusCode?: number };
    if (response.FunctionError || payload.statusCode !== 200) throw new Error(`invoke health -> ${JSON.stringify(payload)}`);
  },
});

const httpPath = (url: string, path: string): Path => ({
  path,
  call: async () => {
    const response = await fetch(url);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`GET ${url} -> ${response.status}`);
  },
});

interface Options {
  requests: number;
  concurrencies: number[];
  /** Also start serverless offline on its own (no gateway, no emulators), as the stack starts it and with --useInProcess. */
  offlineAlone: boolean;
}

export async function measureOfflineInvoke(options: Options) {
  const figures: PathFigures[] = [];
  const stack = await startLocalStack({ inMemory: true, ports: PORTS, schedules: false, log: () => undefined });
  const lambda = new LambdaClient({
    endpoint: stack.endpoints.lambda,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  try {
    Object.assign(process.env, functionEnvironment(stack, 'HealthLambdaFunction'));
    const bundle = (await import(
      pathToFileURL(join(stack.esbuildFolder, '.build', 'functions', 'platform', 'handlers', 'health.mjs')).href
    )) as {
      handler: Handler;
    };
    const source = (await import('../functions/platform/handlers/health.js')) as unknown as { handler: Handler };
    const offlinePid = processTreeCpu().find((p) => processLabel(p).startsWith('serverless offline'))?.pid;
    const inProcess = (handler: Handler, path: string): Path => ({
      path,
      quiet: true,
      call: async () => {
        const result = await handler(healthEvent(), context);
        if (result.statusCode !== 200) throw new Error(`${path} -> ${result.statusCode}`);
      },
    });
    figures.push(
      ...(await measurePaths(
        'the local stack (npm start, in memory)',
        [
          httpPath(`${stack.baseUrl}/health`, 'HTTP GET /health via the local gateway'),
          invokePath(lambda, "Lambda Invoke on offline's invoke port"),
          inProcess(bundle.handler, 'in-process, the bundle offline runs'),
          inProcess(source.handler, 'in-process, the TypeScript handler (tsx)'),
        ],
        options,
        offlinePid,
        'this process (the client; the local stack: gateway proxy, idle pollers)',
      )),
    );
  } finally {
    lambda.destroy();
    await stack.stop();
  }
  if (options.offlineAlone) {
    for (const inProcess of [false, true]) {
      const offline = await startOfflineAlone(inProcess);
      const client = new LambdaClient({
        endpoint: offline.lambdaEndpoint,
        region: 'us-east-1',
        credentials: LOCAL_CREDENTIALS,
        maxAttempts: 1,
      });
      try {
        figures.push(
          ...(await measurePaths(
            `serverless offline alone, ${inProcess ? "with --useInProcess (handlers in offline's own thread)" : 'as the stack starts it (a worker thread per function instance)'}`,
            [
              httpPath(`${offline.httpUrl}/health`, 'HTTP GET /health straight to offline'),
              invokePath(client, "Lambda Invoke on offline's invoke port"),
            ],
            options,
            offline.child.pid,
            'this process (the client)',
          )),
        );
      } finally {
        client.destroy();
        await stopProcess(offline.child);
      }
    }
  }
  return figures;
}

/** serverless offline as local/stack.ts starts it (same command, same build folder), on ports of its own, nothing around it. */
async function startOfflineAlone(inProcess: boolean) {
  const ports = { http: PORTS.http + 6, lambda: PORTS.http + 7 };
  const child = startProcess(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js'),
      ...['offline', 'start', '--stage', 'local', '--httpPort', String(ports.http), '--lambdaPort', String(ports.lambda), '--noTimeout'],
      ...(inProcess ? ['--useInProcess'] : []),
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ESBUILD_WORK_FOLDER: `.esbuild-${PORTS.http}`,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        LOCAL_STACK_FIRES_SCHEDULES: '1',
      },
    },
  );
  const httpUrl = `http://127.0.0.1:${ports.http}`;
  await waitFor('serverless offline', async () => (await fetch(`${httpUrl}/health`)).status === 200, 180_000, child);
  return { child, httpUrl, lambdaEndpoint: `http://127.0.0.1:${ports.lambda}` };
}

export function printOfflineInvoke(figures: Awaited<ReturnType<typeof measureOfflineInvoke>>): void {
  console.log('\nOne invocation of `health`: through serverless-offline vs in-process');
  let lastPart = '';
  let last = '';
  for (const f of figures) {
    if (f.part !== lastPart) console.log(`\n== ${f.part}`);
    if (f.path !== last || f.part !== lastPart) console.log(`${f.path}:`);
    lastPart = f.part;
    last = f.path;
    const cpu = f.cpu.map((c) => `${c.msPerCall.toFixed(2)} ms ${c.name}`).join('; ');
    console.log(
      `  ${String(f.concurrency).padStart(2)} in flight: ${f.perSecond.toFixed(0).padStart(6)} req/s  p50 ${ms(f.p50).padStart(9)}  ` +
        `p99 ${ms(f.p99).padStart(9)}  (n=${f.requests})`,
    );
    console.log(`      CPU per invocation: ${cpu || 'n/a'}${f.offlineThreads ? `  [offline threads: ${f.offlineThreads}]` : ''}`);
  }
}

if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '1,10,50' },
      'no-offline-alone': { type: 'boolean', default: false },
    },
  });
  printOfflineInvoke(
    await measureOfflineInvoke({
      requests: Number(values.requests),
      concurrencies: values.concurrency.split(',').map(Number),
      offlineAlone: !values['no-offline-alone'],
    }),
  );
}
