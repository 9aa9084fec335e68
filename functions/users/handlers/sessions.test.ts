// The three session routes at the HTTP edge, on the real SessionService with an in-memory store:
// POST /token/refresh, POST /logout, POST /users/{userId}/sessions/revoke.
import { describe, expect, it } from 'vitest';
import { apiEvent, authorizedBy, lambdaContext } from '../../../tests/support/lambda.js';
import { MemorySessionStore } from '../../../tests/support/session-fakes.js';
import type { Role } from '../../shared/auth/roles.js';
import { SessionService } from '../domain/sessions.js';
import { createHandler as logoutHandler } from './logout.js';
import { createHandler as refreshHandler } from './refresh-token.js';
import { createHandler as revokeHandler } from './revoke-sessions.js';

const ADA = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const GRACE = '0a1b2c3d-0000-4000-8000-000000000002';
const INVALID = { message: 'Invalid refresh token', code: 'INVALID_REFRESH_TOKEN' };

function setup() {
  // The users' stored roles, as the users table holds them (refresh reads them again each time).
  const roles = new Map<string, Role[]>();
  const sessions = new SessionService({
    store: new MemorySessionStore(),
    lifetimes: { refreshTokenTtlSeconds: 600, sessionMaxSeconds: 3600 },
    tokens: { issue: async (userId, held = []) => ({ token: `access.${userId}.${held.join('+')}.sig`, expiresIn: 900 }) },
    roles: { findRoles: async (userId) => roles.get(userId) ?? [] },
  });
  const send = async (handler: ReturnType<typeof refreshHandler>, event: Parameters<typeof apiEvent>[0]) => {
    const response = await handler(apiEvent({ httpMethod: 'POST', ...event }), lambdaContext);
    return { ...response, json: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : undefined };
  };
  const refresh = (body: unknown) =>
    send(
      refreshHandler(() => sessions),
      { path: '/token/refresh', body },
    );
  const logout = (callerId: string | undefined, body: unknown) =>
    send(
      logoutHandler(() => sessions),
      { path: '/logout', body, ...(callerId ? authorizedBy(callerId) : {}) },
    );
  const revoke = (callerId: string | undefined, userId: string) =>
    send(
      revokeHandler(() => sessions),
      { path: `/users/${userId}/sessions/revoke`, pathParameters: { userId }, ...(callerId ? authorizedBy(callerId) : {}) },
    );
  return { sessions, roles, refresh, logout, revoke };
}

describe('POST /token/refresh', () => {
  it('answers 200 with the log-in body (a new pair), token and userId also as headers, never cached', async () => {
    const { sessions, refresh } = setup();
    const { refreshToken } = await sessions.open(ADA);
    const response = await refresh({ refreshToken });
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({
      token: `access.${ADA}..sig`,
      tokenType: 'Bearer',
      expiresIn: 900,
      userId: ADA,
      roles: [],
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      refreshExpiresIn: 600,
    });
    expect(response.json?.refreshToken).not.toBe(refreshToken);
    expect(response.headers).toMatchObject({ token: `access.${ADA}..sig`, userId: ADA, 'cache-control': 'no-store' });
  });

  it('answers the roles stored now, and the new access token carries them: a grant, then a revocation, each at the next refresh', async () => {
    const { sessions, roles, refresh } = setup();
    const { refreshToken } = await sessions.open(ADA);
    roles.set(ADA, ['admin']);
    const granted = await refresh({ refreshToken });
    expect(granted.json).toMatchObject({ roles: ['admin'], token: `access.${ADA}.admin.sig` });
    roles.set(ADA, []);
    const revoked = await refresh({ refreshToken: granted.json?.refreshToken });
    expect(revoked.json).toMatchObject({ roles: [], token: `access.${ADA}..sig` });
  });

  it('answers 401 INVALID_REFRESH_TOKEN for a spent token (and then for its successor), an unknown one and a malformed one', async () => {
    const { sessions, refresh } = setup();
    const { refreshToken } = await sessions.open(ADA);
    const successor = (await refresh({ refreshToken })).json?.refreshToken;
    for (const token of [refreshToken, successor, 'A'.repeat(43), 'not a token', 'x'.repeat(5000)]) {
      const response = await refresh({ refreshToken: token });
      expect(response.statusCode).toBe(401);
      expect(response.json).toEqual(INVALID);
    }
  });

  it.each([
    ['no refreshToken', {}],
    ['a numeric refreshToken', { refreshToken: 42 }],
    ['an extra field', { refreshToken: 'A'.repeat(43), userId: ADA }],
  ])('answers 400 VALIDATION_FAILED for %s', async (_name, body) => {
    const response = await setup().refresh(body);
    expect(response.statusCode).toBe(400);
    expect(response.json).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('POST /logout', () => {
  it('answers 204 with no body and ends that session', async () => {
    const { sessions, logout, refresh } = setup();
    const { refreshToken } = await sessions.open(ADA);
    const response = await logout(ADA, { refreshToken });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect((await refresh({ refreshToken })).statusCode).toBe(401);
  });

  it('answers 403 FORBIDDEN for another user’s refresh token and leaves it working', async () => {
    const { sessions, logout, refresh } = setup();
    const { refreshToken } = await sessions.open(GRACE);
    const response = await logout(ADA, { refreshToken });
    expect(response.statusCode).toBe(403);
    expect(response.json).toEqual({ message: 'This refresh token belongs to another user', code: 'FORBIDDEN' });
    expect((await refresh({ refreshToken })).statusCode).toBe(200);
  });

  it('answers 401 without a caller, before reading the body; 401 INVALID_REFRESH_TOKEN for an unknown token', async () => {
    const { logout } = setup();
    expect(await logout(undefined, 'not even json')).toMatchObject({ statusCode: 401, json: { code: 'UNAUTHORIZED' } });
    expect(await logout(ADA, { refreshToken: 'A'.repeat(43) })).toMatchObject({ statusCode: 401, json: INVALID });
  });
});

describe('POST /users/{userId}/sessions/revoke', () => {
  it('answers 204 and ends every session of the caller', async () => {
    const { sessions, revoke, refresh } = setup();
    const tokens = [(await sessions.open(ADA)).refreshToken, (await sessions.open(ADA)).refreshToken];
    expect(await revoke(ADA, ADA)).toMatchObject({ statusCode: 204, body: '' });
    for (const refreshToken of tokens) expect((await refresh({ refreshToken })).statusCode).toBe(401);
  });

  it('answers 403 for another user’s id and 401 without a caller, ending nothing', async () => {
    const { sessions, revoke, refresh } = setup();
    const { refreshToken } = await sessions.open(GRACE);
    expect(await revoke(ADA, GRACE)).toMatchObject({ statusCode: 403, json: { code: 'FORBIDDEN' } });
    expect(await revoke(undefined, GRACE)).toMatchObject({ statusCode: 401, json: { code: 'UNAUTHORIZED' } });
    expect((await refresh({ refreshToken })).statusCode).toBe(200);
  });
});
