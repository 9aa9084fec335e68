import { defineConfig } from 'vitest/config';
import { FUNCTION_AUTH_TEST_PORTS } from './tests/support/ports.js';

/**
 * Projects: `unit` needs nothing running; `template` packages every stage and checks the compiled
 * CloudFormation; `stack` (integration + end-to-end) runs against the local stack tests/global-setup.ts
 * starts, or against E2E_BASE_URL when that is set; `own-stacks` runs the suites that start stacks of their
 * own; `stack-function-auth` runs the end-to-end suites that exercise tokens against a second local stack
 * whose functions check tokens themselves (the localstack stage's mode). The last two only when no
 * E2E_BASE_URL is given. `npm test` (scripts/test.sh) runs them in lanes side by side.
 */
const remote = Boolean(process.env.E2E_BASE_URL);
/** Suites with stacks of their own (`npm start` as a child process; a stack stopped and started again). */
const OWN_STACK_FILES = [
  'tests/integration/npm-start.test.ts',
  'tests/integration/orders-restart.test.ts',
  'tests/integration/lifecycle-restart.test.ts',
];

export default defineConfig({
  test: {
    // One stack is shared; files run one at a time so their data and queues don't interleave.
    fileParallelism: false,
    projects: [
      {
        test: {
          name: 'unit',
          // Handlers under test log as they would on Lambda; keep the test output readable.
          env: { LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
          // Generous: CI machines have 2 cores, and the password hashing is deliberately costly.
          testTimeout: 30_000,
          include: ['functions/**/*.test.ts', 'local/**/*.test.ts', 'scripts/**/*.test.ts', 'tests/template/spec-check.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          // Checks of the compiled CloudFormation of every stage, packaged once by the global setup.
          name: 'template',
          include: ['tests/template/**/*.test.ts'],
          exclude: ['tests/template/spec-check.test.ts'],
          globalSetup: ['tests/template/global-setup.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'stack',
          include: ['tests/integration/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
          exclude: OWN_STACK_FILES,
          globalSetup: ['tests/global-setup.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      ...(remote
        ? []
        : [
            {
              test: {
                // Suites that start (and stop, and kill) local stacks of their own: no shared stack to wait for.
                name: 'own-stacks',
                include: OWN_STACK_FILES,
                // Their stacks' emulators take any credentials (local/stack.ts LOCAL_CREDENTIALS); the SDK needs a region.
                env: {
                  LOCAL_STACK: '1',
                  LOCAL_STAGE: 'local',
                  AWS_REGION: 'us-east-1',
                  AWS_ACCESS_KEY_ID: 'local',
                  AWS_SECRET_ACCESS_KEY: 'local',
                },
                environment: 'node',
                testTimeout: 60_000,
                hookTimeout: 300_000,
              },
            },
            {
              test: {
                name: 'stack-function-auth',
                include: [
                  'tests/e2e/auth-negative-tokens.test.ts',
                  'tests/e2e/users.test.ts',
                  'tests/e2e/orders.test.ts',
                  'tests/e2e/sessions.test.ts',
                  'tests/e2e/users-roles.test.ts',
                  'tests/e2e/catalog-admin.test.ts',
                  'tests/e2e/order-lifecycle.test.ts',
                ],
                globalSetup: ['tests/global-setup-function-auth.ts'],
                env: {
                  E2E_BASE_URL: `http://127.0.0.1:${FUNCTION_AUTH_TEST_PORTS.http}`,
                  LOCAL_STACK: '1',
                  LOCAL_STAGE: 'local',
                  // No E2E_LOGIN_ATTEMPT_WINDOW_SECONDS: this stack keeps the default window (FUNCTION_AUTH_STACK_PARAMS).
                },
                environment: 'node',
                testTimeout: 60_000,
                hookTimeout: 60_000,
              },
            },
          ]),
    ],
  },
});
