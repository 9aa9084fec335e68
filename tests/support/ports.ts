import type { LocalPorts } from '../../local/stack.js';

/**
 * Ports of the stacks the tests start: beside, not on, the ones `npm start` uses.
 * TEST_PORT_OFFSET shifts them all, so two test runs can share a machine.
 */
const offset = Number(process.env.TEST_PORT_OFFSET ?? 0);
const shifted = (by: number): LocalPorts => ({
  http: 3100 + offset + by,
  lambda: 3102 + offset + by,
  dynamodb: 8100 + offset + by,
  sqs: 9424 + offset + by,
  eventBridge: 4110 + offset + by,
});

/** The stack of the `stack` project (gateway authorizer, as on AWS). */
export const TEST_PORTS: LocalPorts = shifted(0);
/** The stack of the `stack-function-auth` project (tokens checked in the functions, as on LocalStack community). */
export const FUNCTION_AUTH_TEST_PORTS: LocalPorts = shifted(50);

/** The esbuild folder the test stacks and the template checks share: each packaging after the first reuses its bundles. */
export const TEST_ESBUILD_FOLDER = '.esbuild-tests';
