import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing running; `stack` (integration + end-to-end) runs against the
// local stack that tests/global-setup.ts starts once, or against E2E_BASE_URL when that is set.
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
          globalSetup: ['tests/global-setup.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
