/**
 * Sessions over HTTP: refresh tokens (rotation, reuse detection, concurrency), log-out, revoking every
 * session of a user, and the log-in attempt limits. HTTP only, so it runs against any base URL.
 * Expiry is the clock-injected unit tests' (functions/users/domain/sessions.test.ts): the test stacks give
 * refresh tokens a lifetime no test outlives under load, so no case here depends on how fast the stack is.
 * Each test signs up its own users (unique emails), so tests share no sessions and no attempt counters.
 * Knobs the stack under test may set: E2E_LOGIN_MAX_FAILURES_PER_EMAIL (default 5) and
 * E2E_LOGIN_ATTEMPT_WINDOW_SECONDS (only a short one, <= 20, enables the "window opens again" test).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { api, type ApiResponse } from '../support/http.js';
import { decodePart } from './token-forge.js';

/** A positive integer from the environment, or the fallback when unset; anything else is a setup mistake. */
function positiveIntEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

const MAX_FAILURES = positiveIntEnv('E2E_LOGIN_MAX_FAILURES_PER_EMAIL') ?? 5;
const ATTEMPT_WINDOW_SECONDS = positiveIntEnv('E2E_LOGIN_ATTEMPT_WINDOW_SECONDS');
// Waiting out a long window would stall the run: only a short test window makes the test worth running.
const SHORT_ATTEMPT_WINDOW = ATTEMPT_WINDOW_SECONDS !== undefined && ATTEMPT_WINDOW_SECONDS <= 20;

interface Account {
  email: string;
  password: string;
  userId: string;
}

/** The body of a log-in and of a refresh (the same contract). */
interface SessionBody {
  token: string;
  tokenType: string;
  expiresIn: number;
  userId: string;
  refreshToken: string;
  refreshExpiresIn: number;
  roles: string[];
}

/** Signs a new user up through the API (not logged in: each test decides how many log-ins it needs). */
async function newAccount(tag = 'sessions'): Promise<Account> {
  const email = `${tag}-${randomUUID()}@example.com`;
  const password = `pw-${randomUUID()}`;
  const created = await api('POST', '/users', { body: { email, name: 'Session Tester', pwd: password } });
  expect(created.status, created.text).toBe(201);
  return { email, password, userId: created.body.userId as string };
}

const login = (email: string, password: string) => api<SessionBody>('POST', '/login', { body: { email, password } });

/** Logs in (a new session family) and checks the body is the session contract. */
async function logIn(account: Account): Promise<SessionBody> {
  const res = await login(account.email, account.password);
  expect(res.status, res.text).toBe(200);
  expectSessionBody(res.body, account.userId);
  return res.body;
}

// No bearer on purpose: the refresh route is authenticated by the refresh token alone.
const refresh = (refreshToken: unknown) => api<SessionBody>('POST', '/token/refresh', { body: { refreshToken } });

/** Refreshes and expects a rotation: 200, the session contract, a new access and a new refresh token. */
async function rotate(previous: SessionBody): Promise<SessionBody> {
  const res = await refresh(previous.refreshToken);
  expect(res.status, res.text).toBe(200);
  expectSessionBody(res.body, previous.userId);
  expect(res.body.token).not.toBe(previous.token);
  expect(res.body.refreshToken).not.toBe(previous.refreshToken);
  return res.body;
}

const logout = (accessToken: string | undefined, body: unknown) => api('POST', '/logout', { body, token: accessToken });

const revokeAll = (userId: string, accessToken: string | undefined) =>
  api('POST', `/users/${encodeURIComponent(userId)}/sessions/revoke`, { token: accessToken });

const getUser = (userId: string, accessToken: string) => api('GET', `/users/${encodeURIComponent(userId)}`, { token: accessToken });

function expectSessionBody(body: SessionBody, userId: string) {
  expect(Object.keys(body).sort()).toEqual(['expiresIn', 'refreshExpiresIn', 'refreshToken', 'roles', 'token', 'tokenType', 'userId']);
  expect(body).toMatchObject({ tokenType: 'Bearer', userId });
  expect(body.roles).toEqual([]);
  expect(body.token.split('.')).toHaveLength(3);
  expect(body.expiresIn).toBeGreaterThan(0);
  // Opaque, at least 256 random bits: 43 or more base64url characters, and not the access token.
  expect(body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  expect(body.refreshToken).not.toBe(body.token);
  expect(Number.isInteger(body.refreshExpiresIn)).toBe(true);
  expect(body.refreshExpiresIn).toBeGreaterThan(0);
}

/** `{"message","code"}` and nothing else (no token of any kind). */
function expectError(res: ApiResponse, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body?.code, res.text).toBe(code);
  expect(typeof res.body?.message).toBe('string');
  expect(Object.keys(res.body as object).sort()).toEqual(['code', 'message']);
}

