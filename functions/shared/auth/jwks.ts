/**
 * The public half of the JWT keys, as verifiers see it: an RFC 7517 key set of RSA signing keys,
 * each with its RFC 7638 thumbprint as `kid`. The users context makes and rotates the keys
 * (functions/users/auth/key-set.ts); every verifier (the authorizer, in-function checks) reads this.
 */
import { createHash } from 'node:crypto';

export const JWT_ALGORITHM = 'RS256';
export const MIN_MODULUS_LENGTH = 2048;

export interface RsaPublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: typeof JWT_ALGORITHM;
  use: 'sig';
}

export interface Jwks {
  keys: RsaPublicJwk[];
}

export class KeySetError extends Error {
  override name = 'KeySetError';
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Checked by hand rather than with a schema library: this runs in the authorizer, whose whole bundle
 * is smaller than the schema library would be.
 */
function rsaPublicJwkProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const key = value as Record<string, unknown>;
  const extra = Object.keys(key).filter((name) => !['kty', 'n', 'e', 'kid', 'alg', 'use'].includes(name));
  if (extra.length > 0) return `unexpected members ${extra.join(', ')}`;
  if (key.kty !== 'RSA') return 'kty must be RSA';
  if (key.alg !== JWT_ALGORITHM) return `alg must be ${JWT_ALGORITHM}`;
  if (key.use !== 'sig') return 'use must be sig';
  if (typeof key.n !== 'string' || !BASE64URL.test(key.n)) return 'n must be base64url';
  if (typeof key.e !== 'string' || !BASE64URL.test(key.e)) return 'e must be base64url';
  if (typeof key.kid !== 'string' || key.kid.length < 1 || key.kid.length > 128) return 'kid must be 1-128 characters';
  return undefined;
}

export function isRsaPublicJwk(value: unknown): value is RsaPublicJwk {
  return rsaPublicJwkProblem(value) === undefined;
}

/** RFC 7638 thumbprint of an RSA public key: base64url(SHA-256({"e","kty","n"})). */
export function jwkThumbprint(jwk: { e: string; n: string }): string {
  return createHash('sha256')
    .update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n }))
    .digest('base64url');
}

export function parseJwks(value: unknown): Jwks {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (typeof value !== 'object' || value === null || Object.keys(value).length !== 1 || !Array.isArray(keys)) {
    throw new KeySetError('invalid JWKS: must be {"keys": [...]}');
  }
  keys.forEach((key: unknown, index) => {
    const problem = rsaPublicJwkProblem(key);
    if (problem) throw new KeySetError(`invalid JWKS: keys[${index}]: ${problem}`);
  });
  const jwks = { keys: keys as RsaPublicJwk[] };
  for (const key of jwks.keys) {
    if (jwkThumbprint(key) !== key.kid) throw new KeySetError(`JWKS key ${key.kid}: kid is not the key's thumbprint`);
    if (Buffer.from(key.n, 'base64url').length * 8 < MIN_MODULUS_LENGTH)
      throw new KeySetError(`JWKS key ${key.kid}: shorter than ${MIN_MODULUS_LENGTH} bits`);
  }
  return jwks;
}

/**
 * The JWKS a stage's verifiers trust, given at deploy time in `JWT_PUBLIC_JWKS` (serverless.yml
 * custom.jwtPublicJwks: the public SSM parameter, or the local key file's public half): no SDK
 * client and no network call, at INIT or ever. A rotation reaches verifiers with the next deploy.
 */
export function publicJwksFromEnv(env: NodeJS.ProcessEnv = process.env): Jwks {
  const text = env.JWT_PUBLIC_JWKS;
  if (!text) throw new KeySetError('JWT_PUBLIC_JWKS is not set: create the keys first (functions/users/README.md, Keys)');
  const jwks = parseJwks(JSON.parse(text));
  if (jwks.keys.length === 0) throw new KeySetError('JWT_PUBLIC_JWKS holds no keys');
  return jwks;
}
