// PUT /users/{userId}/roles at the HTTP edge, on the real UserService with an in-memory users table.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { apiEvent, authorizedBy, lambdaContext } from '../../../tests/support/lambda.js';
import type { Role } from '../../shared/auth/roles.js';
import type { UserRepository } from '../domain/user.js';
import { UserService } from '../domain/user-service.js';
import { createHandler } from './set-user-roles.js';

const ADMIN = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const BOB = '0a1b2c3d-0000-4000-8000-000000000002';
const NOBODY = '0a1b2c3d-0000-4000-8000-00000000dead';

/** The users' roles; setRoles only for a user that exists, as the adapter's condition. */
function memoryUsers(): Pick<UserRepository, 'setRoles'> & { roles: Map<string, Role[]> } {
  const roles = new Map<string, Role[]>([
    [ADMIN, ['admin']],
    [BOB, []],
  ]);
  return {
    roles,
    setRoles: async (userId, next) => {
      if (!roles.has(userId)) return false;
      roles.set(userId, [...next]);
      return true;
    },
  };
}

function setup() {
  const users = memoryUsers();
  const service = new UserService({ users: users as unknown as UserRepository });
  const setRoles = vi.fn((...args: Parameters<UserService['setRoles']>) => service.setRoles(...args));
  const handler = createHandler(() => ({ setRoles }));
  const call = async (userId: string, body: unknown, caller: Partial<APIGatewayProxyEvent> = authorizedBy(ADMIN, ['admin'])) => {
    const response = await handler(
      apiEvent({ httpMethod: 'PUT', path: `/users/${userId}/roles`, pathParameters: { userId }, body, ...caller }),
      lambdaContext,
    );
    return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
  };
  return { users, setRoles, call };
}

describe('PUT /users/{userId}/roles', () => {
  it('an admin sets another user’s roles: 200 {userId, roles}, stored, each role once; [] takes them all away', async () => {
    const { users, setRoles, call } = setup();
    const granted = await call(BOB, { roles: ['admin', 'admin'] });
    expect(granted.statusCode).toBe(200);
    expect(granted.json).toEqual({ userId: BOB, roles: ['admin'] });
    expect(granted.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    expect(users.roles.get(BOB)).toEqual(['admin']);
    expect(setRoles).toHaveBeenCalledExactlyOnceWith(ADMIN, BOB, ['admin', 'admin']);
    const revoked = await call(BOB, { roles: [] });
    expect(revoked.json).toEqual({ userId: BOB, roles: [] });
    expect(users.roles.get(BOB)).toEqual([]);
  });

  it('an admin taking admin away from themself: 409 SELF_DEMOTION, nothing changed; keeping it: 200', async () => {
    const { users, call } = setup();
    const refused = await call(ADMIN, { roles: [] });
    expect(refused.statusCode).toBe(409);
    expect(refused.json).toEqual({ message: 'An admin cannot take the role admin away from themself', code: 'SELF_DEMOTION' });
    expect(users.roles.get(ADMIN)).toEqual(['admin']);
    expect((await call(ADMIN, { roles: ['admin'] })).json).toEqual({ userId: ADMIN, roles: ['admin'] });
  });

  it('an unknown user: 404 NOT_FOUND, and no user is made', async () => {
    const { users, call } = setup();
    const response = await call(NOBODY, { roles: ['admin'] });
    expect(response.statusCode).toBe(404);
    expect(response.json).toEqual({ message: `User ${NOBODY} not found`, code: 'NOT_FOUND' });
    expect(users.roles.has(NOBODY)).toBe(false);
  });

  it.each([
    ['an unknown role', { roles: ['root'] }, 'roles.0'],
    ['a role in another case', { roles: ['Admin'] }, 'roles.0'],
    ['a known and an unknown role', { roles: ['admin', 'superuser'] }, 'roles.1'],
    ['a role that is not a string', { roles: [1] }, 'roles.0'],
    ['roles that are not a list', { roles: 'admin' }, 'roles'],
    ['no roles', {}, 'roles'],
    ['an unknown field (strict body)', { roles: ['admin'], userId: ADMIN }, 'userId'],
  ])('answers 400 VALIDATION_FAILED naming the field for %s, and changes nothing', async (_name, body, field) => {
    const { setRoles, call } = setup();
    const response = await call(BOB, body);
    expect(response.statusCode).toBe(400);
    expect(response.json).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field })] });
    expect(setRoles).not.toHaveBeenCalled();
  });

  it('a caller without the role admin: 403 FORBIDDEN before the body is read, even on themself, and nothing changes', async () => {
    const { users, setRoles, call } = setup();
    for (const body of [{ roles: ['admin'] }, 'not json at all']) {
      const response = await call(BOB, body, authorizedBy(BOB));
      expect(response.statusCode).toBe(403);
      expect(response.json).toEqual({ message: 'This route needs the role admin', code: 'FORBIDDEN' });
    }
    expect(setRoles).not.toHaveBeenCalled();
    expect(users.roles.get(BOB)).toEqual([]);
  });

  it('no caller: 401 UNAUTHORIZED', async () => {
    const { setRoles, call } = setup();
    const response = await call(BOB, { roles: ['admin'] }, {});
    expect(response.statusCode).toBe(401);
    expect(response.json).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(setRoles).not.toHaveBeenCalled();
  });
});
