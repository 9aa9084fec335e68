/**
 * Every token the authorizer must refuse, over HTTP. Cases that need a validly signed token with
 * bad claims (expired, not yet valid, wrong iss/aud, ...) read the local stage's private key, so they
 * run only against the local stack (describeLocal); every other case runs against any base URL.
 */
import { createPublicKey, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeLocal } from '../support/env.js';
import { api } from '../support/http.js';
import { b64url, claimsLike, decodePart, freshRsaKey, hs256, localSigningKey, rs256, unsigned } from './token-forge.js';

interface Account {
  userId: string;
  token: string;
}

async function account(): Promise<Account> {
  const email = `neg-${randomUUID()}@example.com`;
  const signUp = await api('POST', '/users', { body: { email, name: 'Negative Tokens', pwd: 'correct horse battery' } });
  expect(signUp.status).toBe(201);
  const login = await api('POST', '/login', { body: { email, password: 'correct horse battery' } });
  expect(login.status).toBe(200);
  return { userId: login.body.userId, token: login.body.token };
}

let alice: Account;
let bob: Account;
let jwks: { keys: Array<{ kid: string; n: string; e: string; kty: string }> };

beforeAll(async () => {
  [alice, bob] = await Promise.all([account(), account()]);
  const res = await api('GET', '/.well-known/jwks.json');
  expect(res.status).toBe(200);
  jwks = res.body;
});

/** Asserts that the header is refused on a protected route of each kind, with nothing of the user leaked. */
async function expectRejected(authorization: string | undefined) {
  for (const path of ['/users?limit=1', `/users/${alice.userId}`]) {
    const res = await api('GET', path, { headers: authorization === undefined ? {} : { authorization } });
    expect(res.status, `${path} with ${JSON.stringify(authorization?.slice(0, 40))}`).toBe(401);
    // Our authorizer's refusal is "Unauthorized"; a missing header is refused by the gateway itself
    // (API Gateway: the UNAUTHORIZED gateway response; serverless-offline: its own wording).
    expect(res.body?.message).toMatch(authorization === undefined ? /unauthori[sz]ed|not authorized/i : /^Unauthorized$/);
    expect(res.text).not.toContain(alice.userId);
  }
}

const realKid = () => decodePart(alice.token, 0).kid as string;

describe('the authorizer, positive control', () => {
  it('accepts the token that log-in issued', async () => {
    const res = await api('GET', `/users/${alice.userId}`, { token: alice.token });
    expect(res.status).toBe(200);
    expect(res.body.userId).toBe(alice.userId);
    const list = await api('GET', '/users?limit=1', { token: alice.token });
    expect(list.status).toBe(200);
  });

  it('issues RS256 tokens with a kid that the JWKS publishes', () => {
    const header = decodePart(alice.token, 0);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']); // no private parts
    }
  });
});

describe('the caller is who the token says, whatever else the request carries', () => {
  // serverless-offline takes requestContext.authorizer from this header as sent: the local gateway must never pass
  // a client's on. On AWS it is an ordinary header; the answers are the same.
  const forged = (as: Account) => JSON.stringify({ principalId: as.userId, userId: as.userId, tokenExpiresAt: 4102444800 });

  it("a client-set authorizer context does not make Alice's token Bob's", async () => {
    const headers = { 'sls-offline-authorizer-override': forged(bob) };
    const other = await api('GET', `/users/${bob.userId}`, { token: alice.token, headers });
    expect(other.status).toBe(403);
    expect(other.text).not.toContain(bob.userId);
    const own = await api('GET', `/users/${alice.userId}`, { token: alice.token, headers });
    expect(own.status).toBe(200);
    expect(own.body.userId).toBe(alice.userId);
  });

  it('nor lets a request without a token in', async () => {
    const res = await api('GET', `/users/${bob.userId}`, { headers: { 'sls-offline-authorizer-override': forged(bob) } });
    expect(res.status).toBe(401);
    expect(res.text).not.toContain(bob.userId);
  });
});

