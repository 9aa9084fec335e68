// In-memory sessions and attempt counters for unit tests: the same conditional semantics as the
// DynamoDB adapters (tests/integration/sessions-store.test.ts holds both to them), no storage.
import type { AttemptCounters, Reservation } from '../../functions/users/domain/login-attempts.js';
import type { RefreshTokenRecord, RotationOutcome, SessionStore } from '../../functions/users/domain/sessions.js';

export class MemorySessionStore implements SessionStore {
  tokens = new Map<string, RefreshTokenRecord>();
  families = new Map<string, { userId: string; status: 'ACTIVE' | 'REVOKED' }>();

  async openFamily(first: RefreshTokenRecord) {
    this.families.set(first.familyId, { userId: first.userId, status: 'ACTIVE' });
    this.tokens.set(first.tokenHash, { ...first });
  }
  async findToken(tokenHash: string) {
    const record = this.tokens.get(tokenHash);
    return record && { ...record };
  }
  async rotate(spent: RefreshTokenRecord, next: RefreshTokenRecord): Promise<RotationOutcome> {
    const stored = this.tokens.get(spent.tokenHash);
    if (stored?.status !== 'ACTIVE') return 'ALREADY_SPENT';
    if (this.families.get(spent.familyId)?.status !== 'ACTIVE') return 'FAMILY_REVOKED';
    stored.status = 'SPENT';
    this.tokens.set(next.tokenHash, { ...next });
    return 'ROTATED';
  }
  async revokeFamily(_userId: string, familyId: string) {
    const family = this.families.get(familyId);
    if (family) family.status = 'REVOKED';
  }
  async revokeAllFamilies(userId: string) {
    const active = [...this.families.values()].filter((family) => family.userId === userId && family.status === 'ACTIVE');
    for (const family of active) family.status = 'REVOKED';
    return active.length;
  }
}

export class MemoryAttemptCounters implements AttemptCounters {
  counters = new Map<string, { attempts: number; windowStart: number }>();

  async reserve(key: string, max: number, windowSeconds: number, now: number): Promise<Reservation> {
    const counter = this.counters.get(key);
    if (!counter || counter.windowStart + windowSeconds <= now) {
      this.counters.set(key, { attempts: 1, windowStart: now });
      return { reserved: true };
    }
    if (counter.attempts >= max) return { reserved: false, retryAfterSeconds: counter.windowStart + windowSeconds - now };
    counter.attempts++;
    return { reserved: true };
  }
  async release(key: string, windowSeconds: number, now: number) {
    const counter = this.counters.get(key);
    if (counter && counter.windowStart + windowSeconds > now && counter.attempts > 0) counter.attempts--;
  }
}
