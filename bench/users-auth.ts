/**
 * Sign-up and log-in latency at the chosen password-hash cost (Argon2id m=19 MiB, t=2, p=1), over HTTP.
 *
 *   npx tsx bench/users-auth.ts                       # starts its own local stack (in memory, own ports)
 *   E2E_BASE_URL=https://... npx tsx bench/users-auth.ts
 *
 * Bounded: SIGNUPS (default 40) sign-ups, LOGINS (default 60) log-ins, then 30 wrong-password and 30
 * unknown-email log-ins (which should cost the same as a good one), LOGINS refreshes (a rotation chain),
 * 30 log-ins refused past the per-email limit (429, no hash), and 200 authorized reads. Requests
 * run one at a time: the figures are latencies, not throughput. Prints p50 / p99 per kind (p99 of a
 * few dozen samples is close to the maximum). Also, in this process: the Argon2id hash and verify alone,
 * and the verify of a legacy scrypt hash (N=2^17: what a not yet upgraded user's first log-in costs).
 * Nothing here asserts a time.
 */
import { randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Argon2PasswordHasher, OWASP_ARGON2ID_PARAMS, scryptMaxmem } from '../functions/users/auth/password-hasher.js';
import { startLocalStack, type RunningStack } from '../local/stack.js';
import { summarize } from './stats.js';

const SIGNUPS = Number(process.env.SIGNUPS ?? 40);
const LOGINS = Number(process.env.LOGINS ?? 60);
const FAILED_LOGINS = 30;
const READS = 200;
const offset = Number(process.env.TEST_PORT_OFFSET ?? 0);
// Beside bench/gateway.ts's ports (3200...), so the two can run side by side.
const BENCH_PORTS = { http: 3250 + offset, lambda: 3252 + offset, dynamodb: 8250 + offset, sqs: 9574 + offset, eventBridge: 4260 + offset };
const PASSWORD = 'correct horse battery staple';

const { memoryCost, timeCost, parallelism } = OWASP_ARGON2ID_PARAMS;
const COST = `Argon2id m=${memoryCost} KiB (${memoryCost / 1024} MiB) t=${timeCost} p=${parallelism}`;

/** `$scrypt$ln=17,r=8,p=1$...` as the previous hasher stored it, made with node:crypto directly. */
function legacyScryptHash(password: string): string {
  const params = { log2N: 17, r: 8, p: 1 };
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFKC'), salt, 32, {
    N: 2 ** params.log2N,
    r: params.r,
    p: params.p,
    maxmem: scryptMaxmem(params),
  });
  const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=${params.log2N},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

const rows: string[][] = [];
function report(name: string, samples: number[]) {
  const { n, p50, p99, max } = summarize(samples);
  const row = [name, String(n), p50.toFixed(1), p99.toFixed(1), max.toFixed(1)];
  rows.push(row);
  console.log(`  ${name}: n=${row[1]} p50=${row[2]} ms p99=${row[3]} ms max=${row[4]} ms`);
}

async function timed(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ ms: number; status: number; json: any }> {
  const started = performance.now();
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  return { ms, status: response.status, json: text ? JSON.parse(text) : undefined };
}

function expectStatus(result: { status: number }, status: number, what: string) {
  if (result.status !== status) throw new Error(`${what}: expected ${status}, got ${result.status}`);
}

