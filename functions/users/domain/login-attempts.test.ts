// The brute-force guard with in-memory counters (tests/integration/sessions-store.test.ts runs the DynamoDB ones).
import { describe, expect, it } from 'vitest';
import { MemoryAttemptCounters } from '../../../tests/support/session-fakes.js';
import { TooManyAttemptsError } from '../../shared/domain-errors.js';
import { LoginAttemptGuard } from './login-attempts.js';

function setup() {
  let nowMs = Date.UTC(2026, 11, 2, 12, 0, 0);
  const counters = new MemoryAttemptCounters();
  const guard = new LoginAttemptGuard(counters, { maxFailuresPerEmail: 3, maxFailuresPerAddress: 5, windowSeconds: 60 }, () => nowMs);
  let checks = 0;
  const attempt = (email: string, right: boolean, sourceAddress: string | undefined = '192.0.2.1') =>
    guard.guard({ email, sourceAddress }, async () => {
      checks++;
      return { succeeded: right, result: right };
    });
  return { counters, attempt, checks: () => checks, advance: (seconds: number) => (nowMs += seconds * 1000) };
}

describe('LoginAttemptGuard', () => {
  it('refuses past the per-email limit without running the check, with the seconds until the window closes', async () => {
    const { attempt, checks, advance } = setup();
    for (let i = 0; i < 3; i++) await attempt('ada@example.com', false);
    advance(20);
    const refused = await attempt('ada@example.com', true).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TooManyAttemptsError);
    expect(refused).toMatchObject({ code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: 40 });
    expect(checks()).toBe(3);
    advance(40); // the window has closed: the right password works again
    await expect(attempt('ada@example.com', true)).resolves.toBe(true);
  });

  it('counts failures only: successes give their reservation back', async () => {
    const { attempt } = setup();
    for (let i = 0; i < 10; i++) await expect(attempt('ada@example.com', true)).resolves.toBe(true);
    for (let i = 0; i < 2; i++) await attempt('ada@example.com', false);
    await expect(attempt('ada@example.com', true)).resolves.toBe(true);
  });

  it('limits one address across emails, and a refusal is not itself counted', async () => {
    const { attempt, counters } = setup();
    for (let i = 0; i < 5; i++) await attempt(`guess-${i}@example.com`, false);
    await expect(attempt('new@example.com', false)).rejects.toBeInstanceOf(TooManyAttemptsError);
    expect(counters.counters.get('ADDRESS#192.0.2.1')?.attempts).toBe(5);
    // The refused attempt gave back what it had reserved on its email.
    expect([...counters.counters.entries()].filter(([key, c]) => key.startsWith('EMAIL#') && c.attempts > 1)).toEqual([]);
    await expect(attempt('new@example.com', true, '192.0.2.2')).resolves.toBe(true);
  });

  it('parallel guesses cannot slip past the limit: at most 3 checks run', async () => {
    const { attempt, checks } = setup();
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => attempt('ada@example.com', false)));
    expect(checks()).toBe(3);
    expect(outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof TooManyAttemptsError)).toHaveLength(7);
  });

  it('keeps no email in the clear', async () => {
    const { attempt, counters } = setup();
    await attempt('ada@example.com', false);
    expect(JSON.stringify([...counters.counters.keys()])).not.toContain('ada');
  });
});
