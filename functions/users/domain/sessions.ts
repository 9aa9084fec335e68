/**
 * Sessions (functions/users/README.md, "Sessions"): a log-in opens a session *family*; each refresh
 * spends the family's current refresh token and hands out the next one (rotation). A spent token
 * presented again means two parties hold the family (a thief and the owner): the whole family is
 * revoked. Access tokens stay stateless JWTs: nothing here is read to check one.
 *
 * No AWS imports: the store is a port (adapters/dynamodb-session-store.ts implements it).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { normalizeRoles, type Role } from '../../shared/auth/roles.js';
import { ForbiddenError, InvalidRefreshTokenError } from '../../shared/domain-errors.js';
import type { IssuedToken, TokenIssuer } from '../auth/token-issuer.js';
import type { UserRoles } from './user.js';

/** A stored refresh token: only its hash is kept, never the token. Times are epoch seconds. */
export interface RefreshTokenRecord {
  tokenHash: string;
  userId: string;
  familyId: string;
  status: 'ACTIVE' | 'SPENT';
  expiresAt: number;
  /** The family's absolute end: no token of it lives beyond this, however often it is refreshed. */
  familyExpiresAt: number;
}

export type RotationOutcome = 'ROTATED' | 'ALREADY_SPENT' | 'FAMILY_REVOKED';

export interface SessionStore {
  /** Stores a new family (ACTIVE until `familyExpiresAt`) and its first token. */
  openFamily(first: RefreshTokenRecord, createdAt: number): Promise<void>;
  findToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /**
   * In one transaction: `spent` ACTIVE -> SPENT, its family still ACTIVE, `next` stored. Of any number
   * of concurrent rotations of one token exactly one is ROTATED; the others see ALREADY_SPENT.
   */
  rotate(spent: RefreshTokenRecord, next: RefreshTokenRecord, now: number): Promise<RotationOutcome>;
  revokeFamily(userId: string, familyId: string, now: number): Promise<void>;
  /** Revokes every ACTIVE family of the user; returns how many. */
  revokeAllFamilies(userId: string, now: number): Promise<number>;
}

export interface SessionLifetimes {
  /** A refresh token unused for this long expires (an idle session ends). */
  refreshTokenTtlSeconds: number;
  /** A family ends this long after its log-in, refreshed or not (an absolute session end). */
  sessionMaxSeconds: number;
}

/** What log-in and refresh answer (functions/users/README.md, "Sessions"). */
export interface SessionTokens extends IssuedToken {
  userId: string;
  /** The user's roles as read when the access token was issued: the token carries the same. */
  roles: Role[];
  refreshToken: string;
  refreshExpiresIn: number;
}

/** 32 random bytes (256 bits), base64url: 43 characters. */
export const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The stored form: SHA-256 is enough for a 256-bit random secret (no guessing to slow down, unlike a password). */
export const refreshTokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export interface SessionServiceParts {
  store: SessionStore;
  lifetimes: SessionLifetimes;
  /** Access tokens: needed by log-in and refresh only (log-out and revoke-all issue none). */
  tokens?: TokenIssuer;
  /**
   * Where the user's roles are read each time an access token is issued (log-in and every refresh), so a
   * change reaches a session within one access-token lifetime. Without it tokens carry no roles.
   */
  roles?: UserRoles;
  nowMs?: () => number;
  /** Told when a spent token comes back (a likely theft): worth a warning in the logs. */
  onReuse?: (details: { userId: string; familyId: string }) => void;
}

export class SessionService {
  private readonly nowMs: () => number;

  constructor(private readonly parts: SessionServiceParts) {
    const { refreshTokenTtlSeconds, sessionMaxSeconds } = parts.lifetimes;
    if (!(refreshTokenTtlSeconds >= 1 && sessionMaxSeconds >= refreshTokenTtlSeconds)) {
      throw new Error('session lifetimes: need 1 <= refreshTokenTtlSeconds <= sessionMaxSeconds');
    }
    this.nowMs = parts.nowMs ?? Date.now;
  }

