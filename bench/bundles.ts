/**
 * INIT as Lambda pays it, per function: packages a stage (`serverless package`, into folders of its own so a
 * running `npm start` is not disturbed), unzips every function's artifact as Lambda does into a task root,
 * and times the import of its handler module in a fresh Node 22 process started the way the nodejs22.x runtime
 * starts it (its heap flags) with the environment the compiled template gives the function (NODE_OPTIONS
 * included) plus the variables Lambda adds. Rated against a floor: a bundle that only creates a DynamoDB
 * document client, built in the same run with serverless.yml's custom.esbuild options. Rounds run in shuffled
 * order (each round imports every bundle once) and the median is reported. Figures are printed, not asserted.
 *
 *   npx tsx bench/bundles.ts [--stage dev] [--param key=value ...] [--skip-package] [--rounds 15]
 *                            [--no-node-options] [--node path/to/node22]
 *
 * --param goes to `serverless package` (e.g. --param 'jwtPublicJwks={"keys":[...]}' when a stage's keys do not
 * exist yet: a handler that reads an empty variable at import fails the run). --skip-package reuses
 * .serverless-bench. When the template sets NODE_OPTIONS, every function is also imported without it in the
 * same rounds (the "without NODE_OPTIONS" columns); --no-node-options measures without it only.
 * "cpu ms" (user + system time of the importing process) is less sensitive than wall time to a busy machine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type BuildOptions } from 'esbuild';
import { newKeySet, publicJwks } from '../functions/users/auth/key-set.js';
import { loadTemplate, type CfnResource, type CfnTemplate } from '../local/cloudformation.js';
import { summarize } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const PACKAGE_DIR = '.serverless-bench';
const WORK_FOLDER = '.esbuild-bench';
const FLOOR_ENTRY = join(ROOT, 'bench', 'floor', 'floor.ts');

const MAX_FLOOR_RATIO = 1.25;
const MAX_BUNDLE_KB = 350;
const AUTHORIZER = 'authorizer';
const AUTHORIZER_MAX_KB = 60;
const AUTHORIZER_MAX_FLOOR_RATIO = 0.3;

const ACCOUNT = '123456789012';
const SDK_SOURCE = /node_modules\/@(aws-sdk|smithy)\//;

export interface BundleOptions {
  stage?: string;
  /** Passed to serverless as `--param key=value`. */
  params?: string[];
  skipPackage?: boolean;
  rounds?: number;
  /** false: import without the template's NODE_OPTIONS only. */
  nodeOptions?: boolean;
  /** The Node 22 binary; default node_modules/node-<platform>-<arch>/bin/node. */
  node?: string;
}

export interface BundleFigure {
  function: string;
  bundleKb: number;
  zipKb: number;
  /** AWS SDK modules (@aws-sdk/*, @smithy/*) in the bundle, from its source map (-1: unknown, tell-tale found). */
  sdkModules: number;
  /** Median import ms with the template's environment (NODE_OPTIONS included unless dropped). */
  initP50Ms: number;
  /** Median CPU ms (all threads) of that import: less sensitive than wall time to a busy machine. */
  initCpuP50Ms: number;
  /** Median import ms without NODE_OPTIONS, measured in the same rounds when the template sets it. */
  withoutNodeOptionsP50Ms?: number;
  /** Median over rounds of (import ms - import ms without NODE_OPTIONS), each pair from the same round. */
  nodeOptionsCostP50Ms?: number;
  /** The same, in CPU ms. */
  nodeOptionsCpuCostP50Ms?: number;
  failures: string[];
}

export interface BundleReport {
  stage: string;
  node: string;
  rounds: number;
  /** The template's NODE_OPTIONS (undefined: not set); whether the main figures include it. */
  nodeOptions?: string;
  nodeOptionsMeasured: boolean;
  floor: { bundleKb: number; initP50Ms: number; initP90Ms: number; initCpuP50Ms: number };
  figures: BundleFigure[];
  loadAverage: { start: number[]; end: number[] };
  cpus: string;
  cpuCount: number;
}

