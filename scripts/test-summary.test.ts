// The skip guard of `npm test` (scripts/known-skips.mjs, run by scripts/test-summary.mjs): a lane's skipped tests
// pass only when listed for that lane (and, for conditional entries, when their condition holds now).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CONDITIONS, KNOWN_SKIPS, checkSkips, type KnownSkip, type VitestReport } from './known-skips.mjs';

const ROOT = resolve(import.meta.dirname, '..');

/** A vitest JSON report of one file whose tests ended as given (`[fullName, status]`). */
function report(file: string, tests: Array<[string, string]>): VitestReport {
  return {
    testResults: [{ name: join(ROOT, file), assertionResults: tests.map(([fullName, status]) => ({ status, fullName, title: fullName })) }],
  };
}
const merged = (...reports: VitestReport[]): VitestReport => ({ testResults: reports.flatMap((r) => r.testResults ?? []) });

const known: KnownSkip[] = [
  { lane: 'function-auth', file: 'tests/e2e/sessions.test.ts', test: 'after Retry-After', reason: 'long window' },
  { lane: 'stack', file: 'tests/integration/*.test.ts', when: 'remote', reason: 'local emulators' },
  { lane: 'stack', file: 'tests/e2e/docs-browser.test.ts', when: 'no-chromium', reason: 'needs chromium' },
];
const local = { root: ROOT, env: {}, exists: () => true, known };
const remote = { ...local, env: { E2E_BASE_URL: 'https://api.example.com/dev' } };

describe('checkSkips', () => {
  it('control: a run whose skips are all listed for their lane passes, each skip with its reason', () => {
    const { allowed, unexpected } = checkSkips(
      {
        'function-auth': report('tests/e2e/sessions.test.ts', [
          ['sessions (e2e) log-in attempt limits lets the right password in again after Retry-After', 'skipped'],
          ['sessions (e2e) POST /login issues a refresh token', 'passed'],
        ]),
        stack: report('tests/e2e/users.test.ts', [['POST /users creates a user', 'passed']]),
      },
      local,
    );
    expect(unexpected).toEqual([]);
    expect(allowed).toEqual([
      {
        lane: 'function-auth',
        file: 'tests/e2e/sessions.test.ts',
        name: 'sessions (e2e) log-in attempt limits lets the right password in again after Retry-After',
        reason: 'long window',
      },
    ]);
  });

  it('an unlisted skip is unexpected, named by lane, file and test', () => {
    const { unexpected } = checkSkips(
      { stack: report('tests/e2e/users.test.ts', [['cross-user access GET /users/{userId}', 'skipped']]) },
      local,
    );
    expect(unexpected).toEqual([{ lane: 'stack', file: 'tests/e2e/users.test.ts', name: 'cross-user access GET /users/{userId}' }]);
  });

  it('a skip listed for another lane is unexpected in this one', () => {
    const skipped = report('tests/e2e/sessions.test.ts', [
      ['log-in attempt limits lets the right password in again after Retry-After', 'skipped'],
    ]);
    expect(checkSkips({ stack: skipped }, local).unexpected).toHaveLength(1);
    expect(checkSkips({ 'function-auth': skipped }, local).unexpected).toHaveLength(0);
  });

  it('an entry naming a test allows only that test of the file', () => {
    const { unexpected } = checkSkips(
      {
        'function-auth': report('tests/e2e/sessions.test.ts', [
          ['log-in attempt limits lets the right password in again after Retry-After', 'skipped'],
          ['POST /token/refresh rotates', 'skipped'],
        ]),
      },
      local,
    );
    expect(unexpected.map((skip) => skip.name)).toEqual(['POST /token/refresh rotates']);
  });

  it('integration suites skipped on a local run (LOCAL_STACK unset: a broken set-up) fail; against a deployed API they are expected', () => {
    const integration = merged(
      report('tests/integration/users-repository.test.ts', [['users repository on DynamoDB Local saves a user', 'skipped']]),
      report('tests/integration/event-routing.test.ts', [['local event bus routing delivers a matching event', 'skipped']]),
    );
    expect(checkSkips({ stack: integration }, local).unexpected).toHaveLength(2);
    expect(checkSkips({ stack: integration }, remote).unexpected).toHaveLength(0);
  });

  it('the chromium entry holds only where /usr/bin/chromium is missing', () => {
    const docs = report('tests/e2e/docs-browser.test.ts', [['GET /docs in Chromium lists the routes', 'skipped']]);
    expect(checkSkips({ stack: docs }, { ...local, exists: () => true }).unexpected).toHaveLength(1);
    expect(checkSkips({ stack: docs }, { ...local, exists: (path: string) => path !== '/usr/bin/chromium' }).unexpected).toHaveLength(0);
  });

  it('counts todo and pending (never run) tests as skipped, passed and failed ones not', () => {
    const { unexpected } = checkSkips(
      {
        checks: report('functions/x.test.ts', [
          ['a', 'todo'],
          ['b', 'pending'],
          ['c', 'passed'],
          ['d', 'failed'],
          ['e', 'skipped'],
        ]),
      },
      local,
    );
    expect(unexpected.map((skip) => skip.name)).toEqual(['a', 'b', 'e']);
  });

  it('a `*` in a file pattern does not cross folders', () => {
    const nested = report('tests/integration/deeper/x.test.ts', [['x', 'skipped']]);
    expect(checkSkips({ stack: nested }, remote).unexpected).toHaveLength(1);
  });

  it('an entry with an unknown condition is an error, not a silent pass', () => {
    const skipped = report('tests/e2e/users.test.ts', [['x', 'skipped']]);
    const broken = [{ lane: 'stack', file: 'tests/e2e/users.test.ts', when: 'sometimes', reason: '?' }] as unknown as KnownSkip[];
    expect(() => checkSkips({ stack: skipped }, { ...local, known: broken })).toThrow(/unknown condition "sometimes"/);
  });
});