  /** After a successful log-in: a new family, its first refresh token and an access token. */
  async open(userId: string): Promise<SessionTokens> {
    const now = this.nowSeconds();
    const { record, token } = this.newToken(userId, randomUUID(), now, now + this.parts.lifetimes.sessionMaxSeconds);
    const roles = await this.rolesOf(userId);
    await this.parts.store.openFamily(record, now);
    return this.answer(record, token, now, roles);
  }

  /** Spends `refreshToken` for a new pair. Any token that cannot be used is the same InvalidRefreshTokenError. */
  async refresh(refreshToken: string): Promise<SessionTokens> {
    const now = this.nowSeconds();
    const presented = await this.usableRecord(refreshToken, now);
    if (presented.status === 'SPENT') return this.reused(presented, now);
    const { record, token } = this.newToken(presented.userId, presented.familyId, now, presented.familyExpiresAt);
    // Read again at every refresh (the users table), before the token is spent: a failed read leaves it usable.
    const roles = await this.rolesOf(presented.userId);
    const outcome = await this.parts.store.rotate(presented, record, now);
    if (outcome === 'ALREADY_SPENT') return this.reused(presented, now); // a concurrent refresh spent it first
    if (outcome === 'FAMILY_REVOKED') throw new InvalidRefreshTokenError();
    return this.answer(record, token, now, roles);
  }

  /** Ends the session `refreshToken` belongs to, if it is the caller's (spent tokens count: they name the family). */
  async logout(callerId: string, refreshToken: string): Promise<void> {
    const now = this.nowSeconds();
    const record = await this.knownRecord(refreshToken);
    if (record.userId !== callerId) throw new ForbiddenError('This refresh token belongs to another user');
    await this.parts.store.revokeFamily(record.userId, record.familyId, now);
  }

  /** Ends every session of the user (a lost device, a changed password). */
  revokeAll(userId: string): Promise<number> {
    return this.parts.store.revokeAllFamilies(userId, this.nowSeconds());
  }

  private async reused(record: RefreshTokenRecord, now: number): Promise<never> {
    this.parts.onReuse?.({ userId: record.userId, familyId: record.familyId });
    await this.parts.store.revokeFamily(record.userId, record.familyId, now);
    throw new InvalidRefreshTokenError();
  }

  private async knownRecord(refreshToken: string): Promise<RefreshTokenRecord> {
    // The shape check spares the table a read for garbage.
    const record = REFRESH_TOKEN_PATTERN.test(refreshToken) ? await this.parts.store.findToken(refreshTokenHash(refreshToken)) : undefined;
    if (!record) throw new InvalidRefreshTokenError();
    return record;
  }

  private async usableRecord(refreshToken: string, now: number): Promise<RefreshTokenRecord> {
    const record = await this.knownRecord(refreshToken);
    // The table's TTL deletes expired items late (within days), so expiry is checked here.
    if (record.expiresAt <= now) throw new InvalidRefreshTokenError();
    return record;
  }

  private newToken(userId: string, familyId: string, now: number, familyExpiresAt: number) {
    const token = randomBytes(32).toString('base64url');
    const record: RefreshTokenRecord = {
      tokenHash: refreshTokenHash(token),
      userId,
      familyId,
      status: 'ACTIVE',
      expiresAt: Math.min(now + this.parts.lifetimes.refreshTokenTtlSeconds, familyExpiresAt),
      familyExpiresAt,
    };
    return { record, token };
  }

  /** The user's roles now; a user who no longer exists has none (the session itself is the sessions table's business). */
  private async rolesOf(userId: string): Promise<Role[]> {
    return normalizeRoles((await this.parts.roles?.findRoles(userId)) ?? []);
  }

  private async answer(record: RefreshTokenRecord, refreshToken: string, now: number, roles: Role[]): Promise<SessionTokens> {
    if (!this.parts.tokens) throw new Error("SessionService: 'tokens' is not wired in this function");
    return {
      ...(await this.parts.tokens.issue(record.userId, roles)),
      userId: record.userId,
      roles,
      refreshToken,
      refreshExpiresIn: record.expiresAt - now,
    };
  }

  private nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }
}