interface Job {
  label: string;
  variant: 'env' | 'without';
  bundle: string;
  exportName: string;
  taskRoot: string;
  flags: string[];
  env: Record<string, string>;
  samples: number[];
  cpuSamples: number[];
}

interface ServerlessState {
  service: {
    service: string;
    custom?: { esbuild?: Record<string, unknown> };
    provider: {
      region: string;
      stage: string;
      runtime?: string;
      memorySize?: number;
      stackName?: string;
      environment?: Record<string, unknown>;
    };
    functions: Record<string, { name: string; package?: { artifact?: string } }>;
  };
}

// ---- packaging -------------------------------------------------------------------------------------------

function packageStage(stage: string, params: string[]): void {
  const args = ['package', '--stage', stage, '--package', PACKAGE_DIR, ...params.flatMap((param) => ['--param', param])];
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/serverless/bin/serverless.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    // Its own esbuild work folder (serverless.yml reads ESBUILD_WORK_FOLDER), so `npm start`'s stays untouched.
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', ESBUILD_WORK_FOLDER: WORK_FOLDER },
  });
  if (result.status !== 0) {
    throw new Error(`serverless ${args.join(' ')} failed (add --param key=value?):\n${result.stdout}\n${result.stderr}`);
  }
}

// ---- CloudFormation values as Lambda would see them ------------------------------------------------------

interface ResolveContext {
  template: CfnTemplate;
  region: string;
  stackName: string;
}

const NAME_PROPERTIES = ['FunctionName', 'TableName', 'QueueName', 'TopicName', 'BucketName', 'RoleName', 'StateMachineName', 'Name'];

function physicalName(ctx: ResolveContext, logicalId: string): string {
  const props = ctx.template.Resources[logicalId]?.Properties ?? {};
  for (const key of NAME_PROPERTIES) {
    if (props[key] !== undefined) return plausible(ctx, props[key]);
  }
  return `${ctx.stackName}-${logicalId}`; // CloudFormation's generated names look alike
}

