import type { LocalPorts } from '../../local/stack.js';

/**
 * Ports of the stack the tests start: beside, not on, the ones `npm start` uses.
 * TEST_PORT_OFFSET shifts them all, so two test runs can share a machine.
 */
const offset = Number(process.env.TEST_PORT_OFFSET ?? 0);
export const TEST_PORTS: LocalPorts = {
  http: 3100 + offset,
  lambda: 3102 + offset,
  dynamodb: 8100 + offset,
  sqs: 9424 + offset,
  eventBridge: 4110 + offset,
};