const expectInvalidRefresh = (res: ApiResponse) => expectError(res, 401, 'INVALID_REFRESH_TOKEN');

/** 400 VALIDATION_FAILED (the body may also carry field details). */
function expectValidationFailed(res: ApiResponse) {
  expect(res.status, res.text).toBe(400);
  expect(res.body?.code).toBe('VALIDATION_FAILED');
}

/**
 * A protected route refusing a missing or bad bearer: 401. Who answers differs by stage (the gateway's
 * UNAUTHORIZED response, serverless-offline's own wording, or our function), so only the code is pinned when present.
 */
function expectUnauthenticated(res: ApiResponse) {
  expect(res.status, res.text).toBe(401);
  expect(res.body?.message).toMatch(/unauthori[sz]ed|not authorized/i);
  if (res.body?.code !== undefined) expect(res.body.code).toBe('UNAUTHORIZED');
}

/** 429 TOO_MANY_ATTEMPTS with Retry-After in whole seconds (>= 1); returns it. */
function expectTooManyAttempts(res: ApiResponse): number {
  expectError(res, 429, 'TOO_MANY_ATTEMPTS');
  const retryAfter = res.headers.get('retry-after');
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(res.headers.get('token')).toBeNull();
  return Number(retryAfter);
}

/** MAX_FAILURES wrong passwords: each still an ordinary 401 (the limit must not bite early). */
async function failLogins(emails: (attempt: number) => string) {
  for (let attempt = 0; attempt < MAX_FAILURES; attempt++) {
    const res = await login(emails(attempt), `wrong-${randomUUID()}`);
    expectError(res, 401, 'INVALID_CREDENTIALS');
  }
}

/** A well-shaped refresh token nobody issued: 256 random bits, base64url. */
const forgedRefreshToken = () => randomBytes(32).toString('base64url');

