import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { newKeySet, prepareNextKey, promoteNextKey, publicJwks, retirePreviousKeys, type JwtKeySet } from './key-set.js';
import { RsaTokenIssuer, signRs256 } from './token-issuer.js';
import { AccessTokenVerifier, TokenRejectedError, accessTokenVerifierFromEnv } from '../../shared/auth/access-token-verifier.js';

const config = {
  issuer: 'urn:test:users',
  audience: 'urn:test:api',
  ttlSeconds: 3600,
};
const USER = '0b5c3f0e-8d1b-4a57-9a43-3c1b2e6f4a10';
const OTHER = '6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b';

let keys: JwtKeySet;
let privateKey: KeyObject;
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const claims = (overrides: Record<string, unknown> = {}) => ({
  iss: config.issuer,
  aud: config.audience,
  sub: USER,
  iat: now(),
  nbf: now(),
  exp: now() + 600,
  ...overrides,
});
const header = (overrides: Record<string, unknown> = {}) => ({
  alg: 'RS256',
  typ: 'JWT',
  kid: keys.current.kid,
  ...overrides,
});

function verifierFor(set: JwtKeySet) {
  const jwks = publicJwks(set);
  return new AccessTokenVerifier(jwks, {
    issuer: config.issuer,
    audience: config.audience,
    maxTtlSeconds: config.ttlSeconds,
  });
}

beforeAll(() => {
  keys = newKeySet();
  privateKey = createPrivateKey(keys.current.privateKeyPem);
});

describe('token issue', () => {
  it('issues an RS256 JWT with kid, iss, aud, sub, iat, nbf, exp, jti and roles', async () => {
    const issuer = new RsaTokenIssuer(
      async () => keys,
      config,
      () => 1_800_000_000_000,
    );
    const { token, expiresIn } = await issuer.issue(USER);
    expect(expiresIn).toBe(3600);
    const [h, p] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(h).toEqual({ alg: 'RS256', typ: 'JWT', kid: keys.current.kid });
    expect(p).toMatchObject({
      iss: config.issuer,
      aud: config.audience,
      sub: USER,
      iat: 1_800_000_000,
      nbf: 1_800_000_000,
      exp: 1_800_003_600,
    });
    expect(p.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.roles).toEqual([]); // none given: an empty list, never a missing claim
  });

  it('carries the roles it is given in `roles`, each once and sorted, and the verifier reads them back', async () => {
    const issuer = new RsaTokenIssuer(async () => keys, config);
    const { token } = await issuer.issue(USER, ['admin', 'admin']);
    expect(JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).roles).toEqual(['admin']);
    expect(verifierFor(keys).verify(token)).toMatchObject({ sub: USER, roles: ['admin'] });
    expect(verifierFor(keys).verify((await issuer.issue(USER, [])).token)).toMatchObject({ roles: [] });
  });

  it('signs with whatever key is current (after a rotation, the new one)', async () => {
    const rotated = promoteNextKey(prepareNextKey(keys));
    const { token } = await new RsaTokenIssuer(async () => rotated, config).issue(USER);
    expect(JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).kid).toBe(rotated.current.kid);
  });

  it('refuses a TTL outside 60 s .. 24 h', () => {
    expect(() => new RsaTokenIssuer(async () => keys, { ...config, ttlSeconds: 10 })).toThrow();
    expect(
      () =>
        new RsaTokenIssuer(async () => keys, {
          ...config,
          ttlSeconds: 7 * 86_400,
        }),
    ).toThrow();
  });
});

