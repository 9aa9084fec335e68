// The session rules with an in-memory store (the DynamoDB store is held to the same rules in
// tests/integration/sessions-store.test.ts): rotation, reuse detection, expiry, log-out, revoke-all.
import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../../tests/support/session-fakes.js';
import type { Role } from '../../shared/auth/roles.js';
import { ForbiddenError, InvalidRefreshTokenError } from '../../shared/domain-errors.js';
import { REFRESH_TOKEN_PATTERN, SessionService, refreshTokenHash } from './sessions.js';

const ADA = 'ada-user-id';
const BOB = 'bob-user-id';

function setup(lifetimes = { refreshTokenTtlSeconds: 600, sessionMaxSeconds: 3600 }) {
  let nowMs = Date.UTC(2026, 11, 2, 12, 0, 0);
  const store = new MemorySessionStore();
  const reuses: unknown[] = [];
  const service = new SessionService({
    store,
    lifetimes,
    tokens: { issue: async (userId) => ({ token: `access-${userId}-${nowMs}`, expiresIn: 900 }) },
    nowMs: () => nowMs,
    onReuse: (details) => reuses.push(details),
  });
  return { store, service, reuses, advance: (seconds: number) => (nowMs += seconds * 1000) };
}

const invalid = (promise: Promise<unknown>) => expect(promise).rejects.toBeInstanceOf(InvalidRefreshTokenError);

describe('SessionService', () => {
  it('opens a session: an access token and a 256-bit refresh token stored only as its hash', async () => {
    const { service, store } = setup();
    const session = await service.open(ADA);
    expect(session).toMatchObject({ userId: ADA, expiresIn: 900, refreshExpiresIn: 600 });
    expect(session.refreshToken).toMatch(REFRESH_TOKEN_PATTERN);
    expect(Buffer.from(session.refreshToken, 'base64url')).toHaveLength(32);
    expect([...store.tokens.keys()]).toEqual([refreshTokenHash(session.refreshToken)]);
    expect(JSON.stringify([...store.tokens.values()])).not.toContain(session.refreshToken);
  });

  it('rotates: a refresh gives a new pair and spends the presented token', async () => {
    const { service, advance } = setup();
    const first = await service.open(ADA);
    advance(60);
    const second = await service.refresh(first.refreshToken);
    expect(second.userId).toBe(ADA);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.token).not.toBe(first.token);
    await expect(service.refresh(second.refreshToken)).resolves.toMatchObject({ userId: ADA });
  });

  it('a spent token presented again revokes its whole family: the token the rotation issued stops working too', async () => {
    const { service, reuses } = setup();
    const first = await service.open(ADA);
    const second = await service.refresh(first.refreshToken);
    await invalid(service.refresh(first.refreshToken));
    expect(reuses).toEqual([{ userId: ADA, familyId: expect.any(String) }]);
    await invalid(service.refresh(second.refreshToken));
  });

  it('revoking one family leaves the user’s other sessions alone', async () => {
    const { service } = setup();
    const phone = await service.open(ADA);
    const laptop = await service.open(ADA);
    await service.logout(ADA, phone.refreshToken);
    await invalid(service.refresh(phone.refreshToken));
    await expect(service.refresh(laptop.refreshToken)).resolves.toMatchObject({ userId: ADA });
  });

  it('of concurrent refreshes with one token exactly one wins', async () => {
    const { service } = setup();
    const { refreshToken } = await service.open(ADA);
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => service.refresh(refreshToken)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((o) => o.status === 'rejected')) expect(o.reason).toBeInstanceOf(InvalidRefreshTokenError);
  });

  it('an idle token expires after its TTL; a refreshed family ends at its absolute maximum', async () => {
    const { service, advance } = setup({ refreshTokenTtlSeconds: 600, sessionMaxSeconds: 1000 });
    const idle = await service.open(ADA);
    advance(600);
    await invalid(service.refresh(idle.refreshToken));

    let current = await service.open(ADA); // t = 600, family ends at 1600
    advance(500);
    current = await service.refresh(current.refreshToken);
    expect(current.refreshExpiresIn).toBe(500); // capped by the family's end, not 600
    advance(499);
    current = await service.refresh(current.refreshToken);
    expect(current.refreshExpiresIn).toBe(1);
    advance(1);
    await invalid(service.refresh(current.refreshToken));
  });

  it('unknown, forged and malformed tokens are one InvalidRefreshTokenError', async () => {
    const { service } = setup();
    await service.open(ADA);
    for (const token of ['', 'x', 'A'.repeat(43), 'A'.repeat(44), '../../etc/passwd', 'é'.repeat(43)])
      await invalid(service.refresh(token));
  });

  it('log-out needs the caller’s own token: another user’s is Forbidden and changes nothing', async () => {
    const { service } = setup();
    const bob = await service.open(BOB);
    await expect(service.logout(ADA, bob.refreshToken)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(service.refresh(bob.refreshToken)).resolves.toMatchObject({ userId: BOB });
    await invalid(service.logout(ADA, 'B'.repeat(43)));
  });

  it('revoke-all ends every session of the user and no one else’s', async () => {
    const { service } = setup();
    const sessions = [await service.open(ADA), await service.open(ADA)];
    const bob = await service.open(BOB);
    await expect(service.revokeAll(ADA)).resolves.toBe(2);
    for (const { refreshToken } of sessions) await invalid(service.refresh(refreshToken));
    await expect(service.refresh(bob.refreshToken)).resolves.toMatchObject({ userId: BOB });
  });

  it('refuses lifetimes that make no sense', () => {
    const store = new MemorySessionStore();
    expect(() => new SessionService({ store, lifetimes: { refreshTokenTtlSeconds: 0, sessionMaxSeconds: 10 } })).toThrow();
    expect(() => new SessionService({ store, lifetimes: { refreshTokenTtlSeconds: 100, sessionMaxSeconds: 10 } })).toThrow();
  });
});

