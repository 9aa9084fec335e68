/**
 * Starts the local stack once for the integration and end-to-end suites (throw-away, in memory, on
 * test ports so a running `npm start` is not disturbed). With E2E_BASE_URL set, nothing is started:
 * the end-to-end suite runs against that URL (LocalStack, AWS) and suites needing local emulators skip.
 */
import { startLocalStack, type RunningStack } from '../local/stack.js';
import { TEST_STACK_E2E_ENV, TEST_STACK_PARAMS } from './support/test-stack.js';
import { TEST_ESBUILD_FOLDER, TEST_PORTS } from './support/ports.js';

let stack: RunningStack | undefined;

export async function setup(): Promise<void> {
  if (process.env.E2E_BASE_URL) {
    console.log(`E2E against ${process.env.E2E_BASE_URL} (no local stack started)`);
    return;
  }
  const started = Date.now();
  stack = await startLocalStack({
    inMemory: true,
    esbuildFolder: TEST_ESBUILD_FOLDER,
    // The tests invoke the sweeper themselves: their outcomes must not depend on when a schedule fires.
    schedules: false,
    params: TEST_STACK_PARAMS,
    ports: TEST_PORTS,
    verbose: process.env.LOCAL_STACK_VERBOSE === '1',
    log: (message) => console.log(`[stack] ${message}`),
  });
  console.log(`[stack] ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${stack.baseUrl}`);
  // Workers inherit this environment: the tests find the stack through it.
  Object.assign(process.env, stack.env, {
    E2E_BASE_URL: stack.baseUrl,
    LOCAL_STACK: '1',
    LOCAL_STAGE: stack.stage,
    LOCAL_LAMBDA_ENDPOINT: stack.endpoints.lambda,
    LOCAL_QUEUE_URLS: JSON.stringify(Object.fromEntries(stack.queueUrls)),
    ...TEST_STACK_E2E_ENV,
  });
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}
