// The in-function token check (AUTHORIZER_MODE=function), for gateways that cannot run the authorizer.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiEvent, authorizedBy, lambdaContext } from '../../../tests/support/lambda.js';
import { newKeySet, publicJwks, type JwtKeySet } from '../../users/auth/key-set.js';
import { RsaTokenIssuer, signRs256 } from '../../users/auth/token-issuer.js';
import { createPrivateKey } from 'node:crypto';
import * as z from '../schema.js';
import { httpHandler, requireSelf, json } from './handler.js';

const ISSUER = 'urn:test:users';
const AUDIENCE = 'urn:test:api';
const USER = randomUUID();
let keys: JwtKeySet;
let env: NodeJS.ProcessEnv;
let token: string;

beforeAll(async () => {
  keys = newKeySet();
  env = {
    AUTHORIZER_MODE: 'function',
    JWT_PUBLIC_JWKS: JSON.stringify(publicJwks(keys)),
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    JWT_TTL_SECONDS: '900',
  };
  token = (await new RsaTokenIssuer(async () => keys, { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 900 }).issue(USER)).token;
});

let handled = 0;
const protectedRoute = (environment: NodeJS.ProcessEnv) =>
  httpHandler(
    {
      auth: 'required',
      path: z.strictObject({ userId: z.string() }),
      body: z.strictObject({ qty: z.int() }),
      handle: async (request) => {
        handled++;
        return json(200, { caller: requireSelf(request, request.path.userId) });
      },
    },
    environment,
  );

const call = async (headers: Record<string, string>, extra: Parameters<typeof apiEvent>[0] = {}) =>
  await protectedRoute(env)(
    apiEvent({ httpMethod: 'POST', headers, pathParameters: { userId: USER }, body: { qty: 1 }, ...extra }),
    lambdaContext,
  );

const now = () => Math.floor(Date.now() / 1000);
const signed = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  signRs256(
    { alg: 'RS256', typ: 'JWT', kid: keys.current.kid, ...header },
    { iss: ISSUER, aud: AUDIENCE, sub: USER, iat: now(), nbf: now(), exp: now() + 600, ...claims },
    createPrivateKey(keys.current.privateKeyPem),
  );

describe('in-function token check', () => {
  it('lets a valid bearer token through as its caller', async () => {
    const response = await call({ Authorization: `Bearer ${token}` });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ caller: USER });
  });

  it.each([
    ['no Authorization header', () => ({})],
    ['another scheme', () => ({ Authorization: `Basic ${token}` })],
    ['a token signed by an unknown key', () => ({ Authorization: `Bearer ${signed({}, { kid: newKeySet().current.kid })}` })],
    ['an expired token', () => ({ Authorization: `Bearer ${signed({ iat: now() - 1200, nbf: now() - 1200, exp: now() - 600 })}` })],
    ['another issuer', () => ({ Authorization: `Bearer ${signed({ iss: 'urn:evil' })}` })],
    ['another audience', () => ({ Authorization: `Bearer ${signed({ aud: 'urn:other' })}` })],
    ['a token not valid yet', () => ({ Authorization: `Bearer ${signed({ nbf: now() + 600 })}` })],
    ['alg none', () => ({ Authorization: `Bearer ${token.split('.').slice(0, 2).join('.')}.` })],
    [
      'a tampered payload',
      () => ({ Authorization: `Bearer ${token.replace(/\.[^.]+\./, `.${Buffer.from('{"sub":"x"}').toString('base64url')}.`)}` }),
    ],
  ])('answers 401 (and runs nothing) for %s', async (_name, headers) => {
    const before = handled;
    const response = await call(headers());
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body)).toEqual({ message: 'Unauthorized', code: 'UNAUTHORIZED' });
    expect(handled).toBe(before);
  });

  it('never trusts a request context that claims an authorizer ran', async () => {
    expect((await call({}, authorizedBy(USER))).statusCode).toBe(401);
  });

  it('answers 401 before reading the body: no 400 or 415 reveals anything to a caller without a token', async () => {
    expect((await call({}, { body: '{not json' })).statusCode).toBe(401);
    expect((await call({ 'Content-Type': 'text/plain' })).statusCode).toBe(401);
  });

  it('refuses to start without the keys, rather than answer 401 to everyone', () => {
    expect(() => protectedRoute({ ...env, JWT_PUBLIC_JWKS: '' })).toThrow(/JWT_PUBLIC_JWKS/);
    expect(() => protectedRoute({ ...env, JWT_PUBLIC_JWKS: '{"keys":[]}' })).toThrow(/no keys/);
  });

  it('in gateway mode reads the caller from the authorizer context, and without one there is no caller', async () => {
    const gateway = protectedRoute({});
    const withContext = apiEvent({
      httpMethod: 'POST',
      pathParameters: { userId: USER },
      body: { qty: 1 },
      ...authorizedBy(USER),
    });
    expect((await gateway(withContext, lambdaContext)).statusCode).toBe(200);
    const withoutContext = apiEvent({
      httpMethod: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      pathParameters: { userId: USER },
      body: { qty: 1 },
    });
    expect((await gateway(withoutContext, lambdaContext)).statusCode).toBe(401);
  });
});