describe('SessionService: the user’s roles in every access token', () => {
  function withRoles() {
    const stored = new Map<string, Role[]>([[ADA, []]]);
    const issued: Array<{ userId: string; roles: readonly Role[] | undefined }> = [];
    let failReads = false;
    const reads: string[] = [];
    const service = new SessionService({
      store: new MemorySessionStore(),
      lifetimes: { refreshTokenTtlSeconds: 600, sessionMaxSeconds: 3600 },
      tokens: {
        issue: async (userId, roles) => {
          issued.push({ userId, roles });
          return { token: `access-${userId}-${issued.length}`, expiresIn: 900 };
        },
      },
      roles: {
        findRoles: async (userId) => {
          reads.push(userId);
          if (failReads) throw new Error('users table unavailable');
          return stored.get(userId);
        },
      },
    });
    return { service, stored, issued, reads, failReads: (fail: boolean) => (failReads = fail) };
  }

  it('log-in reads the stored roles and puts them in the token and the answer', async () => {
    const { service, stored, issued, reads } = withRoles();
    stored.set(ADA, ['admin']);
    const session = await service.open(ADA);
    expect(session.roles).toEqual(['admin']);
    expect(issued).toEqual([{ userId: ADA, roles: ['admin'] }]);
    expect(reads).toEqual([ADA]);
  });

  it('a refresh reads the roles again: a grant and a revocation each reach the session at its next refresh', async () => {
    const { service, stored, issued, reads } = withRoles();
    const first = await service.open(ADA);
    expect(first.roles).toEqual([]);
    stored.set(ADA, ['admin']);
    const second = await service.refresh(first.refreshToken);
    expect(second.roles).toEqual(['admin']);
    stored.set(ADA, []);
    const third = await service.refresh(second.refreshToken);
    expect(third.roles).toEqual([]);
    expect(issued.map((call) => call.roles)).toEqual([[], ['admin'], []]);
    expect(reads).toEqual([ADA, ADA, ADA]);
  });

  it('a user with nothing stored, or no longer stored, has no roles; repeats count once', async () => {
    const { service, stored } = withRoles();
    expect((await service.open(BOB)).roles).toEqual([]);
    stored.set(ADA, ['admin', 'admin']);
    expect((await service.open(ADA)).roles).toEqual(['admin']);
  });

  it('a failed read of the roles fails the refresh before the token is spent: the same token still works', async () => {
    const { service, failReads } = withRoles();
    const { refreshToken } = await service.open(ADA);
    failReads(true);
    await expect(service.refresh(refreshToken)).rejects.toThrow('users table unavailable');
    failReads(false);
    await expect(service.refresh(refreshToken)).resolves.toMatchObject({ userId: ADA, roles: [] });
  });

  it('without a roles source, tokens carry no roles', async () => {
    const { service } = setup();
    expect((await service.open(ADA)).roles).toEqual([]);
  });
});
