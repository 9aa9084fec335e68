/**
 * Issues access tokens: compact JWS, RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signed by the key set's
 * current key, with `kid`, `iss`, `aud`, `sub` (the user id), `iat`, `nbf`, `exp`, a `jti` and `roles` (the
 * user's roles when it was issued, each once and sorted; `[]` for none: functions/shared/auth/roles.ts).
 */
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { normalizeRoles, type Role } from '../../shared/auth/roles.js';
import { JWT_ALGORITHM, type JwtKeySet } from './key-set.js';

export interface TokenConfig {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface IssuedToken {
  token: string;
  expiresIn: number;
}

export interface TokenIssuer {
  issue(userId: string, roles?: readonly Role[]): Promise<IssuedToken>;
}

const encode = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** Signs a compact JWS with RS256; exported for the tests that build their own tokens. */
export function signRs256(header: object, payload: object, privateKey: KeyObject): string {
  const signingInput = `${encode(header)}.${encode(payload)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput, 'ascii'), privateKey).toString('base64url')}`;
}

export class RsaTokenIssuer implements TokenIssuer {
  private privateKey: { kid: string; key: KeyObject } | undefined;

  constructor(
    private readonly keys: () => Promise<JwtKeySet>,
    private readonly config: TokenConfig,
    private readonly nowMs: () => number = Date.now,
  ) {
    if (!Number.isInteger(config.ttlSeconds) || config.ttlSeconds < 60 || config.ttlSeconds > 86_400) {
      throw new Error('token TTL must be an integer between 60 and 86400 seconds');
    }
  }

  async issue(userId: string, roles: readonly Role[] = []): Promise<IssuedToken> {
    const { current } = await this.keys();
    if (this.privateKey?.kid !== current.kid)
      this.privateKey = {
        kid: current.kid,
        key: createPrivateKey(current.privateKeyPem),
      };
    const iat = Math.floor(this.nowMs() / 1000);
    const token = signRs256(
      { alg: JWT_ALGORITHM, typ: 'JWT', kid: current.kid },
      {
        iss: this.config.issuer,
        aud: this.config.audience,
        sub: userId,
        iat,
        nbf: iat,
        exp: iat + this.config.ttlSeconds,
        jti: randomUUID(),
        roles: normalizeRoles(roles),
      },
      this.privateKey.key,
    );
    return { token, expiresIn: this.config.ttlSeconds };
  }
}