// Concurrent: each test has its own users; one waits out a short log-in attempt window.
describe.concurrent('sessions (e2e)', () => {
  describe('POST /login', () => {
    it('issues a refresh token with its lifetime next to the access token, a different one per log-in', async () => {
      const account = await newAccount();
      const first = await logIn(account);
      const second = await logIn(account);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      // the access token is still the user's
      expect(decodePart(first.token, 1).sub).toBe(account.userId);
    });
  });

  describe('POST /token/refresh', () => {
    it('rotates: a new access token and a new refresh token, and the access token works on a protected route', async () => {
      const account = await newAccount();
      const session = await logIn(account);
      const rotated = await rotate(session);
      expect(decodePart(rotated.token, 1).sub).toBe(account.userId);
      // a rotation never extends the session past the lifetime a log-in gets
      expect(rotated.refreshExpiresIn).toBeLessThanOrEqual(session.refreshExpiresIn);
      const me = await getUser(account.userId, rotated.token);
      expect(me.status, me.text).toBe(200);
      expect(me.body.userId).toBe(account.userId);
      // and the rotated refresh token rotates in turn
      await rotate(rotated);
    });

    it('refuses a spent token, and the reuse revokes the family: the token the rotation issued stops working', async () => {
      const account = await newAccount();
      const session = await logIn(account);
      const other = await logIn(account); // another family of the same user
      const rotated = await rotate(session);
      expectInvalidRefresh(await refresh(session.refreshToken));
      expectInvalidRefresh(await refresh(rotated.refreshToken));
      // only that family: the other log-in's session still refreshes
      await rotate(other);
    });

    it('replaying a spent token from the middle of a chain revokes its descendants too', async () => {
      const account = await newAccount();
      const first = await logIn(account);
      const second = await rotate(first);
      const third = await rotate(second);
      expectInvalidRefresh(await refresh(second.refreshToken));
      expectInvalidRefresh(await refresh(third.refreshToken));
      expectInvalidRefresh(await refresh(first.refreshToken));
    });

    it('of 10 concurrent refreshes with one token, exactly one succeeds and the others get 401', async () => {
      const account = await newAccount();
      const session = await logIn(account);
      const results = await Promise.all(Array.from({ length: 10 }, () => refresh(session.refreshToken)));
      const winners = results.filter((r) => r.status === 200);
      expect(winners, results.map((r) => `${r.status} ${r.text}`).join('\n')).toHaveLength(1);
      for (const loser of results.filter((r) => r.status !== 200)) expectInvalidRefresh(loser);
      const winner = winners[0]?.body as SessionBody;
      expectSessionBody(winner, account.userId);
      // the winner's access token is a real one (access tokens outlive any family revocation)
      expect((await getUser(account.userId, winner.token)).status).toBe(200);
    });

    it.each([
      ['a random 43-character base64url string', forgedRefreshToken()],
      ['a longer random base64url string', randomBytes(64).toString('base64url')],
      ['"x"', 'x'],
      ['5000 characters', 'a'.repeat(5000)],
      ['43 characters outside base64url', '!'.repeat(43)],
      ['a JWT-shaped string', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
    ])('refuses a forged refresh token with 401: %s', async (_case, token) => {
      expectInvalidRefresh(await refresh(token));
    });

    it('refuses an empty refresh token (400 by the schema, or 401)', async () => {
      const res = await refresh('');
      expect([400, 401], res.text).toContain(res.status);
      if (res.status === 400) expectValidationFailed(res);
      else expectInvalidRefresh(res);
    });

    it('refuses an issued token with one character changed, and an access token in its place', async () => {
      const account = await newAccount();
      const session = await logIn(account);
      // The first character, not the last: a 43-character token's last one also carries 2 padding bits,
      // and a change there may decode to the same 32 bytes.
      const tampered = `${session.refreshToken.startsWith('A') ? 'B' : 'A'}${session.refreshToken.slice(1)}`;
      expectInvalidRefresh(await refresh(tampered));
      expectInvalidRefresh(await refresh(`${session.refreshToken}A`));
      expectInvalidRefresh(await refresh(session.token));
    });

    it('validates the body strictly (400), before spending the token', async () => {
      const account = await newAccount();
      const session = await logIn(account);
      for (const body of [{ refreshToken: 123 }, { refreshToken: session.refreshToken, extra: 'field' }, {}, { refreshToken: null }]) {
        expectValidationFailed(await api('POST', '/token/refresh', { body }));
      }
      // the refused requests did not spend it
      await rotate(session);
    });

    it('refreshes another user’s session when given that user’s refresh token (the token alone identifies the session)', async () => {
      const [alice, bob] = await Promise.all([newAccount('alice'), newAccount('bob')]);
      await logIn(alice);
      const bobSession = await logIn(bob);
      const rotated = await rotate(bobSession);
      expect(rotated.userId).toBe(bob.userId);
      expect(decodePart(rotated.token, 1).sub).toBe(bob.userId);
    });
  });

  describe('POST /logout', () => {
    it("204 revokes that token's family; other log-ins keep working; issued access tokens stay valid", async () => {
      const account = await newAccount();
      const session = await logIn(account);
      const other = await logIn(account);
      const current = await rotate(session);
      const res = await logout(session.token, { refreshToken: current.refreshToken });
      expect(res.status, res.text).toBe(204);
      expect(res.text).toBe('');
      expectInvalidRefresh(await refresh(current.refreshToken));
      await rotate(other);
      // documented: access tokens are not revoked, they expire
      for (const token of [session.token, current.token]) {
        const me = await getUser(account.userId, token);
        expect(me.status, me.text).toBe(200);
        expect(me.body.userId).toBe(account.userId);
      }
    });

    it("403 for another user's refresh token, which stays usable", async () => {
      const [alice, bob] = await Promise.all([newAccount('alice'), newAccount('bob')]);
      const aliceSession = await logIn(alice);
      const bobSession = await logIn(bob);
      const res = await logout(aliceSession.token, { refreshToken: bobSession.refreshToken });
      expect(res.status, res.text).toBe(403);
      expect(res.body?.code).toBe('FORBIDDEN');
      // Bob's session was not revoked (and the refresh route serves it without any bearer)
      const rotated = await rotate(bobSession);
      expect(rotated.userId).toBe(bob.userId);
    });

    it('401 INVALID_REFRESH_TOKEN for an unknown or malformed refresh token', async () => {
      const account = await newAccount();
      const session = await logIn(account);
      for (const refreshToken of [forgedRefreshToken(), 'x', 'a'.repeat(5000)]) {
        expectInvalidRefresh(await logout(session.token, { refreshToken }));
      }
      // the caller's own session was not touched
      await rotate(session);
    });

    it('401 without a bearer, or with a bad one, and the session is not revoked', async () => {
      const account = await newAccount();
      const session = await logIn(account);
      expectUnauthenticated(await logout(undefined, { refreshToken: session.refreshToken }));
      expectUnauthenticated(await logout('garbage', { refreshToken: session.refreshToken }));
      expectUnauthenticated(
        await api('POST', '/logout', {
          body: { refreshToken: session.refreshToken },
          headers: { authorization: `Basic ${session.token}` },
        }),
      );
      await rotate(session);
    });

    it('validates the body strictly (400), and revokes nothing then', async () => {
      const account = await newAccount();
      const session = await logIn(account);
      for (const body of [{ refreshToken: 123 }, { refreshToken: session.refreshToken, extra: 'field' }, {}]) {
        expectValidationFailed(await logout(session.token, body));
      }
      await rotate(session);
    });
  });

  describe('POST /users/{userId}/sessions/revoke', () => {
    it('204 revokes every family of the user; issued access tokens stay valid; a later log-in works', async () => {
      const account = await newAccount();
      const first = await logIn(account);
      const second = await logIn(account);
      const firstCurrent = await rotate(first);
      const res = await revokeAll(account.userId, second.token);
      expect(res.status, res.text).toBe(204);
      expect(res.text).toBe('');
      expectInvalidRefresh(await refresh(firstCurrent.refreshToken));
      expectInvalidRefresh(await refresh(second.refreshToken));
      // documented: access tokens are not revoked, they expire
      for (const token of [first.token, firstCurrent.token, second.token]) {
        expect((await getUser(account.userId, token)).status).toBe(200);
      }
      // revoking is about the sessions that existed: a new log-in starts a working family
      await rotate(await logIn(account));
    });

    it("403 for another user's id, whose sessions stay usable", async () => {
      const [alice, bob] = await Promise.all([newAccount('alice'), newAccount('bob')]);
      const aliceSession = await logIn(alice);
      const bobSession = await logIn(bob);
      const res = await revokeAll(bob.userId, aliceSession.token);
      expect(res.status, res.text).toBe(403);
      expect(res.body?.code).toBe('FORBIDDEN');
      await rotate(bobSession);
    });

    it('401 without a bearer, and nothing is revoked', async () => {
      const account = await newAccount();
      const session = await logIn(account);
      expectUnauthenticated(await revokeAll(account.userId, undefined));
      await rotate(session);
    });
  });

  describe(`log-in attempt limits (${MAX_FAILURES} failures per email)`, () => {
    it(`after ${MAX_FAILURES} wrong passwords for a known email: 429 with Retry-After, even for the right password`, async () => {
      const account = await newAccount('locked');
      await failLogins(() => account.email);
      expectTooManyAttempts(await login(account.email, account.password));
      // counted per email, not globally: another account logs in as usual
      await logIn(await newAccount('unaffected'));
    });

    it(`after ${MAX_FAILURES} failures for an unknown email: 429 as well`, async () => {
      const email = `nobody-${randomUUID()}@example.com`;
      await failLogins(() => email);
      expectTooManyAttempts(await login(email, `pw-${randomUUID()}`));
    });

    it('counts case and whitespace variants of an email as that email', async () => {
      const account = await newAccount('variants');
      const variants = [
        account.email.toUpperCase(),
        ` ${account.email} `,
        `${account.email[0]?.toUpperCase()}${account.email.slice(1)}  `,
        account.email,
      ];
      await failLogins((attempt) => variants[attempt % variants.length] as string);
      expectTooManyAttempts(await login(account.email, account.password));
      expectTooManyAttempts(await login(` ${account.email.toUpperCase()}`, account.password));
    });

    it.skipIf(!SHORT_ATTEMPT_WINDOW)(
      'lets the right password in again after Retry-After (only with E2E_LOGIN_ATTEMPT_WINDOW_SECONDS <= 20)',
      async () => {
        const account = await newAccount('window');
        await failLogins(() => account.email);
        const retryAfter = expectTooManyAttempts(await login(account.email, account.password));
        expect(retryAfter).toBeLessThanOrEqual(ATTEMPT_WINDOW_SECONDS as number);
        await sleep((retryAfter + 1) * 1000);
        await logIn(account);
      },
      ((ATTEMPT_WINDOW_SECONDS ?? 0) + 45) * 1000,
    );
  });
});
