// `npm start`: brings up the whole local stack and keeps it running until Ctrl-C.
import { parseArgs } from 'node:util';
import { StartupError } from './processes.js';
import { AUTHORIZER_MODES, DEFAULT_PORTS, startLocalStack, type AuthorizerMode, type LocalPorts } from './stack.js';

const { values } = parseArgs({
  options: {
    'in-memory': { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    'port-offset': { type: 'string', default: process.env.LOCAL_PORT_OFFSET ?? '0' },
    verbose: { type: 'boolean', default: process.env.LOCAL_STACK_VERBOSE === '1' },
    'authorizer-mode': { type: 'string', default: process.env.LOCAL_AUTHORIZER_MODE ?? 'gateway' },
    // Where the bundles are built (default `.esbuild`, or `.esbuild-<port>` with an offset): another start's
    // folder is reused as it stands, only what changed rebuilt (the npm start test shares the test stacks').
    'esbuild-folder': { type: 'string', default: process.env.LOCAL_ESBUILD_FOLDER },
    // IAM is enforced at the local endpoints unless this is given (or LOCAL_IAM=off): local/iam/.
    'no-iam': { type: 'boolean', default: process.env.LOCAL_IAM === 'off' },
  },
});
const authorizerMode = values['authorizer-mode'] as AuthorizerMode;
if (!AUTHORIZER_MODES.includes(authorizerMode)) {
  console.error(`--authorizer-mode must be one of: ${AUTHORIZER_MODES.join(', ')}`);
  process.exit(2);
}
const offset = Number(values['port-offset']);
if (!Number.isInteger(offset) || offset < 0 || offset > 1000) {
  console.error('--port-offset must be an integer from 0 to 1000');
  process.exit(2);
}
const ports = Object.fromEntries(Object.entries(DEFAULT_PORTS).map(([name, port]) => [name, port + offset])) as unknown as LocalPorts;

const log = (message: string) => console.log(message);

try {
  const stack = await startLocalStack({
    inMemory: values['in-memory'],
    dataDir: values['data-dir'],
    ports,
    verbose: values.verbose,
    authorizerMode,
    iam: !values['no-iam'],
    ...(values['esbuild-folder'] ? { esbuildFolder: values['esbuild-folder'] } : {}),
    log,
  });
  log('');
  log(`API base URL: ${stack.baseUrl} (bearer tokens checked by the ${authorizerMode === 'gateway' ? 'gateway authorizer' : 'functions'})`);
  log(`  try: curl ${stack.baseUrl}/catalogs`);
  log(
    `Local AWS endpoints: DynamoDB ${stack.endpoints.dynamodb}, SQS ${stack.endpoints.sqs}, EventBridge ${stack.endpoints.eventBridge}, Lambda ${stack.endpoints.lambda}`,
  );
  log(
    values['no-iam']
      ? 'IAM not enforced (--no-iam).'
      : 'IAM enforced: each function may call only what its role allows (sign as `ecommerce-local-<function>` to try one).',
  );
  log(`Traces and metrics: ${stack.telemetryUrl} (/api/traces?correlationId=<id>, /metrics)`);
  log('Ready. Press Ctrl-C to stop.');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`\n${signal}: stopping the local stack ...`);
    stack.stop().then(
      () => {
        log('Stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`Stop failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
} catch (error) {
  if (error instanceof StartupError) {
    console.error(`\nCould not start the local stack: ${error.message}\n${error.hint}`);
  } else {
    console.error(`\nCould not start the local stack: ${(error as Error).message}`);
  }
  process.exit(1);
}
