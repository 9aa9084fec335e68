/**
 * The `stack-function-auth` project's stack: the local stack with `--param authorizerMode=function`, as
 * the localstack stage runs on LocalStack community (no gateway authorizer; each protected function checks
 * the token). Its workers find it through the project's `env` (vitest.config.ts), not through this process's
 * environment, which the `stack` project's setup owns.
 */
import { startLocalStack, type RunningStack } from '../local/stack.js';
import { FUNCTION_AUTH_STACK_E2E_ENV, FUNCTION_AUTH_STACK_PARAMS } from './support/test-stack.js';
import { FUNCTION_AUTH_TEST_PORTS, TEST_ESBUILD_FOLDER } from './support/ports.js';

let stack: RunningStack | undefined;

export async function setup(): Promise<void> {
  const started = Date.now();
  stack = await startLocalStack({
    inMemory: true,
    esbuildFolder: TEST_ESBUILD_FOLDER,
    // The tests invoke the sweeper themselves: their outcomes must not depend on when a schedule fires.
    schedules: false,
    params: FUNCTION_AUTH_STACK_PARAMS,
    ports: FUNCTION_AUTH_TEST_PORTS,
    authorizerMode: 'function',
    verbose: process.env.LOCAL_STACK_VERBOSE === '1',
    log: (message) => console.log(`[function-auth stack] ${message}`),
  });
  // The same value the `stack` project's setup gives its workers, so either setup alone (one project run) sets it.
  Object.assign(process.env, FUNCTION_AUTH_STACK_E2E_ENV);
  console.log(`[function-auth stack] ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${stack.baseUrl}`);
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}