async function main() {
  let stack: RunningStack | undefined;
  let base = process.env.E2E_BASE_URL?.replace(/\/$/, '');
  if (!base) {
    console.log(`Starting a local stack (in memory) on ports ${JSON.stringify(BENCH_PORTS)} ...`);
    // Every request comes from 127.0.0.1: lift the per-address log-in limit (50 failures) that the
    // 60 deliberate failures below would otherwise reach.
    stack = await startLocalStack({
      inMemory: true,
      ports: BENCH_PORTS,
      params: ['loginMaxFailuresPerAddress=100000'],
      log: () => undefined,
    });
    base = stack.baseUrl;
  }
  try {
    console.log(`Target ${base}; ${COST}`);
    console.log(`Machine: ${availableParallelism()} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`);

    // Warm-up (cold starts of each function), not counted.
    const warmEmail = `bench-warm-${randomUUID()}@example.com`;
    expectStatus(await timed(base, 'POST', '/users', { email: warmEmail, name: 'Warm', pwd: PASSWORD }), 201, 'warm-up sign-up');
    const warmLogin = await timed(base, 'POST', '/login', { email: warmEmail, password: PASSWORD });
    expectStatus(warmLogin, 200, 'warm-up log-in');
    await timed(base, 'GET', `/users/${warmLogin.json.userId}`, undefined, warmLogin.json.token);

    // The hash alone, in this process: the floor under both routes (after the
    // stack's start-up, which competes for the CPUs).
    const hasher = new Argon2PasswordHasher();
    const hashSamples: number[] = [];
    const verifySamples: number[] = [];
    for (let i = 0; i < 20; i++) {
      let started = performance.now();
      const stored = await hasher.hash(PASSWORD);
      hashSamples.push(performance.now() - started);
      started = performance.now();
      await hasher.verify(PASSWORD, stored);
      verifySamples.push(performance.now() - started);
    }
    // A legacy hash as the scrypt hasher stored it (N=2^17, r=8, p=1), verified by the new hasher.
    const legacySamples: number[] = [];
    const legacy = legacyScryptHash(PASSWORD);
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await hasher.verify(PASSWORD, legacy);
      legacySamples.push(performance.now() - started);
    }

    const signUps: number[] = [];
    const emails: string[] = [];
    for (let i = 0; i < SIGNUPS; i++) {
      const email = `bench-${randomUUID()}@example.com`;
      const result = await timed(base, 'POST', '/users', { email, name: `Bench ${i}`, pwd: PASSWORD });
      expectStatus(result, 201, 'sign-up');
      signUps.push(result.ms);
      emails.push(email);
    }
    const duplicates: number[] = [];
    for (let i = 0; i < FAILED_LOGINS; i++) {
      const result = await timed(base, 'POST', '/users', { email: emails[i % emails.length], name: 'Again', pwd: PASSWORD });
      expectStatus(result, 409, 'duplicate sign-up');
      duplicates.push(result.ms);
    }
    const logins: number[] = [];
    let token = '';
    let userId = '';
    for (let i = 0; i < LOGINS; i++) {
      const result = await timed(base, 'POST', '/login', { email: emails[i % emails.length], password: PASSWORD });
      expectStatus(result, 200, 'log-in');
      logins.push(result.ms);
      token = result.json.token;
      userId = result.json.userId;
    }
    const wrongPassword: number[] = [];
    const unknownEmail: number[] = [];
    for (let i = 0; i < FAILED_LOGINS; i++) {
      const wrong = await timed(base, 'POST', '/login', { email: emails[i % emails.length], password: `${PASSWORD}!` });
      expectStatus(wrong, 401, 'wrong password');
      wrongPassword.push(wrong.ms);
      const unknown = await timed(base, 'POST', '/login', { email: `nobody-${randomUUID()}@example.com`, password: PASSWORD });
      expectStatus(unknown, 401, 'unknown email');
      unknownEmail.push(unknown.ms);
    }
    // Refresh: a chain of rotations (each spends the token before and stores the next: one transaction).
    const refreshes: number[] = [];
    let refreshToken = (await timed(base, 'POST', '/login', { email: emails[0], password: PASSWORD })).json.refreshToken as string;
    for (let i = 0; i < LOGINS; i++) {
      const result = await timed(base, 'POST', '/token/refresh', { refreshToken });
      expectStatus(result, 200, 'refresh');
      refreshes.push(result.ms);
      refreshToken = result.json.refreshToken;
    }
    // Past the per-email limit: refused before any hash is computed.
    const lockedEmail = `locked-${randomUUID()}@example.com`;
    for (let i = 0; i < 5; i++)
      expectStatus(await timed(base, 'POST', '/login', { email: lockedEmail, password: PASSWORD }), 401, 'failure');
    const refused: number[] = [];
    for (let i = 0; i < FAILED_LOGINS; i++) {
      const result = await timed(base, 'POST', '/login', { email: lockedEmail, password: PASSWORD });
      expectStatus(result, 429, 'refused log-in');
      refused.push(result.ms);
    }
    const reads: number[] = [];
    for (let i = 0; i < READS; i++) {
      const result = await timed(base, 'GET', `/users/${userId}`, undefined, token);
      expectStatus(result, 200, 'authorized read');
      reads.push(result.ms);
    }

    console.log('\nResults (ms):');
    report('Argon2id hash in-process (m=19456,t=2,p=1)', hashSamples);
    report('Argon2id verify in-process', verifySamples);
    report('legacy scrypt verify in-process (N=2^17,r=8,p=1)', legacySamples);
    report('POST /users 201 (sign-up)', signUps);
    report('POST /users 409 (email taken: no hash)', duplicates);
    report('POST /login 200', logins);
    report('POST /login 401 wrong password', wrongPassword);
    report('POST /login 401 unknown email', unknownEmail);
    report('POST /login 429 past the limit (no hash)', refused);
    report('POST /token/refresh 200 (rotation)', refreshes);
    report('GET /users/{id} 200 (authorizer + GetItem)', reads);
    console.log('\n| measurement | n | p50 ms | p99 ms | max ms |\n| --- | --- | --- | --- | --- |');
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
    const gap = summarize(unknownEmail).p50 - summarize(wrongPassword).p50;
    console.log(`\nUnknown email vs wrong password, p50 difference: ${gap.toFixed(1)} ms (equal cost by design: both run one Argon2id).`);
  } finally {
    await stack?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exit(1);
});
