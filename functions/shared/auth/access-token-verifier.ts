/**
 * Verifies access tokens with aws-jwt-verify against a JWKS held in memory (`cacheJwks` +
 * `verifySync`: no network round trip, ever; an unknown `kid` is a rejection, not a fetch).
 * Pinned: RS256 only (every JWK carries `alg: RS256` and the header must say so), the exact `iss`
 * and `aud`, and `exp`/`nbf` with a small clock grace. On top, the token must have a well-formed
 * `sub`, an `iat`, an `exp`, and a lifetime no longer than we issue.
 * One module for both places a token is checked: the gateway's authorizer and, on stages whose
 * gateway cannot run it, inside each protected function (functions/shared/http/handler.ts).
 */
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { requiredEnv } from '../config.js';
import { JWT_ALGORITHM, publicJwksFromEnv, type Jwks } from './jwks.js';
import { isRole, type Role } from './roles.js';

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
  /** The `roles` claim: what the user could do when the token was issued (functions/shared/auth/roles.ts). */
  roles: Role[];
}

export class TokenRejectedError extends Error {
  override name = 'TokenRejectedError';
}

const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DEFAULT_GRACE_SECONDS = 5;

// RFC 6750: `Bearer` (any case), one space, a compact JWS (three base64url parts). Bounded length.
const BEARER = /^Bearer ([A-Za-z0-9_-]{1,2048}\.[A-Za-z0-9_-]{1,4096}\.[A-Za-z0-9_-]{1,1024})$/i;

/** The token of an `Authorization: Bearer <jwt>` header value; undefined for anything else. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (typeof authorization !== 'string') return undefined;
  return BEARER.exec(authorization)?.[1];
}

function checkClaims(payload: JwtPayload, maxTtlSeconds: number, grace: number): void {
  const { sub, exp, iat } = payload;
  if (typeof sub !== 'string' || !USER_ID.test(sub)) throw new TokenRejectedError('missing or malformed sub');
  if (typeof exp !== 'number') throw new TokenRejectedError('missing exp');
  if (typeof iat !== 'number') throw new TokenRejectedError('missing iat');
  if (iat > Date.now() / 1000 + grace) throw new TokenRejectedError('issued in the future');
  if (exp - iat > maxTtlSeconds) throw new TokenRejectedError('lifetime longer than issued tokens have');
  // Absent in tokens issued before roles existed: no role. Present, it must be a list of known roles.
  if (payload.roles !== undefined && !(Array.isArray(payload.roles) && payload.roles.every(isRole)))
    throw new TokenRejectedError('malformed roles');
}

export class AccessTokenVerifier {
  private readonly verifier;

  constructor(jwks: Jwks, config: VerifierConfig) {
    const grace = config.graceSeconds ?? DEFAULT_GRACE_SECONDS;
    this.verifier = JwtRsaVerifier.create({
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
    this.verifier.cacheJwks({ keys });
  }

  /** Verifies `token`; any problem with it throws TokenRejectedError (the cause's class in the message). */
  verify(token: string): VerifiedToken {
    try {
      const payload = this.verifier.verifySync(token);
      return { sub: payload.sub as string, exp: payload.exp as number, roles: (payload.roles as Role[] | undefined) ?? [] };
    } catch (error) {
      if (error instanceof TokenRejectedError) throw error;
      throw new TokenRejectedError((error as Error).name || 'invalid token', {
        cause: error,
      });
    }
  }
}

/** Token settings shared by the issuer (log-in) and every verifier: serverless.yml params. */
export function tokenConfigFromEnv(env: NodeJS.ProcessEnv = process.env): {
  issuer: string;
  audience: string;
  ttlSeconds: number;
} {
  const ttlSeconds = Number(requiredEnv('JWT_TTL_SECONDS', env));
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > 86_400) {
    throw new Error('JWT_TTL_SECONDS must be an integer between 60 and 86400');
  }
  return {
    issuer: requiredEnv('JWT_ISSUER', env),
    audience: requiredEnv('JWT_AUDIENCE', env),
    ttlSeconds,
  };
}

/** The verifier a function builds from its environment (JWT_PUBLIC_JWKS, JWT_ISSUER, JWT_AUDIENCE, JWT_TTL_SECONDS). */
export function accessTokenVerifierFromEnv(env: NodeJS.ProcessEnv = process.env): AccessTokenVerifier {
  const config = tokenConfigFromEnv(env);
  return new AccessTokenVerifier(publicJwksFromEnv(env), {
    issuer: config.issuer,
    audience: config.audience,
    maxTtlSeconds: config.ttlSeconds,
  });
}