describe('token verification', () => {
  it('accepts a token the issuer made, giving sub and exp', async () => {
    const { token } = await new RsaTokenIssuer(async () => keys, config).issue(USER);
    const verified = verifierFor(keys).verify(token);
    expect(verified.sub).toBe(USER);
    expect(verified.exp).toBeGreaterThan(now());
  });

  it('accepts tokens of the previous key during a rotation, and refuses them once it is retired', async () => {
    const oldToken = (await new RsaTokenIssuer(async () => keys, config).issue(USER)).token;
    const prepared = prepareNextKey(keys);
    const promoted = promoteNextKey(prepared);
    const newToken = (await new RsaTokenIssuer(async () => promoted, config).issue(USER)).token;
    // the next key is trusted before it signs
    expect(verifierFor(prepared).verify(newToken)).toMatchObject({ sub: USER });
    expect(verifierFor(promoted).verify(oldToken)).toMatchObject({ sub: USER });
    expect(() => verifierFor(retirePreviousKeys(promoted)).verify(oldToken)).toThrow(TokenRejectedError);
    expect(verifierFor(retirePreviousKeys(promoted)).verify(newToken)).toMatchObject({ sub: USER });
  });

  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const cases: Array<[string, () => string]> = [
    ['garbage', () => 'garbage'],
    ['alg none', () => `${b64(header({ alg: 'none' }))}.${b64(claims())}.`],
    [
      'HS256 with the public key as secret (algorithm confusion)',
      () => {
        const secret = createPublicKey(privateKey).export({
          format: 'pem',
          type: 'spki',
        });
        const input = `${b64(header({ alg: 'HS256' }))}.${b64(claims())}`;
        return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      },
    ],
    [
      'RS512 with the right key',
      () => {
        const input = `${b64(header({ alg: 'RS512' }))}.${b64(claims())}`;
        return `${input}.${sign('sha512', Buffer.from(input), privateKey).toString('base64url')}`;
      },
    ],
    ['another key under the real kid', () => signRs256(header(), claims(), other)],
    ['an unknown kid', () => signRs256(header({ kid: 'unknown' }), claims(), privateKey)],
    ['no kid', () => signRs256({ alg: 'RS256', typ: 'JWT' }, claims(), privateKey)],
    [
      'the payload changed after signing',
      () => {
        const [h, , s] = signRs256(header(), claims(), privateKey).split('.');
        return `${h}.${b64(claims({ sub: OTHER }))}.${s}`;
      },
    ],
    ['expired', () => signRs256(header(), claims({ iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 }), privateKey)],
    ['not yet valid', () => signRs256(header(), claims({ nbf: now() + 600, exp: now() + 1200 }), privateKey)],
    ['issued in the future', () => signRs256(header(), claims({ iat: now() + 600 }), privateKey)],
    ['wrong iss', () => signRs256(header(), claims({ iss: 'urn:someone:else' }), privateKey)],
    ['no iss', () => signRs256(header(), claims({ iss: undefined }), privateKey)],
    ['wrong aud', () => signRs256(header(), claims({ aud: 'urn:someone:else' }), privateKey)],
    ['no aud', () => signRs256(header(), claims({ aud: undefined }), privateKey)],
    ['no exp', () => signRs256(header(), claims({ exp: undefined }), privateKey)],
    ['no iat', () => signRs256(header(), claims({ iat: undefined }), privateKey)],
    ['a lifetime longer than issued', () => signRs256(header(), claims({ exp: now() + 90 * 86_400 }), privateKey)],
    ['no sub', () => signRs256(header(), claims({ sub: undefined }), privateKey)],
    ['a sub that is not a user id', () => signRs256(header(), claims({ sub: 'admin' }), privateKey)],
    ['a typ other than JWT', () => signRs256(header({ typ: 'JWE' }), claims(), privateKey)],
  ];

  it('control: a hand-made token with good claims is accepted', async () => {
    expect(verifierFor(keys).verify(signRs256(header(), claims(), privateKey))).toMatchObject({ sub: USER });
  });

  it.each(cases)('rejects %s', async (_case, token) => {
    expect(() => verifierFor(keys).verify(token())).toThrow(TokenRejectedError);
  });

  it('never fetches keys: an unknown kid is a rejection with the JWKS it has', () => {
    const verifier = new AccessTokenVerifier(publicJwks(keys), {
      issuer: config.issuer,
      audience: config.audience,
      maxTtlSeconds: 3600,
    });
    const originalFetch = globalThis.fetch;
    globalThis.fetch = () => {
      throw new Error('no network in the verifier');
    };
    try {
      expect(() => verifier.verify(signRs256(header({ kid: 'unknown' }), claims(), privateKey))).toThrow(TokenRejectedError);
      expect(verifier.verify(signRs256(header(), claims(), privateKey))).toMatchObject({ sub: USER });
    } finally {
      globalThis.fetch = originalFetch;
    }
  });
});

describe('key rotation as deployed (the verifiers get the public JWKS in their environment at each deploy)', () => {
  const deployedWith = (set: JwtKeySet) =>
    accessTokenVerifierFromEnv({
      JWT_PUBLIC_JWKS: JSON.stringify(publicJwks(set)),
      JWT_ISSUER: config.issuer,
      JWT_AUDIENCE: config.audience,
      JWT_TTL_SECONDS: String(config.ttlSeconds),
    });
  const issue = (set: JwtKeySet) => new RsaTokenIssuer(async () => set, config).issue(USER).then((issued) => issued.token);

  it('prepare + deploy, promote, retire + deploy: nobody is logged out, and a retired key stops working', async () => {
    const initial = newKeySet();
    const oldToken = await issue(initial);
    const prepared = prepareNextKey(initial);
    const afterPrepareDeploy = deployedWith(prepared);
    const promoted = promoteNextKey(prepared);
    const newToken = await issue(promoted); // log-in signs with the next key from promote on
    expect(afterPrepareDeploy.verify(newToken)).toMatchObject({ sub: USER });
    expect(afterPrepareDeploy.verify(oldToken)).toMatchObject({ sub: USER });
    const afterRetireDeploy = deployedWith(retirePreviousKeys(promoted));
    expect(afterRetireDeploy.verify(newToken)).toMatchObject({ sub: USER });
    expect(() => afterRetireDeploy.verify(oldToken)).toThrow(TokenRejectedError);
  });

  it('a promote without the deploy would cut new tokens off: what rotate-jwt-keys promote refuses', async () => {
    const initial = newKeySet();
    const stillDeployed = deployedWith(initial);
    const newToken = await issue(promoteNextKey(prepareNextKey(initial)));
    expect(() => stillDeployed.verify(newToken)).toThrow(TokenRejectedError);
  });
});
