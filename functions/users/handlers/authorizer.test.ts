// The gateway's TOKEN authorizer (authorizer.ts) as API Gateway calls it. Its failure paths: every token problem
// is exactly `Unauthorized` (the one message API Gateway turns into a 401), counted and logged without the
// token; anything else (a verifier bug, a methodArn it cannot scope) is thrown as it is, so the gateway answers
// 500 and caches no denial; missing or broken keys fail when the module loads, not per request.
import { createPrivateKey, randomUUID } from 'node:crypto';
import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../../tests/support/lambda.js';
import { newKeySet, publicJwks, type JwtKeySet } from '../auth/key-set.js';
import { RsaTokenIssuer, signRs256 } from '../auth/token-issuer.js';

const ISSUER = 'urn:test:users';
const AUDIENCE = 'urn:test:api';
const USER = randomUUID();
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/users/42';
let keys: JwtKeySet;
let token: string;
let env: Record<string, string>;

beforeAll(async () => {
  keys = newKeySet();
  env = {
    JWT_PUBLIC_JWKS: JSON.stringify(publicJwks(keys)),
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    JWT_TTL_SECONDS: '900',
  };
  token = (await new RsaTokenIssuer(async () => keys, { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 900 }).issue(USER)).token;
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/**
 * A fresh load of the authorizer module (it builds its verifier at load, from the environment), with its
 * logger, metrics and verifier class from the same load so that spies see its calls.
 */
async function loadAuthorizer(environment: Record<string, string | undefined> = env) {
  vi.resetModules();
  for (const [name, value] of Object.entries({
    JWT_PUBLIC_JWKS: undefined,
    JWT_ISSUER: undefined,
    JWT_AUDIENCE: undefined,
    JWT_TTL_SECONDS: undefined,
    ...environment,
  }))
    vi.stubEnv(name, value);
  const observability = await import('../../shared/observability.js');
  const verifierModule = await import('../../shared/auth/access-token-verifier.js');
  const addMetric = vi.spyOn(observability.metrics, 'addMetric');
  const logInfo = vi.spyOn(observability.logger, 'info');
  const { handler } = await import('./authorizer.js');
  const authorize = (authorizationToken: string | undefined, methodArn = METHOD_ARN) =>
    handler({ type: 'TOKEN', authorizationToken, methodArn } as APIGatewayTokenAuthorizerEvent, lambdaContext);
  const rejections = () => addMetric.mock.calls.filter(([name]) => name === 'tokenRejected');
  return { authorize, addMetric, logInfo, rejections, AccessTokenVerifier: verifierModule.AccessTokenVerifier };
}

const now = () => Math.floor(Date.now() / 1000);
const signed = (claims: Record<string, unknown>, header: Record<string, unknown> = {}, signingKeys = keys) =>
  signRs256(
    { alg: 'RS256', typ: 'JWT', kid: signingKeys.current.kid, ...header },
    { iss: ISSUER, aud: AUDIENCE, sub: USER, iat: now(), nbf: now(), exp: now() + 600, ...claims },
    createPrivateKey(signingKeys.current.privateKeyPem),
  );

describe('authorizer handler', () => {
  it('control: allows the stage for a valid token, the caller and the token expiry in the context', async () => {
    const { authorize, rejections } = await loadAuthorizer();
    const result = await authorize(`Bearer ${token}`);
    expect(result.principalId).toBe(USER);
    expect(result.context).toEqual({ userId: USER, tokenExpiresAt: expect.any(Number), roles: '' });
    expect(result.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:123456789012:abc123/dev/*/*' },
    ]);
    expect(rejections()).toEqual([]);
  });

  it.each([
    ['no header', () => undefined, 'not a bearer token'],
    ['an empty header', () => '', 'not a bearer token'],
    ['another scheme', () => `Basic ${token}`, 'not a bearer token'],
    ['a token without its signature', () => `Bearer ${token.split('.').slice(0, 2).join('.')}`, 'not a bearer token'],
    ['an expired token', () => `Bearer ${signed({ iat: now() - 1200, nbf: now() - 1200, exp: now() - 600 })}`, undefined],
    ['another issuer', () => `Bearer ${signed({ iss: 'urn:evil' })}`, undefined],
    ['a key the stage does not know', () => `Bearer ${signed({}, {}, newKeySet())}`, undefined],
    ['a malformed sub', () => `Bearer ${signed({ sub: 'admin' })}`, 'missing or malformed sub'],
    ['a lifetime longer than issued', () => `Bearer ${signed({ exp: now() + 3600 })}`, 'lifetime longer than issued tokens have'],
  ])('%s: Unauthorized (401), one tokenRejected, the reason logged without the token', async (_case, header, reason) => {
    const { authorize, rejections, logInfo } = await loadAuthorizer();
    const authorization = header();
    await expect(authorize(authorization)).rejects.toThrow(new Error('Unauthorized'));
    expect(rejections()).toEqual([['tokenRejected', 'Count', 1]]);
    const logged = logInfo.mock.calls.filter(([message]) => message === 'token rejected');
    expect(logged).toHaveLength(1);
    const fields = logged[0]?.[1] as { reason: string };
    // the library's own rejections carry only its error's name; ours say what was wrong
    expect(fields.reason).toEqual(reason ?? expect.stringMatching(/^\w+$/));
    const jwt = authorization?.split(' ')[1];
    if (jwt) for (const part of jwt.split('.')) expect(JSON.stringify(logged)).not.toContain(part);
  });

  it('a verifier failure that is not a token rejection is thrown as it is (a 500), not blamed on the caller', async () => {
    const { authorize, rejections, AccessTokenVerifier } = await loadAuthorizer();
    const bug = new TypeError('verifier bug');
    vi.spyOn(AccessTokenVerifier.prototype, 'verify').mockImplementation(() => {
      throw bug;
    });
    await expect(authorize(`Bearer ${token}`)).rejects.toBe(bug);
    expect(rejections()).toEqual([]);
  });

  it('a methodArn it cannot scope to the stage is an error (500), not an Unauthorized for a valid token', async () => {
    const { authorize, rejections } = await loadAuthorizer();
    const failure = authorize(`Bearer ${token}`, 'arn:aws:lambda:us-east-1:123456789012:function:x');
    await expect(failure).rejects.toThrow('methodArn is not an execute-api ARN');
    await expect(failure).rejects.not.toThrow('Unauthorized');
    expect(rejections()).toEqual([]);
  });

  const otherKid = () => JSON.stringify({ keys: publicJwks(keys).keys.map((key) => ({ ...key, kid: 'some-other-kid' })) });
  it.each([
    ['no JWT_PUBLIC_JWKS', () => ({ JWT_PUBLIC_JWKS: undefined }), 'JWT_PUBLIC_JWKS is not set'],
    ['a JWKS that is not JSON', () => ({ JWT_PUBLIC_JWKS: '{"keys": [' }), /JSON/],
    ['a JWKS with no keys', () => ({ JWT_PUBLIC_JWKS: '{"keys":[]}' }), 'JWT_PUBLIC_JWKS holds no keys'],
    ['a JWKS whose kid is not its thumbprint', () => ({ JWT_PUBLIC_JWKS: otherKid() }), /kid is not the key's thumbprint/],
    ['no issuer', () => ({ JWT_ISSUER: undefined }), /JWT_ISSUER/],
    ['a token lifetime out of bounds', () => ({ JWT_TTL_SECONDS: '5' }), /JWT_TTL_SECONDS/],
  ])('fails to load with %s (INIT error: a 500, never a cached denial)', async (_case, override, message) => {
    await expect(loadAuthorizer({ ...env, ...override() })).rejects.toThrow(message);
  });
});