describe('the list (scripts/known-skips.mjs)', () => {
  const lanes = ['checks', 'stack', 'own-stacks', 'function-auth'];

  it.each(KNOWN_SKIPS.map((entry) => [`${entry.lane}: ${entry.file}${entry.test ? ` > ${entry.test}` : ''}`, entry] as const))(
    '%s: a lane of scripts/test.sh, a known condition, a reason, and it still names a test that exists',
    (_name, entry) => {
      expect(lanes).toContain(entry.lane);
      if (entry.when !== undefined) expect(Object.keys(CONDITIONS)).toContain(entry.when);
      expect(entry.reason.length).toBeGreaterThan(20);
      const folder = entry.file.slice(0, entry.file.lastIndexOf('/'));
      const pattern = new RegExp(
        `^${entry.file
          .slice(folder.length + 1)
          .replaceAll('.', '\\.')
          .replaceAll('*', '[^/]*')}$`,
      );
      const matching = readdirSync(join(ROOT, folder)).filter((name) => pattern.test(name));
      expect(matching.length, `no file matches ${entry.file}`).toBeGreaterThan(0);
      if (entry.test !== undefined) {
        const texts = matching.map((name) => readFileSync(join(ROOT, folder, name), 'utf8'));
        expect(texts.some((text) => text.includes(entry.test as string))).toBe(true);
      }
    },
  );
});

describe('scripts/test-summary.mjs', () => {
  const run = promisify(execFile);
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** Runs the summary over reports written to a fresh folder; its exit code and output. */
  async function summary(reports: Record<string, VitestReport>, flags: string[] = [], env: NodeJS.ProcessEnv = {}) {
    dir = mkdtempSync(join(tmpdir(), 'test-summary-'));
    for (const [lane, body] of Object.entries(reports)) {
      const tests = (body.testResults ?? []).flatMap((result) => result.assertionResults ?? []);
      const count = (statuses: string[]) => tests.filter((test) => statuses.includes(test.status)).length;
      const full = {
        numPassedTests: count(['passed']),
        numFailedTests: count(['failed']),
        numPendingTests: count(['skipped', 'pending']),
        numTodoTests: count(['todo']),
        testResults: (body.testResults ?? []).map((result) => ({ ...result, startTime: 0, endTime: 1000 })),
      };
      writeFileSync(join(dir, `${lane}.json`), JSON.stringify(full));
    }
    const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...env };
    try {
      const { stdout } = await run(process.execPath, [join(ROOT, 'scripts/test-summary.mjs'), dir, '12', ...flags], {
        cwd: ROOT,
        env: childEnv,
      });
      return { code: 0, stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string };
      return { code: failed.code, stdout: failed.stdout };
    }
  }

  const integrationSkipped = {
    stack: report('tests/integration/sessions-store.test.ts', [['sessions table on DynamoDB Local rotates', 'skipped']]),
  };

  it('exits 1 and names the test when a lane skipped an unlisted test', async () => {
    const { code, stdout } = await summary(integrationSkipped);
    expect(code).toBe(1);
    expect(stdout).toContain('FAILED: 1 tests skipped');
    expect(stdout).toContain('stack: tests/integration/sessions-store.test.ts > sessions table on DynamoDB Local rotates');
    expect(stdout).toContain('0 passed, 0 failed, 1 skipped in 12 s');
  });

  it('control: exits 0 when the same skip is listed and its condition holds (a deployed API), printing the reason', async () => {
    const { code, stdout } = await summary(integrationSkipped, [], { E2E_BASE_URL: 'https://api.example.com/dev' });
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /Skipped as listed in scripts\/known-skips\.mjs:\n {2}1 in stack: tests\/integration\/sessions-store\.test\.ts: the integration suites/,
    );
  });

  it('with --name-filter (a -t filter skips the rest) reports unlisted skips and exits 0', async () => {
    const { code, stdout } = await summary(integrationSkipped, ['--name-filter']);
    expect(code).toBe(0);
    expect(stdout).toContain('1 tests skipped that scripts/known-skips.mjs does not list (not a failure');
  });

  it('exits 0 on a run without skips', async () => {
    const { code } = await summary({ checks: report('functions/x.test.ts', [['a', 'passed']]) });
    expect(code).toBe(0);
  });
});

