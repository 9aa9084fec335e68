/**
 * The local AWS stack, for the local stage, built from the template AWS deploys:
 * DynamoDB Local + the SQS emulator + a local EventBridge, the template's tables/queues/rules,
 * serverless-offline on 127.0.0.1 behind a local API gateway (local/gateway.ts), and pollers that feed queue
 * messages to their functions.
 * Used by `npm start` (local/start.ts) and by the test harness (tests/global-setup.ts).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { ListQueuesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { loadTemplate, localStackModel, type CfnTemplate, type LocalStackModel } from './cloudformation.js';
import { isPackageCurrent, markPackageCurrent, packageInputsDigest } from './build-reuse.js';
import { LocalEventBus } from './eventbridge/local-event-bus.js';
import { gatewayModel, startGateway } from './gateway.js';
import { lambdaInvoker } from './lambda-invoker.js';
import { assertJavaAvailable, assertPortFree, startProcess, stopProcess, waitFor } from './processes.js';
import { ensureQueues, ensureTable } from './provision.js';
import { LocalScheduler } from './scheduler.js';
import { startSqsEmulator } from './sqs-emulator.js';
import { SqsJournal } from './sqs-journal.js';
import { SqsPoller } from './sqs-poller.js';
import { StreamPoller } from './stream-poller.js';
import type { Invoker } from './sqs-poller.js';
import type { AuthorizerMode } from '../functions/shared/http/handler.js';
import { FileKeyStore } from '../functions/users/adapters/file-key-store.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { startWriteSignal } from './dynamodb-write-signal.js';
import { createIamEnforcer, type IamEnforcer } from './iam/index.js';
import { startLambdaEndpoint } from './lambda-endpoint.js';
import type { Authorize } from './iam-gate.js';
import { ProcessRecord } from './process-record.js';
import { withPackageLock } from './package-lock-dir.js';
import { startTelemetry, telemetryPortOf } from './telemetry/index.js';

export interface LocalStackOptions {
  /** Keep DynamoDB data in memory only (a throw-away run); default: persist under `dataDir`. */
  inMemory?: boolean;
  /** Where persistent data (DynamoDB files, stream checkpoints) lives; default .local/. */
  dataDir?: string;
  stage?: string;
  ports?: Partial<LocalPorts>;
  log?: (message: string) => void;
  /** Print the children's output (serverless-offline, DynamoDB Local) too. */
  verbose?: boolean;
  /**
   * Who checks bearer tokens (serverless.yml param authorizerMode): `gateway` (the Lambda authorizer,
   * as on AWS; the default) or `function` (each protected function, as on LocalStack community).
   */
  authorizerMode?: AuthorizerMode;
  /**
   * Fire the template's schedules (the sweeper; local/scheduler.ts); default true. Most test stacks turn
   * them off (param sweepScheduleEnabled=false) and invoke the sweeper themselves.
   */
  schedules?: boolean;
  /**
   * Keep the queues' messages on disk (`<dataDir>/sqs-messages-<stage>.jsonl`) and send them again on the next start,
   * as SQS keeps them through anything (local/sqs-journal.ts); default false: a stop or a crash loses what was queued,
   * and the sweeper brings back what it can tell from the tables. Not with `inMemory`.
   */
  keepQueuedMessages?: boolean;
  /** More stage params (`key=value`, as `serverless --param`), e.g. a test stack's short log-in window. */
  params?: string[];
  /**
   * Where esbuild builds (relative to the repository); default `.esbuild`, or `.esbuild-<http port>` off the
   * default ports. Test stacks share one, so each packaging after the first reuses the bundles.
   */
  esbuildFolder?: string;
  /**
   * Enforce each function's IAM role at the local endpoints (local/iam/); default true. Each function signs its
   * calls as itself; a call its role does not allow is answered as AWS answers it. `npm start -- --no-iam` turns it off.
   */
  iam?: boolean;
}

export type { AuthorizerMode };
export const AUTHORIZER_MODES: readonly AuthorizerMode[] = ['gateway', 'function'];

/** The local stage's key file (serverless.yml params.local.jwtKeysSource, relative to the repo root). */
const LOCAL_JWT_KEY_FILE = '.local/keys/jwt-keys.json';

