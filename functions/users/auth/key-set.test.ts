import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  jwkThumbprint,
  newKeySet,
  parseJwks,
  parseKeySet,
  prepareNextKey,
  promoteNextKey,
  publicJwks,
  retirePreviousKeys,
  generateSigningKey,
  KeySetError,
  MAX_PREVIOUS_KEYS,
} from './key-set.js';

describe('the JWT key set', () => {
  const set = newKeySet(new Date('2026-01-01T00:00:00Z'));

  it('has one current RSA key of 2048 bits whose kid is its RFC 7638 thumbprint', () => {
    const key = createPrivateKey(set.current.privateKeyPem);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const jwk = createPublicKey(key).export({ format: 'jwk' }) as {
      n: string;
      e: string;
    };
    expect(set.current.kid).toBe(jwkThumbprint(jwk));
    expect(set.previous).toEqual([]);
  });

  it('publishes public parts only, with kid, alg RS256 and use sig', () => {
    const { keys } = publicJwks(set);
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0] as object).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(keys[0]).toMatchObject({
      kty: 'RSA',
      alg: 'RS256',
      use: 'sig',
      kid: set.current.kid,
    });
    expect(JSON.stringify(keys)).not.toContain('PRIVATE');
  });

  it('rotates: prepare publishes the next key, promote makes it sign, retire drops the old one', () => {
    const prepared = prepareNextKey(set);
    expect(prepared.current.kid).toBe(set.current.kid);
    expect(publicJwks(prepared).keys.map((k) => k.kid)).toEqual([set.current.kid, prepared.next?.kid]);
    expect(() => prepareNextKey(prepared)).toThrow(KeySetError);

    const promoted = promoteNextKey(prepared);
    expect(promoted.current.kid).toBe(prepared.next?.kid);
    expect(promoted.next).toBeUndefined();
    expect(promoted.previous.map((p) => p.kid)).toEqual([set.current.kid]);
    expect(publicJwks(promoted).keys.map((k) => k.kid)).toEqual([promoted.current.kid, set.current.kid]);
    expect(JSON.stringify(promoted.previous)).not.toContain('PRIVATE'); // previous keys are public-only
    expect(() => promoteNextKey(promoted)).toThrow(KeySetError);

    const retired = retirePreviousKeys(promoted);
    expect(publicJwks(retired).keys.map((k) => k.kid)).toEqual([promoted.current.kid]);
  });

  it(`keeps at most ${MAX_PREVIOUS_KEYS} previous keys: a promote that would push one out is refused, or drops the oldest when forced`, () => {
    const promote = (from: typeof set, force = false) => promoteNextKey(prepareNextKey(from), new Date(), force);
    const twice = promote(promote(set));
    expect(twice.previous).toHaveLength(MAX_PREVIOUS_KEYS);
    const prepared = prepareNextKey(twice);
    expect(publicJwks(prepared).keys).toHaveLength(MAX_PREVIOUS_KEYS + 2); // current, next and the previous keys: the JWKS at its largest
    expect(() => promoteNextKey(prepared)).toThrow(/already keeps 2 previous keys \(at most 2\): retire them before promoting again/);

    const forced = promoteNextKey(prepared, new Date(), true);
    expect(forced.previous.map((p) => p.kid)).toEqual([twice.current.kid, twice.previous[0]?.kid]); // newest first; the oldest is gone
    expect(publicJwks(forced).keys).toHaveLength(MAX_PREVIOUS_KEYS + 1);
    expect(publicJwks(promote(retirePreviousKeys(forced))).keys).toHaveLength(2);
  });

  it('round-trips through JSON and validates what it reads', () => {
    const rotated = promoteNextKey(prepareNextKey(set));
    expect(parseKeySet(JSON.parse(JSON.stringify(rotated)))).toEqual(rotated);
    expect(parseJwks(JSON.parse(JSON.stringify(publicJwks(rotated))))).toEqual(publicJwks(rotated));
  });

  it.each([
    ['a kid that is not the thumbprint', (s: any) => ({ ...s, current: { ...s.current, kid: 'chosen-kid' } })],
    ['an unknown field', (s: any) => ({ ...s, extra: true })],
    [
      'a private key that is not PEM',
      (s: any) => ({
        ...s,
        current: {
          ...s.current,
          privateKeyPem: '-----BEGIN PRIVATE KEY-----\nnope',
        },
      }),
    ],
    ['no current key', (s: any) => ({ ...s, current: undefined })],
  ])('refuses a key set with %s', (_case, mutate) => {
    expect(() => parseKeySet(mutate(JSON.parse(JSON.stringify(set))))).toThrow(KeySetError);
  });

  it('refuses keys shorter than 2048 bits, generated or published', () => {
    expect(() => generateSigningKey(new Date(), 1024)).toThrow(KeySetError);
    const jwk = publicJwks(set).keys[0] as any;
    expect(() => parseJwks({ keys: [{ ...jwk, alg: 'HS256' }] })).toThrow(KeySetError);
    expect(() => parseJwks({ keys: [{ ...jwk, d: 'private' }] })).toThrow(KeySetError);
  });
});
