/**
 * Verifies access tokens with aws-jwt-verify against a JWKS held in memory (`cacheJwks` +
 * `verifySync`: no network round trip, ever; an unknown `kid` is a rejection, not a fetch).
 * Pinned: RS256 only (every JWK carries `alg: RS256` and the header must say so), the exact `iss`
 * and `aud`, and `exp`/`nbf` with a small clock grace. On top, the token must have a well-formed
 * `sub`, an `iat`, an `exp`, and a lifetime no longer than we issue.
 */
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { JWT_ALGORITHM, type Jwks } from './key-set.js';

export interface VerifierConfig {
  issuer: string;
  audience: string;
  /** Longest lifetime (exp - iat) accepted: the TTL we issue. */
  maxTtlSeconds: number;
  /** Allowed clock difference for exp / nbf / iat, in seconds. */
  graceSeconds?: number;
}

export interface VerifiedToken {
  sub: string;
  exp: number;
}

export class TokenRejectedError extends Error {
  override name = 'TokenRejectedError';
}

const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DEFAULT_GRACE_SECONDS = 5;

type Verifier = ReturnType<typeof createVerifier>;

function createVerifier(config: VerifierConfig, jwks: Jwks) {
  const grace = config.graceSeconds ?? DEFAULT_GRACE_SECONDS;
  const verifier = JwtRsaVerifier.create({
    issuer: config.issuer,
    audience: config.audience,
    // Only the cache key of the JWKS below: verifySync never fetches.
    jwksUri: 'urn:ecommerce:users:jwks',
    graceSeconds: grace,
    customJwtCheck: ({ header, payload }) => {
      if (header.alg !== JWT_ALGORITHM) throw new TokenRejectedError('algorithm not allowed');
      if (header.typ !== undefined && header.typ !== 'JWT') throw new TokenRejectedError('not a JWT');
      checkClaims(payload, config.maxTtlSeconds, grace);
    },
  });
  const keys = jwks.keys.filter((key) => key.kty === 'RSA' && key.alg === JWT_ALGORITHM && key.use === 'sig').map((key) => ({ ...key }));
  verifier.cacheJwks({ keys });
  return verifier;
}

function checkClaims(payload: JwtPayload, maxTtlSeconds: number, grace: number): void {
  const { sub, exp, iat } = payload;
  if (typeof sub !== 'string' || !USER_ID.test(sub)) throw new TokenRejectedError('missing or malformed sub');
  if (typeof exp !== 'number') throw new TokenRejectedError('missing exp');
  if (typeof iat !== 'number') throw new TokenRejectedError('missing iat');
  if (iat > Date.now() / 1000 + grace) throw new TokenRejectedError('issued in the future');
  if (exp - iat > maxTtlSeconds) throw new TokenRejectedError('lifetime longer than issued tokens have');
}

export class AccessTokenVerifier {
  private cached: { jwks: Jwks; verifier: Verifier } | undefined;

  /** `jwks` is called per verification: give it a cached loader (see adapters/key-sources.ts). */
  constructor(
    private readonly jwks: () => Promise<Jwks>,
    private readonly config: VerifierConfig,
  ) {}

  /** Loads the keys: a failure here is ours (500), not the caller's (401), so it is thrown as is. */
  async verifierForCurrentKeys(): Promise<Verifier> {
    const jwks = await this.jwks();
    if (this.cached?.jwks !== jwks) this.cached = { jwks, verifier: createVerifier(this.config, jwks) };
    return this.cached.verifier;
  }

  /** Verifies `token`; any problem with it throws TokenRejectedError (the cause's class in `reason`). */
  async verify(token: string): Promise<VerifiedToken> {
    const verifier = await this.verifierForCurrentKeys();
    try {
      const payload = verifier.verifySync(token);
      return { sub: payload.sub as string, exp: payload.exp as number };
    } catch (error) {
      if (error instanceof TokenRejectedError) throw error;
      throw new TokenRejectedError((error as Error).name || 'invalid token', { cause: error });
    }
  }
}
