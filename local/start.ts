// `npm start`: brings up the whole local stack and keeps it running until Ctrl-C.
import { StartupError } from './processes.js';
import { parseStartOptions, USAGE, UsageError, type StartOptions } from './start-options.js';
import { startLocalStack } from './stack.js';

let parsed: StartOptions | 'help';
try {
  parsed = parseStartOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(error.message);
  process.exit(2);
}
if (parsed === 'help') {
  console.log(USAGE);
  process.exit(0);
}
const options = parsed;

const log = (message: string) => console.log(message);

try {
  const stack = await startLocalStack({
    inMemory: options.inMemory,
    dataDir: options.dataDir,
    ports: options.ports,
    verbose: options.verbose,
    authorizerMode: options.authorizerMode,
    iam: options.iam,
    params: options.params,
    // What was queued when the last run stopped or crashed is delivered on this one, as SQS would.
    keepQueuedMessages: true,
    ...(options.esbuildFolder ? { esbuildFolder: options.esbuildFolder } : {}),
    log,
  });
  log('');
  log(
    `API base URL: ${stack.baseUrl} (bearer tokens checked by the ${options.authorizerMode === 'gateway' ? 'gateway authorizer' : 'functions'})`,
  );
  log(`  try: curl ${stack.baseUrl}/catalogs`);
  log(
    `Local AWS endpoints: DynamoDB ${stack.endpoints.dynamodb}, SQS ${stack.endpoints.sqs}, EventBridge ${stack.endpoints.eventBridge}, Lambda ${stack.endpoints.lambda}`,
  );
  log(
    !options.iam
      ? 'IAM not enforced (--no-iam).'
      : 'IAM enforced: each function may call only what its role allows (sign as `ecommerce-local-<function>` to try one).',
  );
  if (options.params.length > 0) log(`Stage params: ${options.params.join(', ')}`);
  log(`Traces and metrics: ${stack.telemetryUrl} (a saga by correlation id), ${stack.telemetryUrl}/dashboard, /metrics for Prometheus`);
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