function arnOf(ctx: ResolveContext, logicalId: string, resource: CfnResource): string {
  const name = physicalName(ctx, logicalId);
  const at = `${ctx.region}:${ACCOUNT}`;
  switch (resource.Type) {
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:${at}:table/${name}`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${at}:${name}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${at}:${name}`;
    case 'AWS::Events::EventBus':
      return `arn:aws:events:${at}:event-bus/${name}`;
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${at}:function:${name}`;
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${ACCOUNT}:role/${name}`;
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${name}`;
    case 'AWS::SSM::Parameter':
      return `arn:aws:ssm:${at}:parameter/${name.replace(/^\//, '')}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${at}:stateMachine:${name}`;
    default:
      return `arn:aws:${resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown'}:${at}:${name}`;
  }
}

function refOf(ctx: ResolveContext, logicalId: string): string {
  const pseudo: Record<string, string> = {
    'AWS::Region': ctx.region,
    'AWS::AccountId': ACCOUNT,
    'AWS::StackName': ctx.stackName,
    'AWS::StackId': `arn:aws:cloudformation:${ctx.region}:${ACCOUNT}:stack/${ctx.stackName}/bench`,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::NoValue': '',
  };
  if (pseudo[logicalId] !== undefined) return pseudo[logicalId];
  const resource = ctx.template.Resources[logicalId];
  if (!resource) return `bench-${logicalId}`; // a template parameter
  const name = physicalName(ctx, logicalId);
  switch (resource.Type) {
    case 'AWS::SQS::Queue':
      return `https://sqs.${ctx.region}.amazonaws.com/${ACCOUNT}/${name}`;
    case 'AWS::SNS::Topic':
    case 'AWS::SecretsManager::Secret':
    case 'AWS::StepFunctions::StateMachine':
      return arnOf(ctx, logicalId, resource);
    default:
      return name;
  }
}

function getAttOf(ctx: ResolveContext, logicalId: string, attribute: string): string {
  const resource = ctx.template.Resources[logicalId];
  if (!resource) return `bench-${logicalId}-${attribute}`;
  switch (attribute) {
    case 'Arn':
      return arnOf(ctx, logicalId, resource);
    case 'StreamArn':
      return `${arnOf(ctx, logicalId, resource)}/stream/2025-01-01T00:00:00.000`;
    case 'QueueUrl':
      return refOf(ctx, logicalId);
    case 'QueueName':
    case 'TopicName':
    case 'Name':
      return physicalName(ctx, logicalId);
    default:
      return `${physicalName(ctx, logicalId)}-${attribute}`;
  }
}

/** A template value (literal or Ref / GetAtt / Sub / Join / ...) as a plausible deployed string. */
function plausible(ctx: ResolveContext, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || typeof value !== 'object') return '';
  const intrinsic = value as Record<string, any>;
  if (typeof intrinsic.Ref === 'string') return refOf(ctx, intrinsic.Ref);
  const getAtt = intrinsic['Fn::GetAtt'];
  if (getAtt !== undefined) {
    const [logicalId, ...attribute] = Array.isArray(getAtt) ? getAtt.map(String) : String(getAtt).split('.');
    return getAttOf(ctx, logicalId ?? '', attribute.join('.'));
  }
  const sub = intrinsic['Fn::Sub'];
  if (sub !== undefined) {
    const [text, vars] = Array.isArray(sub) ? [String(sub[0]), (sub[1] ?? {}) as Record<string, unknown>] : [String(sub), {}];
    return text.replace(/\$\{(!?)([^}]+)\}/g, (_match, bang: string, name: string) => {
      if (bang) return `\${${name}}`;
      if (name in vars) return plausible(ctx, vars[name]);
      const [id, ...attribute] = name.split('.');
      return attribute.length > 0 ? getAttOf(ctx, id ?? '', attribute.join('.')) : refOf(ctx, name);
    });
  }
  const join = intrinsic['Fn::Join'];
  if (Array.isArray(join)) {
    return (Array.isArray(join[1]) ? join[1] : []).map((part: unknown) => plausible(ctx, part)).join(String(join[0]));
  }
  const select = intrinsic['Fn::Select'];
  if (Array.isArray(select) && Array.isArray(select[1])) return plausible(ctx, select[1][Number(select[0])]);
  if (intrinsic['Fn::ImportValue'] !== undefined) return `imported-${plausible(ctx, intrinsic['Fn::ImportValue'])}`;
  if (Array.isArray(intrinsic['Fn::If'])) return plausible(ctx, intrinsic['Fn::If'][1]);
  return JSON.stringify(value);
}

// ---- the runtime's process -------------------------------------------------------------------------------

/** The heap flags the nodejs runtime's bootstrap derives from the memory size (they change GC during import). */
function runtimeFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  const heap = [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
  return ['--expose-gc', '--max-http-header-size', '81920', ...heap];
}

interface LambdaFunction {
  name: string;
  handler: string;
  memoryMb: number;
  tracing: boolean;
  variables: Record<string, string>;
}

/** The template's variables, then what Lambda sets itself (reserved: a template cannot override them). */
function lambdaEnv(fn: LambdaFunction, region: string, taskRoot: string, runtime: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    NODE_PATH: `/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:${taskRoot}`,
    ...fn.variables,
    _HANDLER: fn.handler,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: '2025/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
    AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
    AWS_SECRET_ACCESS_KEY: 'bench/bench/bench/bench/bench/bench/bench0',
    AWS_SESSION_TOKEN: 'bench-session-token',
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
  };
  if (fn.tracing) {
    // Active tracing: the X-Ray SDK (Powertools Tracer) configures itself from these at import.
    Object.assign(env, {
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
      _AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129',
      _AWS_XRAY_DAEMON_PORT: '2000',
    });
  }
  return env;
}