// The shell side, run for real with a stand-in `npx` (every check passes; vitest writes the given report): the
// run's exit status must follow the skip guard.
describe('scripts/test.sh', () => {
  const run = promisify(execFile);
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function testSh(lanesReport: VitestReport, args: string[] = []) {
    dir = mkdtempSync(join(tmpdir(), 'test-sh-'));
    const tests = (lanesReport.testResults ?? []).flatMap((result) => result.assertionResults ?? []);
    const full = {
      numPassedTests: tests.filter((test) => test.status === 'passed').length,
      numFailedTests: 0,
      numPendingTests: tests.filter((test) => test.status === 'skipped').length,
      numTodoTests: 0,
      testResults: (lanesReport.testResults ?? []).map((result) => ({ ...result, startTime: 0, endTime: 1 })),
    };
    writeFileSync(join(dir, 'report.json'), JSON.stringify(full));
    writeFileSync(
      join(dir, 'npx'),
      [
        '#!/usr/bin/env bash',
        'if [ "$1" = vitest ]; then',
        '  for arg in "$@"; do case $arg in --outputFile.json=*) cp "$FAKE_REPORT" "${arg#--outputFile.json=}" ;; esac; done',
        'fi',
        'exit 0',
      ].join('\n'),
      { mode: 0o755 },
    );
    // Against a "deployed API": two lanes (stack, checks), no local stack.
    const env = {
      PATH: `${dir}:${process.env.PATH}`,
      FAKE_REPORT: join(dir, 'report.json'),
      TEST_REPORT_DIR: join(dir, 'reports'),
      E2E_BASE_URL: 'https://api.example.com/dev',
    };
    try {
      const { stdout } = await run('bash', [join(ROOT, 'scripts/test.sh'), ...args], { env });
      return { code: 0, stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string };
      return { code: failed.code, stdout: failed.stdout };
    }
  }

  const skippedUsers = report('tests/e2e/users.test.ts', [
    ['cross-user access GET /users/{userId}', 'skipped'],
    ['POST /users creates a user', 'passed'],
  ]);

  it('fails the run when a lane skipped an unlisted test, though every lane passed', async () => {
    const { code, stdout } = await testSh(skippedUsers);
    expect(stdout).toContain('lane stack: passed');
    expect(stdout).toContain('lane checks: passed');
    expect(stdout).toContain('stack: tests/e2e/users.test.ts > cross-user access GET /users/{userId}');
    expect(code).toBe(1);
  });

  it('control: passes when nothing was skipped', async () => {
    const { code } = await testSh(report('tests/e2e/users.test.ts', [['POST /users creates a user', 'passed']]));
    expect(code).toBe(0);
  });

  it('passes with a -t filter, which skips the other tests on purpose, and says so', async () => {
    const { code, stdout } = await testSh(skippedUsers, ['-t', 'creates a user']);
    expect(stdout).toContain('not a failure: a -t filter skips the rest');
    expect(code).toBe(0);
  });
});
