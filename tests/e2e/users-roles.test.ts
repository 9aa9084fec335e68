/**
 * Roles over HTTP (functions/users/README.md, "User roles"), in both authorizer modes (this file is in the
 * `stack` and the `stack-function-auth` projects): roles in the log-in and refresh answers and in the access
 * token, a route that needs `admin` (GET /orders?status=) refusing a token without it, PUT /users/{userId}/roles.
 * The first part needs nothing but HTTP; granting the first admin is the operator's command
 * (functions/users/scripts/grant-role.ts), run here in-process against the local stack's DynamoDB endpoint, so
 * that part is local only. Every answer is held to the API description by `api()`.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { grantRole } from '../../functions/users/scripts/grant-role.js';
import { describeLocal } from '../support/env.js';
import { api, type ApiResponse } from '../support/http.js';
import { stackPortOffset } from './admin-support.js';
import { decodePart } from './token-forge.js';

interface Account {
  email: string;
  password: string;
  userId: string;
}

interface SessionBody {
  token: string;
  userId: string;
  roles: string[];
  refreshToken: string;
}

async function newAccount(tag = 'roles'): Promise<Account> {
  const email = `${tag}-${randomUUID()}@example.com`;
  const password = `pw-${randomUUID()}`;
  const created = await api('POST', '/users', { body: { email, name: 'Role Tester', pwd: password } });
  expect(created.status, created.text).toBe(201);
  return { email, password, userId: created.body.userId as string };
}

async function logIn(account: Account): Promise<SessionBody> {
  const res = await api<SessionBody>('POST', '/login', { body: { email: account.email, password: account.password } });
  expect(res.status, res.text).toBe(200);
  expect(res.body.userId).toBe(account.userId);
  return res.body;
}

async function refreshed(session: SessionBody): Promise<SessionBody> {
  const res = await api<SessionBody>('POST', '/token/refresh', { body: { refreshToken: session.refreshToken } });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** The `roles` claim of an access token. */
const rolesIn = (token: string): unknown => decodePart<{ roles?: unknown }>(token, 1).roles;

/** The admin route of the orders context: every user's confirmed orders. */
const confirmedOrders = (token?: string) => api('GET', '/orders?status=CONFIRMED', { token });
const setRoles = (userId: string, body: unknown, token?: string) =>
  api('PUT', `/users/${encodeURIComponent(userId)}/roles`, { body, token });

function expectError(res: ApiResponse, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body?.code, res.text).toBe(code);
}

/** No or a bad bearer: 401; who answers differs by mode (the gateway's response or our function), so only the code is pinned when present. */
function expectUnauthenticated(res: ApiResponse) {
  expect(res.status, res.text).toBe(401);
  if (res.body?.code !== undefined) expect(res.body.code).toBe('UNAUTHORIZED');
}

describe('roles: a user without any', () => {
  let account: Account;
  let session: SessionBody;
  beforeAll(async () => {
    account = await newAccount('no-role');
    session = await logIn(account);
  });

  it('a new user has none: the log-in answer says roles [], and so does the token', () => {
    expect(session.roles).toEqual([]);
    expect(rolesIn(session.token)).toEqual([]);
  });

  it('a refresh answers roles [] too', async () => {
    const next = await refreshed(session);
    expect(next.roles).toEqual([]);
    expect(rolesIn(next.token)).toEqual([]);
    session = next;
  });

  it('a route that needs admin: 403 FORBIDDEN with a valid token, 401 without one', async () => {
    expectError(await confirmedOrders(session.token), 403, 'FORBIDDEN');
    expectUnauthenticated(await confirmedOrders());
  });

  it('PUT /users/{userId}/roles: 403 for a non-admin, even on themself, 401 without a token; nothing granted', async () => {
    expectError(await setRoles(account.userId, { roles: ['admin'] }, session.token), 403, 'FORBIDDEN');
    expectUnauthenticated(await setRoles(account.userId, { roles: ['admin'] }));
    const again = await logIn(account);
    expect(again.roles).toEqual([]);
  });

  it('sign-up with a roles field is a 400, and makes no user', async () => {
    const email = `signup-roles-${randomUUID()}@example.com`;
    for (const roles of [['admin'], []]) {
      const res = await api('POST', '/users', { body: { email, name: 'Would Be Admin', pwd: 'a-long-password', roles } });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([{ field: 'roles', message: 'unknown field' }]);
    }
    // The email is still free: the refused sign-ups made nothing.
    expect((await api('POST', '/users', { body: { email, name: 'Plain User', pwd: 'a-long-password' } })).status).toBe(201);
  });
});

