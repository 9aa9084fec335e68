/**
 * The JWT signing key set: one current RSA key that signs, an optional next key that is already
 * published (so every verifier knows it before it signs), and previous keys kept public-only until
 * the tokens they signed have expired. Rotation is prepare (add next) -> promote (next signs,
 * current becomes previous) -> retire (drop previous); see functions/users/README.md.
 * `kid` is the RFC 7638 JWK thumbprint of the public key, so it is derived, never chosen.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import * as z from '../../shared/schema.js';
import {
  JWT_ALGORITHM,
  KeySetError,
  MIN_MODULUS_LENGTH,
  jwkThumbprint,
  isRsaPublicJwk,
  type Jwks,
  type RsaPublicJwk,
} from '../../shared/auth/jwks.js';

export { JWT_ALGORITHM, KeySetError, jwkThumbprint, parseJwks, type Jwks, type RsaPublicJwk } from '../../shared/auth/jwks.js';

export const DEFAULT_MODULUS_LENGTH = 2048;

/**
 * The most previous keys a key set keeps (so the JWKS holds at most current + next + 2 keys). Every verifier
 * carries the JWKS in its environment, which Lambda caps at 4 KB with all its other variables
 * (scripts/serverless-plugins/lambda-environment-size.mjs checks each function at package time); a previous
 * key only has to outlive the tokens it signed, which one rotation's wait covers.
 */
export const MAX_PREVIOUS_KEYS = 2;

export interface SigningKey {
  kid: string;
  /** PKCS#8 PEM. Only ever in the SecureString / the git-ignored local file and in memory. */
  privateKeyPem: string;
  createdAt: string;
}

export interface PreviousKey {
  kid: string;
  publicJwk: RsaPublicJwk;
  retiredAt: string;
}

export interface JwtKeySet {
  version: 1;
  current: SigningKey;
  next?: SigningKey;
  previous: PreviousKey[];
}

/** Built on first use (a key load), not at import: the log-in and refresh functions' INIT does not pay for it. */
let keySetSchemaMemo: ReturnType<typeof buildKeySetSchema> | undefined;
const keySetSchema = () => (keySetSchemaMemo ??= buildKeySetSchema());

function buildKeySetSchema() {
  const signingKeySchema = z.strictObject({
    kid: z.string().check(z.minLength(1), z.maxLength(128)),
    privateKeyPem: z.string().check(z.startsWith('-----BEGIN PRIVATE KEY-----')),
    createdAt: z.iso.datetime(),
  });
  return z.strictObject({
    version: z.literal(1),
    current: signingKeySchema,
    next: z.optional(signingKeySchema),
    previous: z.array(
      z.strictObject({
        kid: z.string().check(z.minLength(1)),
        publicJwk: z.custom<RsaPublicJwk>(isRsaPublicJwk, 'must be an RSA public JWK (kty RSA, alg RS256, use sig)'),
        retiredAt: z.iso.datetime(),
      }),
    ),
  });
}

function rsaPublicJwk(key: KeyObject): RsaPublicJwk {
  const { n, e } = key.export({ format: 'jwk' });
  if (typeof n !== 'string' || typeof e !== 'string') throw new KeySetError('not an RSA key');
  return {
    kty: 'RSA',
    n,
    e,
    kid: jwkThumbprint({ n, e }),
    alg: JWT_ALGORITHM,
    use: 'sig',
  };
}

export function generateSigningKey(now = new Date(), modulusLength = DEFAULT_MODULUS_LENGTH): SigningKey {
  if (modulusLength < MIN_MODULUS_LENGTH) throw new KeySetError(`RSA keys must have at least ${MIN_MODULUS_LENGTH} bits`);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength,
    publicExponent: 0x10001,
  });
  return {
    kid: rsaPublicJwk(publicKey).kid,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    createdAt: now.toISOString(),
  };
}