// Imports the handler module only (no invocation), as the runtime's loader does, and reports the time.
const RUNNER = `const [url, exportName] = process.argv.slice(2);
const c0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(url);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(c0);
if (typeof mod[exportName] !== 'function') {
  process.stderr.write('no function export ' + exportName + '\\n');
  process.exit(3);
}
process.stdout.write('\\n@@bench-import-ms ' + ms + ' ' + (cpu.user + cpu.system) / 1000 + '\\n', () => process.exit(0));
`;

function importOnce(node: string, runner: string, job: Job): { ms: number; cpuMs: number } {
  const result = spawnSync(node, [...job.flags, runner, pathToFileURL(job.bundle).href, job.exportName], {
    cwd: job.taskRoot,
    env: job.env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const match = /@@bench-import-ms (\S+) (\S+)/.exec(result.stdout ?? '');
  if (result.status !== 0 || !match) {
    const hint = 'a variable the template leaves empty? set it at packaging: --param key=value';
    throw new Error(
      `importing ${job.label} (${job.variant}) failed (status ${result.status}; ${hint}):\n${result.stderr || result.error?.message}`,
    );
  }
  return { ms: Number(match[1]), cpuMs: Number(match[2]) };
}

function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/**
 * Lambda's runtime is Node 22. It comes as the npm package node-<platform>-<arch>, installed on first use
 * into .bench/ (not a project dependency: its `node` binary would shadow the machine's in npm scripts).
 */
const BENCH_NODE_VERSION = '22.23.5';

function defaultNode(): string {
  const prefix = join(ROOT, '.bench', `node-${BENCH_NODE_VERSION}`);
  const pkg = `node-${process.platform}-${process.arch}`;
  const binary = join(prefix, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(binary)) {
    console.log(`Installing Node ${BENCH_NODE_VERSION} (${pkg}) for the benchmark into ${prefix} ...`);
    const npm = spawnSync(
      'npm',
      ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `${pkg}@${BENCH_NODE_VERSION}`],
      {
        stdio: 'inherit',
      },
    );
    if (npm.status !== 0 || !existsSync(binary)) {
      console.log(`Could not install ${pkg}; measuring with this process's Node ${process.version} instead.`);
      return process.execPath;
    }
  }
  return binary;
}

// ---- the floor -------------------------------------------------------------------------------------------

// serverless-esbuild's own keys; everything else in custom.esbuild goes to esbuild as is (see its bundle.js).
const PLUGIN_KEYS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

async function buildFloor(custom: Record<string, unknown>, runtime: string, outDir: string): Promise<string> {
  if (custom.config !== undefined) throw new Error('custom.esbuild.config (a JS config file) is not supported by bench/bundles.ts');
  const extension = typeof custom.outputFileExtension === 'string' ? custom.outputFileExtension : '.js';
  const exclude = Array.isArray(custom.exclude) ? custom.exclude.map(String) : ['aws-sdk']; // the plugin's default
  const external = Array.isArray(custom.external) ? custom.external.map(String) : [];
  const options = Object.fromEntries(Object.entries(custom).filter(([key]) => !PLUGIN_KEYS.includes(key))) as BuildOptions;
  await build({
    bundle: true,
    platform: 'node',
    target: `node${/\d+/.exec(runtime)?.[0] ?? '22'}`, // the plugin's default: the provider's runtime
    ...options,
    external: [...external, ...(exclude.includes('*') ? [] : exclude)],
    ...(extension !== '.js' ? { outExtension: { '.js': extension } } : {}),
    entryPoints: [FLOOR_ENTRY],
    outdir: outDir,
    absWorkingDir: ROOT,
    logLevel: 'warning',
  });
  return join(outDir, `floor${extension}`);
}

// ---- measuring -------------------------------------------------------------------------------------------

/** @aws-sdk / @smithy modules in a bundle: from its source map's sources (esbuild's metafile is not kept). */
function sdkModules(bundle: string): number {
  const map = `${bundle}.map`;
  if (existsSync(map)) {
    const sources = (JSON.parse(readFileSync(map, 'utf8')) as { sources?: string[] }).sources ?? [];
    return sources.filter((source) => SDK_SOURCE.test(source)).length;
  }
  return /smithy|aws-sdk-js/.test(readFileSync(bundle, 'utf8')) ? -1 : 0;
}

function handlerModule(taskRoot: string, handler: string): { bundle: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  const base = join(taskRoot, handler.slice(0, dot));
  // The runtime's lookup order for a handler module.
  const bundle = ['.js', '.mjs', '.cjs'].map((extension) => base + extension).find((path) => existsSync(path));
  if (!bundle) throw new Error(`no module for handler ${handler} in ${taskRoot}`);
  return { bundle, exportName: handler.slice(dot + 1) };
}

const kb = (path: string) => statSync(path).size / 1024;

export async function measureBundles(options: BundleOptions = {}): Promise<BundleReport> {
  const stage = options.stage ?? 'dev';
  const rounds = options.rounds ?? 15;
  const node = options.node ?? defaultNode();
  // The verifiers' public JWKS comes from SSM (or the local key file) at package time: a throw-away one
  // stands in, unless given, so any stage packages here without AWS credentials.
  const given = options.params ?? [];
  const params = given.some((param) => param.startsWith('jwtPublicJwks='))
    ? given
    : [...given, `jwtPublicJwks=${JSON.stringify(publicJwks(newKeySet()))}`];
  if (!options.skipPackage) packageStage(stage, params);

  const packageDir = join(ROOT, PACKAGE_DIR);
  const template = await loadTemplate(join(packageDir, 'cloudformation-template-update-stack.json'));
  const state = JSON.parse(readFileSync(join(packageDir, 'serverless-state.json'), 'utf8')) as ServerlessState;
  if (state.service.provider.stage !== stage) {
    throw new Error(`${PACKAGE_DIR} holds stage ${state.service.provider.stage}, not ${stage}: drop --skip-package`);
  }
  const { region } = state.service.provider;
  const ctx: ResolveContext = { template, region, stackName: state.service.provider.stackName ?? `${state.service.service}-${stage}` };
  const runtime = state.service.provider.runtime ?? 'nodejs22.x';
  const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (!runtime.startsWith(`nodejs${/^v(\d+)/.exec(nodeVersion)?.[1]}`)) {
    console.warn(`warning: measuring with node ${nodeVersion}, the functions run ${runtime}`);
  }

  const scratch = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  try {
    const runner = join(scratch, 'runner.mjs');
    writeFileSync(runner, RUNNER);
    const jobs: Job[] = [];
    const figures: (Pick<BundleFigure, 'function' | 'bundleKb' | 'zipKb' | 'sdkModules'> & { env: Job; without?: Job })[] = [];
    const templateNodeOptions = new Set<string>();
    let allTraced = true;

    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const props = resource.Properties as Record<string, any>;
      const name = plausible(ctx, props.FunctionName);
      const key = Object.entries(state.service.functions).find(([, fn]) => fn.name === name)?.[0];
      if (!key) throw new Error(`function ${name} is in the template but not in serverless-state.json`);
      const zip = join(packageDir, basename(state.service.functions[key]?.package?.artifact ?? `${key}.zip`));
      // Lambda runs the artifact's content from /var/task: unzip it, so a missing or extra file shows up here too.
      const taskRoot = join(scratch, 'tasks', key);
      mkdirSync(taskRoot, { recursive: true });
      const unzip = spawnSync('unzip', ['-q', '-o', zip, '-d', taskRoot], { encoding: 'utf8' });
      if (unzip.status !== 0) throw new Error(`unzip ${zip} failed: ${unzip.stderr || unzip.error?.message}`);

      const variables = Object.fromEntries(
        Object.entries((props.Environment?.Variables ?? {}) as Record<string, unknown>).map(([k, v]) => [k, plausible(ctx, v)]),
      );
      const fn: LambdaFunction = {
        name,
        handler: String(props.Handler),
        memoryMb: Number(props.MemorySize ?? 128),
        tracing: props.TracingConfig?.Mode === 'Active',
        variables,
      };
      allTraced &&= fn.tracing;
      const { bundle, exportName } = handlerModule(taskRoot, fn.handler);
      const base = { label: key, bundle, exportName, taskRoot, flags: runtimeFlags(fn.memoryMb) };
      const env = lambdaEnv(fn, region, taskRoot, runtime);
      const nodeOptions = env.NODE_OPTIONS;
      if (nodeOptions !== undefined) templateNodeOptions.add(nodeOptions);
      const withoutEnv = { ...env };
      delete withoutEnv.NODE_OPTIONS;
      const envJob: Job = { ...base, variant: 'env', env: options.nodeOptions === false ? withoutEnv : env, samples: [], cpuSamples: [] };
      // Both variants in the same rounds, so the NODE_OPTIONS difference is not confounded with drift.
      const measureWithout = nodeOptions !== undefined && options.nodeOptions !== false;
      const without: Job | undefined = measureWithout
        ? { ...base, variant: 'without', env: withoutEnv, samples: [], cpuSamples: [] }
        : undefined;
      jobs.push(envJob, ...(without ? [without] : []));
      figures.push({ function: key, bundleKb: kb(bundle), zipKb: kb(zip), sdkModules: sdkModules(bundle), env: envJob, without });
    }

    const custom = state.service.custom?.esbuild ?? {};
    const floorBundle = await buildFloor(custom, runtime, join(scratch, 'floor'));
    const floorFn: LambdaFunction = {
      name: `${ctx.stackName}-floor`,
      handler: 'floor.handler',
      memoryMb: state.service.provider.memorySize ?? 1024,
      tracing: allTraced,
      variables: Object.fromEntries(Object.entries(state.service.provider.environment ?? {}).map(([k, v]) => [k, plausible(ctx, v)])),
    };
    const floorEnv = lambdaEnv(floorFn, region, join(scratch, 'floor'), runtime);
    delete floorEnv.NODE_OPTIONS; // the floor is the bundle alone, no source maps
    const floorJob: Job = {
      label: '(floor)',
      variant: 'env',
      bundle: floorBundle,
      exportName: 'handler',
      taskRoot: join(scratch, 'floor'),
      flags: runtimeFlags(floorFn.memoryMb),
      env: floorEnv,
      samples: [],
      cpuSamples: [],
    };
    jobs.push(floorJob);

    // After packaging and unzipping, so this tells what else ran on the machine while measuring.
    const loadStart = loadavg();
    // One discarded round: first reads come from disk, and a broken bundle fails here, before the long part.
    for (const job of jobs) importOnce(node, runner, job);
    for (let round = 1; round <= rounds; round++) {
      process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}bundles: round ${round}/${rounds} (${jobs.length} imports)`);
      if (!process.stderr.isTTY) process.stderr.write('\n');
      for (const job of shuffle(jobs)) {
        const { ms, cpuMs } = importOnce(node, runner, job);
        job.samples.push(ms);
        job.cpuSamples.push(cpuMs);
      }
    }
    if (process.stderr.isTTY) process.stderr.write('\n');

    const floorStats = summarize(floorJob.samples);
    const floor = {
      bundleKb: kb(floorBundle),
      initP50Ms: floorStats.p50,
      initP90Ms: floorStats.p90,
      initCpuP50Ms: summarize(floorJob.cpuSamples).p50,
    };
    return {
      stage,
      node: `${nodeVersion} (${node})`,
      rounds,
      nodeOptions: templateNodeOptions.size > 0 ? [...templateNodeOptions].join(' | ') : undefined,
      nodeOptionsMeasured: options.nodeOptions !== false && templateNodeOptions.size > 0,
      floor,
      figures: figures.map(({ env, without, ...figure }) => {
        const initP50Ms = summarize(env.samples).p50;
        return {
          ...figure,
          initP50Ms,
          initCpuP50Ms: summarize(env.cpuSamples).p50,
          ...(without
            ? {
                withoutNodeOptionsP50Ms: summarize(without.samples).p50,
                nodeOptionsCostP50Ms: pairedCost(env.samples, without.samples),
                nodeOptionsCpuCostP50Ms: pairedCost(env.cpuSamples, without.cpuSamples),
              }
            : {}),
          failures: targetFailures(figure.function, figure.bundleKb, figure.sdkModules, initP50Ms / floor.initP50Ms),
        };
      }),
      loadAverage: { start: loadStart, end: loadavg() },
      cpus: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}`,
      cpuCount: cpus().length,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Median of per-round differences: both variants ran in the same round, so drift between rounds cancels. */
function pairedCost(withSamples: number[], withoutSamples: number[]): number {
  return summarize(withSamples.map((ms, round) => ms - (withoutSamples[round] ?? NaN))).p50;
}

function targetFailures(fn: string, bundleKb: number, sdk: number, floorRatio: number): string[] {
  const failures: string[] = [];
  const maxKb = fn === AUTHORIZER ? AUTHORIZER_MAX_KB : MAX_BUNDLE_KB;
  const maxRatio = fn === AUTHORIZER ? AUTHORIZER_MAX_FLOOR_RATIO : MAX_FLOOR_RATIO;
  if (bundleKb > maxKb) failures.push(`> ${maxKb} KB`);
  if (floorRatio > maxRatio) failures.push(`> ${maxRatio}x floor`);
  if (fn === AUTHORIZER && sdk !== 0) failures.push('has AWS SDK');
  return failures;
}

// ---- printing --------------------------------------------------------------------------------------------

const num = (value: number | undefined, digits = 1) => (value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits));
const signed = (value: number, digits = 1) => `${value >= 0 ? '+' : '-'}${Math.abs(value).toFixed(digits)}`;
const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');

export function printBundles(report: BundleReport): void {
  const { floor } = report;
  const both = report.figures.some((f) => f.withoutNodeOptionsP50Ms !== undefined);
  console.log(`\nBundles, stage ${report.stage}: import of the handler module in a fresh process (Lambda env + runtime heap flags),`);
  console.log(`median of ${report.rounds} shuffled rounds (+1 discarded warm-up). node ${report.node}; ${report.cpus}`);
  console.log(
    `load average (1/5/15 min) when measuring started: ${load(report.loadAverage.start)}; at end: ${load(report.loadAverage.end)}`,
  );
  if (Math.max(report.loadAverage.start[0] ?? 0, report.loadAverage.end[0] ?? 0) > report.cpuCount * 0.75) {
    console.log(
      `** busy machine (1-min load above ${report.cpuCount * 0.75} for ${report.cpuCount} CPUs): wall ms are inflated and noisy; ` +
        `the cpu columns hold up better **`,
    );
  }
  const dropped = report.nodeOptionsMeasured ? 'included in "import ms"' : 'dropped (--no-node-options)';
  const measured = report.nodeOptions === undefined ? 'not set' : dropped;
  console.log(`template NODE_OPTIONS: ${report.nodeOptions ?? '(none)'} -- ${measured}`);
  console.log(
    `floor: DynamoDBDocumentClient only, same esbuild options, no NODE_OPTIONS: ${num(floor.bundleKb)} KB, ` +
      `${num(floor.initP50Ms)} ms (p90 ${num(floor.initP90Ms)}), cpu ${num(floor.initCpuP50Ms)} ms`,
  );
  console.log(
    `targets: import <= ${MAX_FLOOR_RATIO}x floor and bundle <= ${MAX_BUNDLE_KB} KB; ` +
      `${AUTHORIZER}: <= ${AUTHORIZER_MAX_KB} KB, no AWS SDK, <= ${AUTHORIZER_MAX_FLOOR_RATIO}x floor (rated on "import ms")`,
  );
  const header = ['function'.padEnd(20), 'bundle KB'.padStart(9), 'zip KB'.padStart(7), 'SDK mods'.padStart(8)];
  header.push('import ms'.padStart(9), 'x floor'.padStart(7), 'cpu ms'.padStart(7), 'x floor'.padStart(7));
  if (both) header.push('without NODE_OPTIONS'.padStart(20), 'x floor'.padStart(7), 'NODE_OPTIONS cost (cpu)'.padStart(26));
  header.push(' targets');
  console.log(`\n${header.join(' ')}`);
  const rows: { name: string; figure?: BundleFigure }[] = [
    { name: '(floor)' },
    ...report.figures.map((figure) => ({ name: figure.function, figure })),
  ];
  for (const { name, figure } of rows) {
    const initMs = figure?.initP50Ms ?? floor.initP50Ms;
    const cpuMs = figure?.initCpuP50Ms ?? floor.initCpuP50Ms;
    const cells = [
      name.padEnd(20),
      num(figure?.bundleKb ?? floor.bundleKb).padStart(9),
      num(figure?.zipKb).padStart(7),
      (figure ? (figure.sdkModules < 0 ? 'yes' : String(figure.sdkModules)) : '-').padStart(8),
      num(initMs).padStart(9),
      num(initMs / floor.initP50Ms, 2).padStart(7),
      num(cpuMs).padStart(7),
      num(cpuMs / floor.initCpuP50Ms, 2).padStart(7),
    ];
    if (both) {
      const without = figure?.withoutNodeOptionsP50Ms;
      const cost = figure?.nodeOptionsCostP50Ms;
      const cpuCost = figure?.nodeOptionsCpuCostP50Ms;
      const ratio = without === undefined ? undefined : without / floor.initP50Ms;
      const costText =
        cost === undefined || cpuCost === undefined || without === undefined
          ? '-'
          : `${signed(cost)} ms ${signed((cost / without) * 100, 0)}% (${signed(cpuCost)})`;
      cells.push(num(without).padStart(20), num(ratio, 2).padStart(7), costText.padStart(26));
    }
    cells.push(figure ? (figure.failures.length === 0 ? ' ok' : ` MISSES: ${figure.failures.join(', ')}`) : '');
    console.log(cells.join(' ').trimEnd());
  }
  const costs = report.figures.flatMap((f) => (f.nodeOptionsCostP50Ms === undefined ? [] : [f.nodeOptionsCostP50Ms]));
  const cpuCosts = report.figures.flatMap((f) => (f.nodeOptionsCpuCostP50Ms === undefined ? [] : [f.nodeOptionsCpuCostP50Ms]));
  if (costs.length > 0) {
    const across = (values: number[]) => {
      const stats = summarize(values);
      return `median ${signed(stats.p50)} ms (range ${signed(Math.min(...values))} .. ${signed(stats.max)})`;
    };
    console.log(`\nNODE_OPTIONS cost = median over rounds of (import - import without), each pair from one round.`);
    console.log(`Across functions: wall ${across(costs)}; cpu ${across(cpuCosts)}.`);
  }
  const missing = report.figures.filter((f) => f.failures.length > 0).length;
  console.log(`${report.figures.length - missing} of ${report.figures.length} functions meet their targets.`);
}

if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string', default: 'dev' },
      param: { type: 'string', multiple: true, default: [] },
      'skip-package': { type: 'boolean', default: false },
      rounds: { type: 'string', default: '15' },
      'no-node-options': { type: 'boolean', default: false },
      node: { type: 'string' },
    },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
  try {
    printBundles(
      await measureBundles({
        stage: values.stage,
        params: values.param,
        skipPackage: values['skip-package'],
        rounds,
        nodeOptions: !values['no-node-options'],
        ...(values.node ? { node: resolve(values.node) } : {}),
      }),
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error); // the message says it all; the stack does not
    process.exitCode = 1;
  }
}
