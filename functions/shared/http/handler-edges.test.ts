// httpHandler's edges that handler.test.ts does not drive: the response metrics (one per answer, by status
// class), a verifier that fails for another reason than the token (a 500, not a 401 that blames the caller),
// and the JSON media types a body may come with (`+json` types, parameters such as `charset`).
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { apiEvent, authorizedBy, lambdaContext } from '../../../tests/support/lambda.js';
import { newKeySet, publicJwks } from '../../users/auth/key-set.js';
import { RsaTokenIssuer } from '../../users/auth/token-issuer.js';
import { AccessTokenVerifier, TokenRejectedError } from '../auth/access-token-verifier.js';
import { ConflictError } from '../domain-errors.js';
import { logger, metrics } from '../observability.js';
import * as z from '../schema.js';
import { httpHandler, json } from './handler.js';

let addMetric: MockInstance<typeof metrics.addMetric>;
beforeEach(() => {
  addMetric = vi.spyOn(metrics, 'addMetric');
});
afterEach(() => vi.restoreAllMocks());

/** The response metrics added so far (http2xx, http4xx, http5xx), in order. */
const responseMetrics = () =>
  addMetric.mock.calls.filter(([name]) => /^http\dxx$/.test(name)).map(([name, unit, value]) => `${name} ${unit} ${value}`);

const handled: unknown[] = [];
const route = httpHandler({
  auth: 'required',
  body: z.strictObject({ name: z.string().check(z.minLength(1)) }),
  maxBodyBytes: 200,
  handle: async ({ body, callerId }) => {
    if (body.name === 'taken') throw new ConflictError('NAME_TAKEN', 'name taken');
    if (body.name === 'crash') throw new Error('internals');
    handled.push(body);
    return json(201, { name: body.name, callerId });
  },
});

const post = (body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }, caller: string | null = 'u-1') =>
  route(
    apiEvent({
      httpMethod: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers,
      ...(caller ? authorizedBy(caller) : {}),
    }),
    lambdaContext,
  );

describe('httpHandler response metrics', () => {
  it.each([
    ['a 201', { name: 'ok' }, undefined, 201, 'http2xx'],
    ['a 400 (the body fails its schema)', { name: '' }, undefined, 400, 'http4xx'],
    ['a 401 (no caller)', { name: 'ok' }, 'none', 401, 'http4xx'],
    ['a 409 (a domain error)', { name: 'taken' }, undefined, 409, 'http4xx'],
    ['a 413 (a body over the limit)', { name: 'x'.repeat(300) }, undefined, 413, 'http4xx'],
    ['a 500 (an unexpected error)', { name: 'crash' }, undefined, 500, 'http5xx'],
  ])('counts %s once, under its status class', async (_case, body, caller, status, metric) => {
    const res = await post(body, undefined, caller === 'none' ? null : 'u-1');
    expect(res.statusCode).toBe(status);
    expect(responseMetrics()).toEqual([`${metric} Count 1`]);
  });

  it('counts each answer of a handler that serves several requests', async () => {
    await post({ name: 'ok' });
    await post({ name: 'taken' });
    await post({ name: 'ok' });
    expect(responseMetrics()).toEqual(['http2xx Count 1', 'http4xx Count 1', 'http2xx Count 1']);
  });
});

describe('httpHandler with the in-function token check: a verifier that fails for another reason', () => {
  const ISSUER = 'urn:test:users';
  const AUDIENCE = 'urn:test:api';
  const USER = '0b4d3b4e-8f52-4c5e-9d3e-6f1f0c2a7b11';
  let env: NodeJS.ProcessEnv;
  let token: string;
  beforeAll(async () => {
    const keys = newKeySet();
    env = {
      AUTHORIZER_MODE: 'function',
      JWT_PUBLIC_JWKS: JSON.stringify(publicJwks(keys)),
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      JWT_TTL_SECONDS: '900',
    };
    token = (await new RsaTokenIssuer(async () => keys, { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 900 }).issue(USER)).token;
  });

  let ran = 0;
  const protectedRoute = () =>
    httpHandler(
      {
        auth: 'required',
        handle: async ({ callerId }) => {
          ran++;
          return json(200, { callerId });
        },
      },
      env,
    );
  const call = () => protectedRoute()(apiEvent({ headers: { Authorization: `Bearer ${token}` } }), lambdaContext);

  it('control: a valid token is its caller', async () => {
    const res = await call();
    expect([res.statusCode, JSON.parse(res.body)]).toEqual([200, { callerId: USER }]);
  });

  it('control: a rejected token is a 401 (the caller is to blame)', async () => {
    vi.spyOn(AccessTokenVerifier.prototype, 'verify').mockImplementation(() => {
      throw new TokenRejectedError('JwtExpiredError');
    });
    const res = await call();
    expect(res.statusCode).toBe(401);
  });

  it('any other verifier failure is a bare 500, logged, the handler not run and no caller assumed', async () => {
    const logError = vi.spyOn(logger, 'error');
    const bug = new TypeError("Cannot read properties of undefined (reading 'n')");
    vi.spyOn(AccessTokenVerifier.prototype, 'verify').mockImplementation(() => {
      throw bug;
    });
    const before = ran;
    const res = await call();
    expect([res.statusCode, JSON.parse(res.body)]).toEqual([500, { message: 'Internal server error', code: 'INTERNAL_ERROR' }]);
    expect(res.body).not.toContain('reading');
    expect(ran).toBe(before);
    expect(logError).toHaveBeenCalledWith('unhandled error', { error: bug });
    expect(responseMetrics()).toEqual(['http5xx Count 1']);
  });
});

describe('httpHandler JSON media types', () => {
  const accepted = async (contentType: string) => {
    const before = handled.length;
    const res = await post('{"name":"Zoë"}', { 'Content-Type': contentType });
    expect(res.statusCode, `${contentType}: ${res.body}`).toBe(201);
    expect(handled.length).toBe(before + 1);
    // read as UTF-8 JSON whatever the parameters say
    expect(handled.at(-1)).toEqual({ name: 'Zoë' });
  };

  it.each([
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'application/json ; charset=utf-8',
    'Application/JSON',
    'application/vnd.api+json',
    'application/merge-patch+json',
    'application/problem+json; charset=utf-8',
    'application/vnd.shop.order.v1+json',
  ])('accepts %s', async (contentType) => {
    await accepted(contentType);
  });

  it('takes the content type whatever its header name’s case (the headers are normalised first)', async () => {
    const before = handled.length;
    const res = await route(
      apiEvent({
        httpMethod: 'POST',
        body: '{"name":"a"}',
        headers: { 'CONTENT-TYPE': 'application/json; charset=utf-8' },
        ...authorizedBy('u-1'),
      }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(201);
    expect(handled.length).toBe(before + 1);
  });

  it.each([
    'text/json',
    'text/plain; charset=utf-8',
    'application/jsonx',
    'application/json-seq',
    'application/json+xml',
    'application/+json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'json',
    'application/xml; x=application/json',
  ])('refuses %s with 415, before the handler runs', async (contentType) => {
    const before = handled.length;
    const res = await post({ name: 'ok' }, { 'Content-Type': contentType });
    expect([res.statusCode, JSON.parse(res.body).code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(handled.length).toBe(before);
  });
});