describe('the authorizer rejects (any stage)', () => {
  it('no Authorization header', async () => {
    await expectRejected(undefined);
  });

  it.each([
    ['Basic scheme', () => `Basic ${Buffer.from('alice:secret').toString('base64')}`],
    ['Token scheme', () => `Token ${alice.token}`],
    ['the token without a scheme', () => alice.token],
    ['Bearer without a token', () => 'Bearer'],
    ['Bearer with two spaces', () => `Bearer  ${alice.token}`],
    ['two tokens', () => `Bearer ${alice.token} ${alice.token}`],
    ['an empty header', () => ''],
  ])('not Bearer: %s', async (_name, header) => {
    await expectRejected(header());
  });

  it.each([
    ['a word', 'Bearer garbage'],
    ['three dots of nothing', 'Bearer a.b.c'],
    ['random base64url', `Bearer ${b64url(randomUUID())}.${b64url(randomUUID())}.${b64url(randomUUID())}`],
    ['JSON that is not a JWT', `Bearer ${b64url({ hello: 'world' })}.${b64url({ sub: 'x' })}.AAAA`],
    ['a very long token', `Bearer ${'a'.repeat(5000)}.${'b'.repeat(5000)}.${'c'.repeat(500)}`],
  ])('garbage: %s', async (_name, header) => {
    await expectRejected(header);
  });

  it('alg none (unsigned), with and without the original signature', async () => {
    const payload = decodePart(alice.token, 1);
    for (const alg of ['none', 'None', 'NONE']) {
      const token = unsigned({ alg, typ: 'JWT', kid: realKid() }, payload);
      await expectRejected(`Bearer ${token}`);
      await expectRejected(`Bearer ${token}${alice.token.split('.')[2]}`);
    }
  });

  it('HS256 signed with the public key (algorithm confusion)', async () => {
    const jwk = jwks.keys.find((k) => k.kid === realKid()) as { kty: string; n: string; e: string };
    const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
    const secrets = [
      publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      publicKey.export({ format: 'pem', type: 'pkcs1' }).toString(),
      JSON.stringify(jwk),
      Buffer.from(jwk.n, 'base64url'),
    ];
    const payload = claimsLike(alice.token);
    for (const secret of secrets) {
      await expectRejected(`Bearer ${hs256({ alg: 'HS256', typ: 'JWT', kid: realKid() }, payload, secret)}`);
    }
  });

  it('a token signed by another key, claiming the real kid or its own', async () => {
    const other = freshRsaKey();
    await expectRejected(`Bearer ${rs256({ alg: 'RS256', typ: 'JWT', kid: realKid() }, claimsLike(alice.token), other)}`);
    await expectRejected(`Bearer ${rs256({ alg: 'RS256', typ: 'JWT', kid: 'attacker-key' }, claimsLike(alice.token), other)}`);
  });

  it('an unknown kid, and no kid at all', async () => {
    const other = freshRsaKey();
    await expectRejected(`Bearer ${rs256({ alg: 'RS256', typ: 'JWT', kid: randomUUID() }, claimsLike(alice.token), other)}`);
    await expectRejected(`Bearer ${rs256({ alg: 'RS256', typ: 'JWT' }, claimsLike(alice.token), other)}`);
  });

  it('the payload changed after signing (another sub, a later exp, an extra claim)', async () => {
    const [header, payload, signature] = alice.token.split('.') as [string, string, string];
    const claims = decodePart(alice.token, 1);
    for (const changed of [
      { ...claims, sub: bob.userId },
      { ...claims, exp: claims.exp + 86_400 },
      { ...claims, admin: true },
    ]) {
      await expectRejected(`Bearer ${header}.${b64url(changed)}.${signature}`);
    }
    // the same for the header: the signature covers it too
    const otherHeader = b64url({ ...decodePart<Record<string, unknown>>(alice.token, 0), typ: 'at+jwt' });
    await expectRejected(`Bearer ${otherHeader}.${payload}.${signature}`);
  });

  it('a signature cut short or from another token', async () => {
    const [header, payload, signature] = alice.token.split('.') as [string, string, string];
    await expectRejected(`Bearer ${header}.${payload}.${signature.slice(0, -4)}`);
    await expectRejected(`Bearer ${header}.${payload}.${bob.token.split('.')[2]}`);
  });
});

describeLocal('the authorizer rejects validly signed tokens with bad claims (needs the local key)', () => {
  const signed = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) => {
    const { kid, key } = localSigningKey();
    return `Bearer ${rs256({ alg: 'RS256', typ: 'JWT', kid, ...header }, claims, key)}`;
  };
  const now = () => Math.floor(Date.now() / 1000);

  it('control: a token signed here with good claims is accepted', async () => {
    const res = await api('GET', `/users/${alice.userId}`, { headers: { authorization: signed(claimsLike(alice.token)) } });
    expect(res.status).toBe(200);
  });

  it('expired', async () => {
    await expectRejected(signed(claimsLike(alice.token, { iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 })));
    await expectRejected(signed(claimsLike(alice.token, { iat: now() - 700, nbf: now() - 700, exp: now() - 60 })));
  });

  it('not yet valid (nbf in the future)', async () => {
    await expectRejected(signed(claimsLike(alice.token, { nbf: now() + 600, exp: now() + 1200 })));
  });

  it('issued in the future', async () => {
    await expectRejected(signed(claimsLike(alice.token, { iat: now() + 600, nbf: now(), exp: now() + 1200 })));
  });

  it('wrong iss, or none', async () => {
    const { iss } = decodePart(alice.token, 1);
    await expectRejected(signed(claimsLike(alice.token, { iss: `${iss}x` })));
    await expectRejected(signed(claimsLike(alice.token, { iss: 'urn:ecommerce:prod:users' })));
    await expectRejected(signed(claimsLike(alice.token, { iss: undefined })));
  });

  it('wrong aud, or none', async () => {
    const { aud } = decodePart(alice.token, 1);
    await expectRejected(signed(claimsLike(alice.token, { aud: `${aud}x` })));
    await expectRejected(signed(claimsLike(alice.token, { aud: ['urn:something:else'] })));
    await expectRejected(signed(claimsLike(alice.token, { aud: undefined })));
  });

  it('no exp, or a lifetime longer than issued tokens have', async () => {
    await expectRejected(signed(claimsLike(alice.token, { exp: undefined })));
    await expectRejected(signed(claimsLike(alice.token, { exp: now() + 30 * 86_400 })));
  });

  it('no sub, or one that is not a user id', async () => {
    await expectRejected(signed(claimsLike(alice.token, { sub: undefined })));
    await expectRejected(signed(claimsLike(alice.token, { sub: 'admin' })));
    await expectRejected(signed(claimsLike(alice.token, { sub: '' })));
  });

  it('the real key under an unknown kid', async () => {
    await expectRejected(signed(claimsLike(alice.token), { kid: 'not-a-published-kid' }));
  });

  it('the real key with another algorithm (RS512 is not RS256)', async () => {
    const { kid, key } = localSigningKey();
    await expectRejected(`Bearer ${rs256({ alg: 'RS512', typ: 'JWT', kid }, claimsLike(alice.token), key, 'sha512')}`);
    await expectRejected(`Bearer ${rs256({ alg: 'RS512', typ: 'JWT', kid }, claimsLike(alice.token), key, 'sha256')}`);
  });
});