export function newKeySet(now = new Date(), modulusLength = DEFAULT_MODULUS_LENGTH): JwtKeySet {
  return {
    version: 1,
    current: generateSigningKey(now, modulusLength),
    previous: [],
  };
}

export function publicJwkOf(key: SigningKey): RsaPublicJwk {
  return rsaPublicJwk(createPublicKey(createPrivateKey(key.privateKeyPem)));
}

/** What `GET /.well-known/jwks.json` serves and the authorizer verifies with: public parts only. */
export function publicJwks(set: JwtKeySet): Jwks {
  return {
    keys: [publicJwkOf(set.current), ...(set.next ? [publicJwkOf(set.next)] : []), ...set.previous.map((p) => p.publicJwk)],
  };
}

/** Rotation step 1: generate the next key; it is published but does not sign yet. */
export function prepareNextKey(set: JwtKeySet, now = new Date(), modulusLength = DEFAULT_MODULUS_LENGTH): JwtKeySet {
  if (set.next) throw new KeySetError(`a next key (${set.next.kid}) is already prepared; promote it first`);
  return { ...set, next: generateSigningKey(now, modulusLength) };
}

/**
 * Rotation step 2: the next key signs from now on; the old current key stays public as previous. The previous
 * keys are capped at MAX_PREVIOUS_KEYS, newest first: a promote that would push one out is refused unless
 * `dropOldest` (the rotation script's --force, for a leaked key), since that key may still verify live tokens.
 */
export function promoteNextKey(set: JwtKeySet, now = new Date(), dropOldest = false): JwtKeySet {
  if (!set.next) throw new KeySetError('no next key to promote; run the prepare step first');
  if (set.previous.length >= MAX_PREVIOUS_KEYS && !dropOldest) {
    throw new KeySetError(
      `the key set already keeps ${set.previous.length} previous keys (at most ${MAX_PREVIOUS_KEYS}): retire them before promoting again`,
    );
  }
  const retired: PreviousKey = {
    kid: set.current.kid,
    publicJwk: publicJwkOf(set.current),
    retiredAt: now.toISOString(),
  };
  return {
    version: 1,
    current: set.next,
    previous: [retired, ...set.previous].slice(0, MAX_PREVIOUS_KEYS),
  };
}

/** Rotation step 3: stop trusting previous keys (all of them, or the given kids). */
export function retirePreviousKeys(set: JwtKeySet, kids?: string[]): JwtKeySet {
  return {
    ...set,
    previous: kids ? set.previous.filter((p) => !kids.includes(p.kid)) : [],
  };
}

/** Validates a stored key set: shape, key type and size, and that every kid is its key's thumbprint. */
export function parseKeySet(value: unknown): JwtKeySet {
  const result = keySetSchema().safeParse(value);
  if (!result.success) throw new KeySetError(`invalid JWT key set: ${z.prettifyError(result.error)}`);
  const set = result.data as JwtKeySet;
  for (const key of [set.current, ...(set.next ? [set.next] : [])]) {
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(key.privateKeyPem);
    } catch {
      throw new KeySetError(`key ${key.kid}: not a readable private key`);
    }
    if (privateKey.asymmetricKeyType !== 'rsa') throw new KeySetError(`key ${key.kid}: not an RSA key`);
    if ((privateKey.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_MODULUS_LENGTH)
      throw new KeySetError(`key ${key.kid}: shorter than ${MIN_MODULUS_LENGTH} bits`);
    if (rsaPublicJwk(createPublicKey(privateKey)).kid !== key.kid) throw new KeySetError(`key ${key.kid}: kid is not the key's thumbprint`);
  }
  for (const previous of set.previous) {
    if (previous.kid !== previous.publicJwk.kid || jwkThumbprint(previous.publicJwk) !== previous.kid) {
      throw new KeySetError(`previous key ${previous.kid}: kid is not the key's thumbprint`);
    }
  }
  return set;
}
