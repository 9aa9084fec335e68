/**
 * The password and its hash never appear in a response or a log line: the real sign-up and log-in
 * handlers (in this process, at DEBUG level, against DynamoDB Local), with stdout/stderr captured,
 * on the success paths, the refusals and a failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeLocal, stage } from '../support/env.js';

const PASSWORD = `Pw-${randomUUID()}`;
const keyDir = mkdtempSync(join(tmpdir(), 'users-secrets-'));
let output: string[] = [];
let restore: Array<() => void> = [];

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
let signUp: Handler;
let login: Handler;

const context = (): Context =>
  ({
    awsRequestId: randomUUID(),
    functionName: 'test',
    functionVersion: '1',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:0:function:test',
    memoryLimitInMB: '1024',
    getRemainingTimeInMillis: () => 10_000,
  }) as unknown as Context;

const post = (path: string, body: string): APIGatewayProxyEvent =>
  ({
    httpMethod: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    body,
    isBase64Encoded: false,
    requestContext: {},
  }) as unknown as APIGatewayProxyEvent;

/** The JSON log lines captured so far (the handlers log one JSON object a line). */
function logLines(): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  for (const line of output.join('').split('\n')) {
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed !== null && typeof parsed === 'object') lines.push(parsed as Record<string, unknown>);
    } catch {
      // not a log line of ours
    }
  }
  return lines;
}

function expectNoSecret(text: string, hash?: string) {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain('$scrypt$');
  expect(text).not.toContain('$argon2');
  if (hash) expect(text).not.toContain(hash.split('$').pop() as string);
}

describeLocal('no password or hash in responses or logs', () => {
  const savedEnv = { ...process.env };
  beforeAll(async () => {
    Object.assign(process.env, {
      LOG_LEVEL: 'DEBUG',
      POWERTOOLS_LOGGER_LOG_EVENT: 'true', // even with event logging switched on by an operator
      USERS_TABLE_NAME: `ecommerce-${stage()}-users`,
      JWT_SIGNING_KEYS_SOURCE: `file:${join(keyDir, 'keys.json')}`,
      JWT_ISSUER: 'urn:ecommerce:test:users',
      JWT_AUDIENCE: 'urn:ecommerce:test:api',
      JWT_TTL_SECONDS: '900',
      SESSIONS_TABLE_NAME: `ecommerce-${stage()}-sessions`,
      REFRESH_TOKEN_TTL_SECONDS: '600',
      SESSION_MAX_SECONDS: '3600',
      LOGIN_MAX_FAILURES_PER_EMAIL: '5',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '50',
      LOGIN_ATTEMPT_WINDOW_SECONDS: '60',
    });
    for (const stream of [process.stdout, process.stderr]) {
      // Captured, not echoed: the test output stays readable.
      const spy = vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      });
      restore.push(() => spy.mockRestore());
    }
    signUp = (await import('../../functions/users/handlers/sign-up.js')).handler as unknown as Handler;
    login = (await import('../../functions/users/handlers/login.js')).handler as unknown as Handler;
  });

  afterAll(() => {
    for (const undo of restore) undo();
    restore = [];
    rmSync(keyDir, { recursive: true, force: true });
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
  });

  it('on sign-up, log-in, refusals and validation errors', async () => {
    output = [];
    const email = `secrets-${randomUUID()}@example.com`;
    const responses = [
      await signUp(post('/users', JSON.stringify({ email, name: 'Secret Keeper', pwd: PASSWORD })), context()),
      await signUp(post('/users', JSON.stringify({ email, name: 'Secret Keeper', pwd: PASSWORD })), context()), // 409
      await signUp(post('/users', JSON.stringify({ email: 'x@example.com', name: 'A', pwd: PASSWORD, role: 'admin' })), context()), // 400
      await signUp(post('/users', JSON.stringify({ email: 'not-an-email', name: 'A', pwd: PASSWORD })), context()), // 400
      await signUp(post('/users', `{"email":"${email}","pwd":"${PASSWORD}"`), context()), // malformed JSON
      await login(post('/login', JSON.stringify({ email, password: PASSWORD })), context()), // 200
      await login(post('/login', JSON.stringify({ email, password: `${PASSWORD}x` })), context()), // 401
      await login(post('/login', JSON.stringify({ email: 'nobody@example.com', password: PASSWORD })), context()), // 401
      await login(post('/login', JSON.stringify({ email, password: PASSWORD, extra: 1 })), context()), // 400
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([201, 409, 400, 400, 400, 200, 401, 401, 400]);
    for (const response of responses) expectNoSecret(`${JSON.stringify(response.headers)} ${response.body}`);
    // The capture works: the handlers' own lines for the refusals above were caught, one per refusal.
    const rejections = logLines()
      .filter((line) => line.message === 'request rejected')
      .map((line) => `${String(line.statusCode)} ${String(line.code)}`);
    expect(rejections.sort()).toEqual(
      [
        '409 EMAIL_TAKEN',
        '400 VALIDATION_FAILED',
        '400 VALIDATION_FAILED',
        '400 MALFORMED_JSON',
        '401 INVALID_CREDENTIALS',
        '401 INVALID_CREDENTIALS',
        '400 VALIDATION_FAILED',
      ].sort(),
    );
    expectNoSecret(output.join(''));
    // The session's tokens reach the caller and nowhere else: not the logs.
    const { token, refreshToken } = JSON.parse(responses[5]?.body ?? '{}') as { token: string; refreshToken: string };
    expect(refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(output.join('')).not.toContain(refreshToken);
    expect(output.join('')).not.toContain(token);
  });

  it('on an unexpected failure (no table)', async () => {
    vi.resetModules();
    process.env.USERS_TABLE_NAME = 'ecommerce-missing-users';
    const failing = (await import('../../functions/users/handlers/sign-up.js')).handler as unknown as Handler;
    output = [];
    const response = await failing(
      post('/users', JSON.stringify({ email: `fail-${randomUUID()}@example.com`, name: 'A', pwd: PASSWORD })),
      context(),
    );
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ message: 'Internal server error', code: 'INTERNAL_ERROR' });
    expect(output.join('')).toContain('unhandled error');
    expectNoSecret(`${response.body} ${output.join('')}`);
  });
});
