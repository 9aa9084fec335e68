// Routes that need a role (docs/http-api.md, "Authentication"): a valid token without the role is 403 FORBIDDEN, no token 401, in both
// authorizer modes; the role is read from our authorizer's context (gateway) or from the token itself (function).
import { createPrivateKey, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiEvent, authorizedBy, lambdaContext } from '../../../tests/support/lambda.js';
import { newKeySet, publicJwks, type JwtKeySet } from '../../users/auth/key-set.js';
import { signRs256 } from '../../users/auth/token-issuer.js';
import { httpHandler, json } from './handler.js';

const ISSUER = 'urn:test:users';
const AUDIENCE = 'urn:test:api';
const USER = randomUUID();
let keys: JwtKeySet;
const functionEnv = () => ({
  AUTHORIZER_MODE: 'function',
  JWT_PUBLIC_JWKS: JSON.stringify(publicJwks(keys)),
  JWT_ISSUER: ISSUER,
  JWT_AUDIENCE: AUDIENCE,
  JWT_TTL_SECONDS: '900',
});
beforeAll(() => {
  keys = newKeySet();
});

const adminRoute = (env: NodeJS.ProcessEnv) =>
  httpHandler(
    { auth: 'required', roles: ['admin'], handle: async (request) => json(200, { caller: request.callerId, roles: request.callerRoles }) },
    env,
  );
const now = () => Math.floor(Date.now() / 1000);
const token = (claims: Record<string, unknown>) =>
  signRs256(
    { alg: 'RS256', typ: 'JWT', kid: keys.current.kid },
    { iss: ISSUER, aud: AUDIENCE, sub: USER, iat: now(), nbf: now(), exp: now() + 600, ...claims },
    createPrivateKey(keys.current.privateKeyPem),
  );
const answer = async (response: Promise<{ statusCode: number; body: string }>) => {
  const { statusCode, body } = await response;
  return [statusCode, JSON.parse(body) as Record<string, unknown>] as const;
};

describe('a route that needs the role admin, gateway mode (the authorizer context)', () => {
  const call = (extra: Parameters<typeof apiEvent>[0]) =>
    answer(adminRoute({ AUTHORIZER_MODE: 'gateway' })(apiEvent(extra), lambdaContext));

  it('lets an admin through, with the roles on the request', async () => {
    expect(await call(authorizedBy(USER, ['admin']))).toEqual([200, { caller: USER, roles: ['admin'] }]);
  });
  it('answers 403 FORBIDDEN to a caller without it', async () => {
    expect(await call(authorizedBy(USER))).toEqual([403, { message: 'This route needs the role admin', code: 'FORBIDDEN' }]);
  });
  it('answers 401 without a caller, whatever roles a context claims', async () => {
    expect((await call({ requestContext: { authorizer: { roles: 'admin' } } as never }))[0]).toBe(401);
  });
});

describe('a route that needs the role admin, function mode (the token)', () => {
  const call = (bearer: string | undefined) =>
    answer(adminRoute(functionEnv())(apiEvent({ headers: bearer ? { authorization: `Bearer ${bearer}` } : {} }), lambdaContext));

  it('lets a token with the role through', async () => {
    expect(await call(token({ roles: ['admin'] }))).toEqual([200, { caller: USER, roles: ['admin'] }]);
  });
  it.each([
    ['no roles claim (a token from before roles)', {}],
    ['an empty roles claim', { roles: [] }],
  ])('answers 403 FORBIDDEN to a valid token with %s', async (_name, claims) => {
    expect(await call(token(claims))).toEqual([403, { message: 'This route needs the role admin', code: 'FORBIDDEN' }]);
  });
  it.each([
    ['a role that does not exist', { roles: ['root'] }],
    ['roles that are not a list', { roles: 'admin' }],
  ])('answers 401 to a token with %s (it is malformed, not merely unprivileged)', async (_name, claims) => {
    expect((await call(token(claims)))[0]).toBe(401);
  });
  it('answers 401 without a token', async () => {
    expect((await call(undefined))[0]).toBe(401);
  });
});
