// The tests each lane of `npm test` may skip, each with its reason, and the check of a run's skips against them
// (scripts/test-summary.mjs runs it and fails the run on any other skip). A skip is how a broken set-up hides:
// without LOCAL_STACK=1 every integration suite skips (describeLocal), and a lane that skipped its tests passes.
// So a skip nobody listed here fails `npm test`; to add one, add it here with why.
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import process from 'node:process';

/**
 * When a listed skip is expected (an entry without `when` is expected in every run of its lane):
 * - `remote`: the run is against a deployed API (E2E_BASE_URL given to `npm test`): no local stack of this run,
 *   no emulators, and only the knobs (E2E_*) the caller gives;
 * - `no-chromium`: this machine has no /usr/bin/chromium (.ci/run installs it, so CI never skips for it).
 */
export const CONDITIONS = {
  remote: ({ env }) => Boolean(env.E2E_BASE_URL),
  'no-chromium': ({ exists }) => !exists('/usr/bin/chromium'),
};

/**
 * lane: the report's name (scripts/test.sh: checks, stack, own-stacks, function-auth); file: the test file from the
 * repository root, `*` standing for any characters but `/`; test: part of the test's full name (its describe titles
 * and its own), or every test of the file when absent.
 */
export const KNOWN_SKIPS = [
  {
    lane: 'function-auth',
    file: 'tests/e2e/sessions.test.ts',
    test: 'lets the right password in again after Retry-After',
    reason:
      "this stack keeps the stage's default log-in attempt window (no E2E_LOGIN_ATTEMPT_WINDOW_SECONDS), too long to wait out; the stack lane runs it on a 10 s window",
  },
  {
    lane: 'stack',
    file: 'tests/integration/*.test.ts',
    when: 'remote',
    reason: 'the integration suites drive the local emulators (DynamoDB Local, SQS, the local bus): describeLocal',
  },
  {
    lane: 'stack',
    file: 'tests/e2e/orders-saga.test.ts',
    when: 'remote',
    reason: "the saga suite reads the local stack's queues and invokes its functions: describeLocal",
  },
  {
    lane: 'stack',
    file: 'tests/e2e/auth-negative-tokens.test.ts',
    test: 'the authorizer rejects validly signed tokens with bad claims',
    when: 'remote',
    reason: "these tokens are signed with the local stage's private key, which a deployed stage does not share",
  },
  {
    lane: 'stack',
    file: 'tests/e2e/cors.test.ts',
    when: 'remote',
    reason: 'runs only when E2E_CORS_ALLOWED_ORIGIN names an origin the stage under test allows',
  },
  {
    lane: 'stack',
    file: 'tests/e2e/sessions.test.ts',
    test: 'lets the right password in again after Retry-After',
    when: 'remote',
    reason: "runs only when E2E_LOGIN_ATTEMPT_WINDOW_SECONDS says the stage's window is short (<= 20 s)",
  },
  {
    lane: 'stack',
    file: 'tests/e2e/catalog-admin.test.ts',
    test: 'an admin manages the catalog',
    when: 'remote',
    reason:
      "an admin is made by writing the role on the local stack's stored profile (no operator command reaches a deployed stage from the suite): describeLocal",
  },
  {
    lane: 'stack',
    file: 'tests/e2e/order-lifecycle.test.ts',
    test: 'the order lifecycle (local stack)',
    when: 'remote',
    reason:
      "its products are made by an admin (a role written on the local stack's stored profile), and it reads the catalog's and the payment simulator's records and delivers events to the local queues: describeLocal",
  },
  {
    lane: 'stack',
    file: 'tests/e2e/users-roles.test.ts',
    test: 'roles: granted by the operator’s command, set by an admin',
    when: 'remote',
    reason: "the grant command targets the local stack's DynamoDB endpoint: describeLocal",
  },
  {
    lane: 'stack',
    file: 'tests/e2e/docs-browser.test.ts',
    when: 'no-chromium',
    reason: 'drives /usr/bin/chromium (apt-get install chromium; .ci/run installs it)',
  },
];

const STATUSES_RUN = new Set(['passed', 'failed']);

/** The tests of one vitest JSON report that did not run (skipped, todo, pending), with their files relative to `root`. */
export function skippedTests(report, root) {
  const skipped = [];
  for (const result of report.testResults ?? []) {
    const file = relative(root, result.name).split('\\').join('/');
    for (const test of result.assertionResults ?? []) {
      if (!STATUSES_RUN.has(test.status)) skipped.push({ file, name: test.fullName ?? test.title ?? '' });
    }
  }
  return skipped;
}

const fileMatches = (pattern, file) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*')}$`).test(file);

/** The entry of `known` that allows this skip in this lane now, if any. */
export function allowingEntry(lane, skip, known, holds) {
  return known.find(
    (entry) =>
      entry.lane === lane &&
      fileMatches(entry.file, skip.file) &&
      (entry.test === undefined || skip.name.includes(entry.test)) &&
      (entry.when === undefined || holds(entry.when)),
  );
}

/**
 * Checks every lane's skips: `reports` maps a lane to its vitest JSON report. Returns the skips that are allowed
 * (with the reason) and those that are not.
 */
export function checkSkips(reports, { root = process.cwd(), env = process.env, exists = existsSync, known = KNOWN_SKIPS } = {}) {
  const holds = (when) => {
    const condition = CONDITIONS[when];
    if (!condition) throw new Error(`scripts/known-skips.mjs: unknown condition ${JSON.stringify(when)}`);
    return condition({ env, exists });
  };
  const allowed = [];
  const unexpected = [];
  for (const [lane, report] of Object.entries(reports)) {
    for (const skip of skippedTests(report, root)) {
      const entry = allowingEntry(lane, skip, known, holds);
      if (entry) allowed.push({ lane, ...skip, reason: entry.reason });
      else unexpected.push({ lane, ...skip });
    }
  }
  return { allowed, unexpected };
}