export interface LocalPorts {
  http: number;
  lambda: number;
  dynamodb: number;
  sqs: number;
  eventBridge: number;
  /** Traces and metrics (local/telemetry/); default 16686 (Jaeger's) plus the offset of `http` from 3000. */
  telemetry?: number;
}

/**
 * Batches an SQS mapping may keep in flight locally, while its queue has a backlog, when the template sets no
 * ScalingConfig.MaximumConcurrency (Lambda scales such a mapping out much further; a laptop's offline
 * workers would not keep up). See SqsPoller's backlog.
 */
export const LOCAL_SQS_CONCURRENCY = 4;

export const DEFAULT_PORTS: LocalPorts = { http: 3000, lambda: 3002, dynamodb: 8000, sqs: 9324, eventBridge: 4010 };

const REGION = 'us-east-1';
const ACCOUNT_ID = '000000000000';
// Fixed, non-secret credentials for the emulators (they accept any).
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface RunningStack {
  baseUrl: string;
  /** Traces (OTLP/Zipkin JSON) and Prometheus metrics of this stack (local/telemetry/). */
  telemetryUrl: string;
  endpoints: { dynamodb: string; sqs: string; eventBridge: string; lambda: string };
  /** The environment a process needs to talk to this stack with the AWS SDK. */
  env: Record<string, string>;
  model: LocalStackModel;
  queueUrls: Map<string, string>;
  stage: string;
  /** Where esbuild wrote the bundles serverless-offline runs (absolute). */
  esbuildFolder: string;
  stop(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '..');
const SERVERLESS_BIN = join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js');

function awsEnv(endpoints: RunningStack['endpoints']): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventBridge,
    // Function-to-function calls (users -> orders query) go to serverless-offline's invoke port.
    AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda,
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<RunningStack> {
  // The SDK warns on Node 20 that its 2027 releases need Node 22: true, nothing to act on here (the pinned
  // SDK runs; README, Choices). Said once in the README rather than at every start; the children
  // (serverless offline and its workers) inherit it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const log = options.log ?? ((message: string) => console.log(message));
  const stage = options.stage ?? 'local';
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  // The functions' DynamoDB endpoint is a pass-through that wakes the stream pollers on writes
  // (local/dynamodb-write-signal.ts); DynamoDB Local itself listens one port above.
  const dynamoDbLocalPort = ports.dynamodb + 1;
  const endpoints = {
    dynamodb: `http://127.0.0.1:${ports.dynamodb}`,
    sqs: `http://127.0.0.1:${ports.sqs}`,
    eventBridge: `http://127.0.0.1:${ports.eventBridge}`,
    lambda: `http://127.0.0.1:${ports.lambda}`,
  };
  const env = awsEnv(endpoints);
  // Spans of every hop the stack mediates, the functions' log lines and EMF metrics (memory only for an in-memory stack).
  const telemetry = startTelemetry({
    ...(options.inMemory ? {} : { file: join(resolve(ROOT, options.dataDir ?? '.local'), 'telemetry', 'traces.jsonl') }),
  });
  const childOutput = (name: string) => (line: string) => {
    if (name === 'offline') telemetry.recorder.line(line);
    if (options.verbose) log(`  [${name}] ${line}`);
  };

  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        log(`while stopping: ${(error as Error).message}`);
      }
    }
    stops.length = 0;
    processes.clear();
    await telemetry.stop();
  };

  const dataDir = resolve(ROOT, options.dataDir ?? '.local');
  const processes = new ProcessRecord(join(dataDir, `processes-${ports.http}.json`));

  try {
    assertJavaAvailable();
    for (const leftover of await processes.stopLeftovers()) {
      log(`Stopped ${leftover.what} (PID ${leftover.pid}), left running by a previous start that did not shut down.`);
    }
    // DynamoDB Local (on the port above its endpoint's) has no host option and binds every interface: probe it there.
    await assertPortFree(ports.dynamodb, 'DynamoDB endpoint');
    await assertPortFree(dynamoDbLocalPort, 'DynamoDB Local', '0.0.0.0');
    await assertPortFree(ports.sqs, 'SQS emulator');
    await assertPortFree(ports.eventBridge, 'local EventBridge');
    await assertPortFree(ports.http, 'API (local gateway)');
    await assertPortFree(ports.lambda, 'Lambda invoke port (serverless-offline)');
    await assertPortFree(telemetryPortOf(ports), 'telemetry (traces, metrics)');

    // npm start (default ports) builds into .esbuild/.serverless; other port sets into their own folders.
    const buildSuffix = ports.http === DEFAULT_PORTS.http ? '' : `-${ports.http}`;
    const build = { esbuildFolder: options.esbuildFolder ?? `.esbuild${buildSuffix}`, packageFolder: `.serverless${buildSuffix}` };
    const slsEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...env,
      ESBUILD_WORK_FOLDER: build.esbuildFolder,
      // Its packages zip the bundles nothing changed since they were built (scripts/serverless-plugins/esbuild-reuse.mjs).
      ESBUILD_REUSE_BUNDLES: '1',
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      // The local scheduler fires the template's schedules, not offline (scripts/serverless-plugins/offline-without-schedules.mjs).
      LOCAL_STACK_FIRES_SCHEDULES: '1',
      // Each function signs its calls as itself (scripts/serverless-plugins/offline-function-identities.mjs).
      ...(options.iam === false ? {} : { LOCAL_IAM_IDENTITIES: '1' }),
    };

    // Offline would take a stray AUTHORIZER variable of this shell as every request's authorizer context.
    delete slsEnv.AUTHORIZER;

    // The verifiers get the public keys at package time (params.local.jwtPublicJwks): make them first.
    await new FileKeyStore(join(ROOT, LOCAL_JWT_KEY_FILE)).loadOrCreate();
    const params = [
      ...(options.authorizerMode ? [`authorizerMode=${options.authorizerMode}`] : []),
      ...(options.schedules === false ? ['sweepScheduleEnabled=false'] : []),
      ...(options.params ?? []),
    ];

    const packageFolder = join(ROOT, build.packageFolder);
    const digest = packageInputsDigest(ROOT, { stage, params });
    let template: CfnTemplate;
    if (isPackageCurrent(packageFolder, digest)) {
      log(`Reusing the compiled template in ${build.packageFolder} (nothing it is made from changed since it was packaged) ...`);
      template = await loadTemplate(join(packageFolder, 'cloudformation-template-update-stack.json'));
    } else {
      log(`Compiling the CloudFormation template (serverless package --stage ${stage}${params.map((p) => ` --param ${p}`).join('')}) ...`);
      template = await packageTemplate(stage, build.packageFolder, slsEnv, childOutput('package'), params);
      markPackageCurrent(packageFolder, digest);
    }
    const model = localStackModel(template);
    // Built before anything starts: a policy the local evaluator cannot judge stops the start here, loudly.
    const iam: IamEnforcer | undefined =
      options.iam === false
        ? undefined
        : createIamEnforcer(template, { region: REGION, accountId: ACCOUNT_ID, stackName: `ecommerce-${stage}` });
    const authorize: Authorize = iam && ((service, request) => iam.authorize(service, request));
    if (iam) log(`IAM enforced at the local endpoints: ${iam.functions.size} function(s), each signing as itself (--no-iam turns it off).`);

    // serverless offline takes longest to start (its framework's start-up): it starts now, beside the
    // emulators, and is waited for once they are up. Offline listens on a free port of its own; the gateway,
    // on the public port, answers what API Gateway would.
    const offlinePort = await freePort();
    // Offline's Lambda port is private too: the public one checks each caller's role first (local/lambda-endpoint.ts).
    const offlineLambdaPort = await freePort();
    log(`Starting serverless offline on 127.0.0.1:${offlinePort}, behind the local API gateway on 127.0.0.1:${ports.http} ...`);
    const offline = startProcess(
      process.execPath,
      // --noTimeout: after a Lambda timeout serverless-offline 13 terminates the function's worker but
      // keeps it in its pool, so every later call to that function answers 504 until offline restarts.
      // A cold worker on a busy machine can exceed a short timeout; locally we give up timeouts instead.
      [
        SERVERLESS_BIN,
        ...[
          'offline',
          'start',
          '--stage',
          stage,
          '--httpPort',
          String(offlinePort),
          '--lambdaPort',
          String(offlineLambdaPort),
          '--noTimeout',
        ],
        // Idle function workers are kept 15 minutes, about as long as Lambda keeps an instance, not offline's 60 s:
        // otherwise the sweeper, every minute, loaded its bundle into a new worker each time (half the idle stack's CPU).
        ...['--terminateIdleLambdaTime', '900'],
        // The local gateway runs the authorizers (local/token-authorizer.ts) and passes their outcome on.
        '--noAuth',
        ...params.flatMap((param) => ['--param', param]),
      ],
      { cwd: ROOT, env: slsEnv, onOutput: childOutput('offline') },
    );
    processes.add('serverless offline', offline.pid);
    stops.push(() => stopProcess(offline));
    // The stack's own invocations (pollers, schedules, the gateway's authorizers) are Lambda's, not a role's: straight to offline.
    const invoke = lambdaInvoker(`http://127.0.0.1:${offlineLambdaPort}`, LOCAL_CREDENTIALS, REGION, telemetry.recorder);
    const lambdaEndpoint = await startLambdaEndpoint({
      port: ports.lambda,
      offlinePort: offlineLambdaPort,
      authorize,
      telemetry: telemetry.recorder,
    });
    stops.push(() => new Promise<void>((resolve) => lambdaEndpoint.close(() => resolve())));
    const gateway = await startGateway({
      model: gatewayModel(template),
      port: ports.http,
      upstreamPort: offlinePort,
      authorizers: { invoke, apiArn: `arn:aws:execute-api:${REGION}:${ACCOUNT_ID}:local/${stage}` },
      logUpstreamFailure: log,
      // Until offline answers, requests get 503 SERVICE_UNAVAILABLE and no log line.
      upstreamStarting: true,
      telemetry: telemetry.recorder,
    });
    stops.push(() => gateway.close());
    const baseUrl = `http://127.0.0.1:${ports.http}`;
    // Asked directly, not through the gateway: its refused connections while offline starts are not failures to log.
    const offlineReady = () =>
      waitFor('serverless offline', async () => (await fetch(`http://127.0.0.1:${offlinePort}/health`)).status === 200, 120_000, offline);

    log(`Starting DynamoDB Local on port ${dynamoDbLocalPort} (${options.inMemory ? 'in memory' : `data in ${dataDir}/dynamodb`}) ...`);
    const dynamoDbOutput = childOutput('dynamodb');
    const dynamoDb = startDynamoDbLocal({
      port: dynamoDbLocalPort,
      ...(options.inMemory ? {} : { dataPath: join(dataDir, 'dynamodb') }),
      onOutput: (text) => dynamoDbOutput(text.trim()),
    });
    processes.add('DynamoDB Local', dynamoDb.pid);
    stops.push(() => stopProcess(dynamoDb));
    const directEndpoint = `http://127.0.0.1:${dynamoDbLocalPort}`;
    const dynamodbClient = new DynamoDBClient({ endpoint: directEndpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
    stops.push(async () => dynamodbClient.destroy());
    await waitFor('DynamoDB Local', async () => !!(await dynamodbClient.send(new ListTablesCommand({}))), 30_000, dynamoDb);
    // Pollers back off while idle; these wake them when work arrives (the bus delivered, a table was written).
    const wakeQueuePoller = new Map<string, () => void>();
    const wakeStreamPollers: Array<[table: string, wake: () => void]> = [];
    const writeSignal = await startWriteSignal({
      port: ports.dynamodb,
      targetPort: dynamoDbLocalPort,
      onWrite: (tables) => {
        for (const [table, wake] of wakeStreamPollers) if (!tables || tables.includes(table)) wake();
      },
      authorize,
      telemetry: telemetry.recorder,
    });
    stops.push(() => new Promise<void>((done) => writeSignal.close(() => done())));

    log(`Starting the SQS emulator on 127.0.0.1:${ports.sqs} ...`);
    const journal =
      options.keepQueuedMessages && !options.inMemory ? new SqsJournal(join(dataDir, `sqs-messages-${stage}.jsonl`)) : undefined;
    const sqsServer = await startSqsEmulator({
      journal,
      port: ports.sqs,
      region: REGION,
      accountId: ACCOUNT_ID,
      // The queue's pollers, at once and when each delayed message becomes visible (a queue's DelaySeconds).
      onSend: (queueName) => wakeQueuePoller.get(queueName)?.(),
      authorize,
    });
    stops.push(() => new Promise<void>((done) => sqsServer.close(() => done())));
    const sqs = new SQSClient({ endpoint: endpoints.sqs, region: REGION, credentials: LOCAL_CREDENTIALS });
    stops.push(async () => sqs.destroy());
    await waitFor('SQS emulator', async () => !!(await sqs.send(new ListQueuesCommand({}))), 10_000);

    log(`Creating ${model.tables.length} table(s) and ${model.queues.length} queue(s) from the template ...`);
    for (const table of model.tables) {
      // A table kept from an earlier start that the template changed beyond repair stops the start (TableSchemaDriftError).
      const outcome = await ensureTable(dynamodbClient, table, { dataDir: options.dataDir ?? '.local/' });
      log(`  table ${String(table.properties.TableName)}: ${outcome}`);
    }
    const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${name}`;
    const queueUrls = await ensureQueues(sqs, model.queues, queueArn);
    for (const name of queueUrls.keys()) log(`  queue ${name}`);
    const restored = await journal?.restore(sqs, queueUrls);
    if (restored) log(`Restored ${restored} queued message(s) the last run left (they are delivered once the functions are up).`);

    log(`Starting the local EventBridge on 127.0.0.1:${ports.eventBridge} (${model.rules.length} rule(s)) ...`);
    const bus = new LocalEventBus({
      port: ports.eventBridge,
      region: REGION,
      accountId: ACCOUNT_ID,
      eventBuses: model.eventBuses,
      rules: model.rules,
      sqs,
      queueUrl: (name) => queueUrls.get(name) ?? `${endpoints.sqs}/${ACCOUNT_ID}/${name}`,
      onDelivered: (name) => wakeQueuePoller.get(name)?.(),
      log,
      authorize,
      telemetry: telemetry.recorder,
    });
    await bus.start();
    stops.push(() => bus.stop());

    await offlineReady();
    gateway.upstreamUp();

    await runSeedFunctions(join(ROOT, build.packageFolder), stage, invoke, log);

    const sqsMappings = model.eventSourceMappings.filter((mapping) => mapping.enabled && mapping.source.kind === 'sqs');
    const pollers = sqsMappings.map((mapping) => {
      const name = (mapping.source as { queueName: string }).queueName;
      const poller = new SqsPoller({
        sqs,
        queueUrl: queueUrls.get(name) as string,
        queueArn: queueArn(name),
        region: REGION,
        functionName: mapping.functionName,
        batchSize: mapping.batchSize,
        reportBatchItemFailures: mapping.reportBatchItemFailures,
        invoke,
        // Short polls: the emulator's long poll waits out its full wait time even when a message
        // arrives, which added up to a second per saga hop.
        waitTimeSeconds: 0,
        concurrency: mapping.maximumConcurrency ?? LOCAL_SQS_CONCURRENCY,
        visibilityTimeoutSeconds: Number(model.queues.find((queue) => queue.name === name)?.attributes.VisibilityTimeout ?? 30),
        log,
        telemetry: telemetry.recorder,
      });
      wakeQueuePoller.set(name, () => poller.wake());
      return poller;
    });
    for (const poller of pollers) poller.start();
    stops.push(async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
    });
    if (pollers.length > 0) log(`Delivering ${pollers.length} queue(s) to their functions.`);

    // A discarded batch's invocation record goes to the mapping's on-failure queue, as Lambda sends it.
    const sendToQueue = (name: string) => {
      const queueUrl = queueUrls.get(name);
      if (!queueUrl) throw new Error(`On-failure destination queue ${name} is not a queue of the template`);
      return async (record: unknown) => {
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(record) }));
      };
    };
    const streams = new DynamoDBStreamsClient({ endpoint: directEndpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
    stops.push(async () => streams.destroy());
    const streamPollers = model.eventSourceMappings
      .filter((mapping) => mapping.enabled && mapping.source.kind === 'dynamodb-stream')
      .map(
        (mapping) =>
          new StreamPoller({
            dynamodb: dynamodbClient,
            streams,
            tableName: (mapping.source as { tableName: string }).tableName,
            functionName: mapping.functionName,
            batchSize: mapping.batchSize,
            reportBatchItemFailures: mapping.reportBatchItemFailures,
            startingPosition: mapping.startingPosition,
            maximumRetryAttempts: mapping.maximumRetryAttempts,
            parallelizationFactor: mapping.parallelizationFactor,
            bisectBatchOnFunctionError: mapping.bisectBatchOnFunctionError,
            ...(mapping.onFailureQueueName ? { onFailure: sendToQueue(mapping.onFailureQueueName) } : {}),
            region: REGION,
            accountId: ACCOUNT_ID,
            invoke,
            ...(options.inMemory ? {} : { checkpointFile: join(dataDir, `stream-checkpoints-${stage}.json`) }),
            log,
            telemetry: telemetry.recorder,
          }),
      );
    for (const poller of streamPollers) {
      wakeStreamPollers.push([poller.tableName, () => poller.wake()]);
      await poller.start();
    }
    stops.push(async () => {
      await Promise.all(streamPollers.map((poller) => poller.stop()));
    });
    if (streamPollers.length > 0) log(`Delivering ${streamPollers.length} table stream(s) to their functions.`);

    const scheduler = new LocalScheduler({ schedules: model.schedules, invoke, region: REGION, accountId: ACCOUNT_ID, log });
    scheduler.start();
    stops.push(() => scheduler.stop());

    const telemetryServer = await telemetry.serve(telemetryPortOf(ports), sqs, queueUrls, {
      template,
      queues: model.queues,
      region: REGION,
      accountId: ACCOUNT_ID,
      stackName: `ecommerce-${stage}`,
    });
    stops.push(() => new Promise<void>((done) => telemetryServer.close(() => done())));
    const telemetryUrl = `http://127.0.0.1:${telemetryPortOf(ports)}`;

    return {
      baseUrl,
      telemetryUrl,
      endpoints,
      env,
      model,
      queueUrls,
      stage,
      esbuildFolder: join(ROOT, build.esbuildFolder),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * `serverless package` into `packageFolder`, with `--param key=value` for each of `params`; returns the
 * compiled template. Bounded: a package that has not exited after `timeoutMs` is stopped and is an error
 * (a plugin that leaves a handle open once hung it after "Service packaged"). Also used by the template checks.
 */
export async function packageTemplate(
  stage: string,
  packageFolder: string,
  env: NodeJS.ProcessEnv,
  onOutput: (line: string) => void = () => undefined,
  params: string[] = [],
  timeoutMs = 180_000,
) {
  return withPackageLock(ROOT, () => runPackage(stage, packageFolder, env, onOutput, params, timeoutMs));
}

async function runPackage(
  stage: string,
  packageFolder: string,
  env: NodeJS.ProcessEnv,
  onOutput: (line: string) => void,
  params: string[],
  timeoutMs: number,
) {
  const args = [SERVERLESS_BIN, 'package', '--stage', stage, '--package', packageFolder, ...params.flatMap((param) => ['--param', param])];
  const output: string[] = [];
  const child = startProcess(process.execPath, args, {
    cwd: ROOT,
    env,
    onOutput: (line) => {
      output.push(line);
      onOutput(line);
    },
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    // Hung, not busy: kill its whole group (the esbuild service included) at once.
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
  }, timeoutMs);
  const code = await new Promise<number | null>((done) => child.once('exit', (exitCode) => done(exitCode)));
  clearTimeout(timer);
  if (timedOut) throw new Error(`serverless package --stage ${stage} did not exit within ${timeoutMs / 1000} s`);
  if (code !== 0) {
    throw new Error(`serverless package --stage ${stage} failed (exit ${code}):\n${output.join('\n').slice(-4000)}`);
  }
  return loadTemplate(join(ROOT, packageFolder, 'cloudformation-template-update-stack.json'));
}

/** A port free on 127.0.0.1 now (the system's pick), for a child that takes its port as an argument. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Runs the functions listed under custom.localStack.seedFunctions (idempotent seeders). */
async function runSeedFunctions(packageFolder: string, stage: string, invoke: Invoker, log: (message: string) => void): Promise<void> {
  const state = JSON.parse(readFileSync(join(packageFolder, 'serverless-state.json'), 'utf8')) as {
    service: { service: string; custom?: { localStack?: { seedFunctions?: string[] } } };
  };
  for (const name of state.service.custom?.localStack?.seedFunctions ?? []) {
    const functionName = `${state.service.service}-${stage}-${name}`;
    const result = await invoke(functionName, {});
    if (!result.ok) throw new Error(`Seeding with ${name} failed: ${result.error}`);
    log(`Seeded with ${name}: ${JSON.stringify(result.payload)}`);
  }
}