const grant = (account: Account, revoke = false) =>
  grantRole({ email: account.email, role: 'admin', revoke, portOffset: stackPortOffset() });

describeLocal('roles: granted by the operator’s command, set by an admin', () => {
  let admin: Account;
  let adminSession: SessionBody;
  beforeAll(async () => {
    admin = await newAccount('admin');
    await expect(grant(admin)).resolves.toMatchObject({ userId: admin.userId, roles: ['admin'], changed: true });
    adminSession = await logIn(admin);
  });

  it('a user granted admin logs in with roles ["admin"] in the answer and the token, and may call the admin route', async () => {
    expect(adminSession.roles).toEqual(['admin']);
    expect(rolesIn(adminSession.token)).toEqual(['admin']);
    const res = await confirmedOrders(adminSession.token);
    expect(res.status, res.text).toBe(200);
    expect(Array.isArray(res.body.items)).toBe(true);
  });

  it('a revoked role works until the session’s next refresh: then the answer says roles [] and the new token gets 403', async () => {
    const account = await newAccount('revoked');
    await grant(account);
    const loggedIn = await logIn(account);
    expect(loggedIn.roles).toEqual(['admin']);
    // A refresh reads the roles again: still granted, so still there.
    const session = await refreshed(loggedIn);
    expect(session.roles).toEqual(['admin']);
    expect(rolesIn(session.token)).toEqual(['admin']);
    expect((await confirmedOrders(session.token)).status).toBe(200);

    await expect(grant(account, true)).resolves.toMatchObject({ roles: [], changed: true });
    // Tokens are stateless: the one issued before keeps the role until it expires (one access-token lifetime).
    expect((await confirmedOrders(session.token)).status).toBe(200);
    const next = await refreshed(session);
    expect(next.roles).toEqual([]);
    expect(rolesIn(next.token)).toEqual([]);
    expectError(await confirmedOrders(next.token), 403, 'FORBIDDEN');
  });

  it('an admin sets another user’s roles: 200 {userId, roles}; the user has them at their next log-in; [] takes them away', async () => {
    const other = await newAccount('promoted');
    const granted = await setRoles(other.userId, { roles: ['admin'] }, adminSession.token);
    expect(granted.status, granted.text).toBe(200);
    expect(granted.body).toEqual({ userId: other.userId, roles: ['admin'] });
    const promoted = await logIn(other);
    expect(promoted.roles).toEqual(['admin']);
    expect((await confirmedOrders(promoted.token)).status).toBe(200);

    const taken = await setRoles(other.userId, { roles: [] }, adminSession.token);
    expect(taken.status, taken.text).toBe(200);
    expect(taken.body).toEqual({ userId: other.userId, roles: [] });
    expect((await refreshed(promoted)).roles).toEqual([]);
  });

  it('an admin taking admin away from themself: 409 SELF_DEMOTION, and they stay admin', async () => {
    expectError(await setRoles(admin.userId, { roles: [] }, adminSession.token), 409, 'SELF_DEMOTION');
    const again = await logIn(admin);
    expect(again.roles).toEqual(['admin']);
    expect((await confirmedOrders(again.token)).status).toBe(200);
  });

  it('an admin’s bad requests: an unknown role or field 400, an unknown user 404', async () => {
    const other = await newAccount('bad-requests');
    expectError(await setRoles(other.userId, { roles: ['root'] }, adminSession.token), 400, 'VALIDATION_FAILED');
    expectError(await setRoles(other.userId, { roles: ['admin'], isAdmin: true }, adminSession.token), 400, 'VALIDATION_FAILED');
    expectError(await setRoles(other.userId, { role: 'admin' }, adminSession.token), 400, 'VALIDATION_FAILED');
    expectError(await setRoles(randomUUID(), { roles: ['admin'] }, adminSession.token), 404, 'NOT_FOUND');
    expect((await logIn(other)).roles).toEqual([]);
  });
});
