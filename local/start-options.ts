/**
 * `npm start`'s command line (local/start.ts), parsed apart from starting anything so each refusal is unit-tested.
 * A bad argument is a UsageError: one line that says what to pass instead, no stack trace.
 */
import { parseArgs } from 'node:util';
import { AUTHORIZER_MODES, DEFAULT_PORTS, type AuthorizerMode, type LocalPorts } from './stack.js';
import { telemetryPortOf } from './telemetry/index.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface StartOptions {
  inMemory: boolean;
  dataDir: string | undefined;
  ports: LocalPorts;
  verbose: boolean;
  authorizerMode: AuthorizerMode;
  esbuildFolder: string | undefined;
  iam: boolean;
  /** Stage params (`key=value`), passed to `serverless package` and offline as `--param`. */
  params: string[];
}

export const USAGE = `Usage: npm start [-- options]

Starts the local stack (DynamoDB Local, the SQS emulator, the local EventBridge, serverless offline behind the local
API gateway) from the local stage's template, and keeps it running until Ctrl-C.

Options:
  --in-memory              a throw-away database (default: kept in .local/)
  --data-dir DIR           keep the data in DIR instead of .local/
  --port-offset N          move every port up by N (LOCAL_PORT_OFFSET)
  --param key=value        a stage param of serverless.yml, as \`serverless --param\`; repeatable
                           (e.g. --param paymentGraceSeconds=5 charges a confirmed order after 5 s, not 60)
  --authorizer-mode MODE   who checks bearer tokens: gateway (default) or function (LOCAL_AUTHORIZER_MODE)
  --esbuild-folder DIR     build the bundles in DIR (LOCAL_ESBUILD_FOLDER)
  --no-iam                 do not enforce the functions' IAM roles at the local endpoints (LOCAL_IAM=off)
  --verbose                print the children's output too (LOCAL_STACK_VERBOSE=1)
  --help                   this text`;

/** serverless.yml's param names are camelCase words: letters and digits. */
const PARAM_KEY = /^[A-Za-z][A-Za-z0-9]*$/;
/** Params that have an option of their own, which sets them: given twice, the two would disagree. */
const PARAMS_WITH_OPTIONS: Record<string, string> = { authorizerMode: '--authorizer-mode' };

/** `key=value` strings as serverless takes them; the value is everything after the first `=` (may be empty). */
export function parseStageParams(given: string[]): string[] {
  const seen = new Set<string>();
  return given.map((param) => {
    const at = param.indexOf('=');
    const key = at < 0 ? param : param.slice(0, at);
    if (at < 0 || !PARAM_KEY.test(key)) {
      throw new UsageError(`--param takes key=value, the key letters and digits (e.g. --param paymentGraceSeconds=5); got "${param}"`);
    }
    const option = PARAMS_WITH_OPTIONS[key];
    if (option) throw new UsageError(`--param ${key}=... is set by ${option}: use that instead`);
    if (seen.has(key)) throw new UsageError(`--param ${key} is given twice`);
    seen.add(key);
    return param;
  });
}

/** The options of `npm start`, or 'help'. Environment variables give the defaults the README names. */
export function parseStartOptions(args: string[], env: NodeJS.ProcessEnv = process.env): StartOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        'in-memory': { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        'port-offset': { type: 'string', default: env.LOCAL_PORT_OFFSET ?? '0' },
        verbose: { type: 'boolean', default: env.LOCAL_STACK_VERBOSE === '1' },
        'authorizer-mode': { type: 'string', default: env.LOCAL_AUTHORIZER_MODE ?? 'gateway' },
        // Where the bundles are built (default `.esbuild`, or `.esbuild-<port>` with an offset): another start's
        // folder is reused as it stands, only what changed rebuilt (the npm start test shares the test stacks').
        'esbuild-folder': { type: 'string', default: env.LOCAL_ESBUILD_FOLDER },
        // IAM is enforced at the local endpoints unless this is given (or LOCAL_IAM=off): local/iam/.
        'no-iam': { type: 'boolean', default: env.LOCAL_IAM === 'off' },
        param: { type: 'string', multiple: true, default: [] },
      },
    }));
  } catch (error) {
    // parseArgs's own message names the option (unknown option, missing value); the usage says the rest.
    throw new UsageError(`${(error as Error).message} (npm start -- --help lists the options)`);
  }
  if (values.help) return 'help';
  const authorizerMode = values['authorizer-mode'] as AuthorizerMode;
  if (!AUTHORIZER_MODES.includes(authorizerMode)) {
    throw new UsageError(`--authorizer-mode must be one of: ${AUTHORIZER_MODES.join(', ')}`);
  }
  // Every port moved up stays a port: the highest default one is the telemetry port.
  const maxOffset = 65_535 - Math.max(...Object.values(DEFAULT_PORTS), telemetryPortOf(DEFAULT_PORTS));
  const offset = Number(values['port-offset']);
  if (!Number.isInteger(offset) || offset < 0 || offset > maxOffset) {
    throw new UsageError(`--port-offset must be an integer from 0 to ${maxOffset}`);
  }
  const ports = Object.fromEntries(Object.entries(DEFAULT_PORTS).map(([name, port]) => [name, port + offset])) as unknown as LocalPorts;
  return {
    inMemory: values['in-memory'],
    dataDir: values['data-dir'],
    ports,
    verbose: values.verbose,
    authorizerMode,
    esbuildFolder: values['esbuild-folder'],
    iam: !values['no-iam'],
    params: parseStageParams(values.param),
  };
}
