import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { apiEvent, lambdaContext } from '../../../tests/support/lambda.js';
import type { Role } from '../../shared/auth/roles.js';
import type { Page } from '../../shared/pagination.js';
import type { PasswordHasher } from '../auth/password-hasher.js';
import type { User, UserRepository, UserSummary } from '../domain/user.js';
import { UserService } from '../domain/user-service.js';
import { createHandler } from './sign-up.js';

const PASSWORD = 'correct horse battery';

/** Just what sign-up touches: email claims and users. */
class MemoryUsers implements UserRepository {
  users = new Map<string, User>();
  credentials = new Map<string, { userId: string; claimId: string; passwordHash?: string }>();

  async claimEmail(email: string, userId: string, claimId: string) {
    if (this.credentials.has(email)) return false;
    this.credentials.set(email, { userId, claimId });
    return true;
  }
  async completeRegistration(user: User, passwordHash: string, claimId: string) {
    const credential = this.credentials.get(user.email);
    if (credential?.claimId !== claimId) return false;
    credential.passwordHash = passwordHash;
    this.users.set(user.userId, user);
    return true;
  }
  async releaseClaim(email: string, claimId: string) {
    if (this.credentials.get(email)?.claimId === claimId) this.credentials.delete(email);
  }
  async findCredential() {
    return undefined;
  }
  async replacePasswordHash() {}
  async getUser(userId: string) {
    return this.users.get(userId);
  }
  async listUsers(): Promise<Page<UserSummary>> {
    return { items: [] };
  }
  async findRoles(): Promise<Role[] | undefined> {
    throw new Error('not used by sign-up');
  }
  async setRoles(): Promise<boolean> {
    throw new Error('not used by sign-up');
  }
  async findUserIdByEmail(): Promise<string | undefined> {
    throw new Error('not used by sign-up');
  }
}

/** No Argon2 here: a tagged string is enough to see that the password was hashed and never echoed. */
const hasher: PasswordHasher = {
  hash: async (password) => `hashed:${password.length}`,
  verify: async () => false,
  verifyWithoutHash: async () => false,
  needsRehash: () => false,
};

function setup() {
  const users = new MemoryUsers();
  const service = new UserService({ users, passwords: hasher, now: () => new Date('2026-05-01T00:00:00.000Z') });
  const register = vi.fn((input: Parameters<UserService['register']>[0], correlationId: string) => service.register(input, correlationId));
  const handler = createHandler(() => ({ register }));
  const call = async (body: unknown, extra: Partial<APIGatewayProxyEvent> = {}) => {
    const response = await handler(apiEvent({ httpMethod: 'POST', path: '/users', body, ...extra }), lambdaContext);
    return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
  };
  return { users, register, call };
}

const valid = { email: 'ada@example.com', name: 'Ada Lovelace', pwd: PASSWORD };

const invalid = (field: string, message: string) => ({
  message: `Invalid request body: ${field}: ${message}`,
  code: 'VALIDATION_FAILED',
  details: [{ field, message }],
});

describe('POST /users', () => {
  it('answers 201 {userId,email,name} with a location, and passes the validated body and correlation id on', async () => {
    const { users, register, call } = setup();
    const response = await call(valid, { headers: { 'X-Correlation-Id': 'corr-signup-1' } });
    expect(response.statusCode).toBe(201);
    expect(response.json).toEqual({ userId: expect.stringMatching(/^[0-9a-f-]{36}$/), email: 'ada@example.com', name: 'Ada Lovelace' });
    expect(response.headers).toMatchObject({ location: `/users/${response.json.userId as string}`, 'content-type': 'application/json' });
    expect(register).toHaveBeenCalledExactlyOnceWith(valid, 'corr-signup-1');
    expect(users.users.get(response.json.userId as string)).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace' });
  });

  it('stores the email trimmed and lower-cased, and the name trimmed', async () => {
    const { register, call } = setup();
    const response = await call({ email: '  Ada@Example.COM ', name: ' Ada ', pwd: PASSWORD });
    expect(response.statusCode).toBe(201);
    expect(response.json).toMatchObject({ email: 'ada@example.com', name: 'Ada' });
    expect(register.mock.calls[0]?.[0]).toEqual({ email: 'ada@example.com', name: 'Ada', pwd: PASSWORD });
  });

  it('never returns the password or its hash', async () => {
    const response = await setup().call(valid);
    expect(response.statusCode).toBe(201);
    expect(response.body).not.toContain(PASSWORD);
    expect(response.body).not.toContain('hashed:');
    expect(Object.keys(response.json).sort()).toEqual(['email', 'name', 'userId']);
  });

  it('accepts the bounds: a 1 and a 50 character name, an 8 and a 128 character password', async () => {
    const { call } = setup();
    expect((await call({ email: 'a@example.com', name: 'A', pwd: 'p'.repeat(8) })).statusCode).toBe(201);
    expect((await call({ email: 'b@example.com', name: 'N'.repeat(50), pwd: 'p'.repeat(128) })).statusCode).toBe(201);
  });

  it('answers 409 EMAIL_TAKEN for an email already used, whatever its case', async () => {
    const { users, register, call } = setup();
    expect((await call(valid)).statusCode).toBe(201);
    const response = await call({ ...valid, email: 'ADA@example.com', name: 'Someone Else' });
    expect(response.statusCode).toBe(409);
    expect(response.json).toEqual({ message: 'A user with this email already exists', code: 'EMAIL_TAKEN' });
    expect(register).toHaveBeenCalledTimes(2);
    expect(users.users.size).toBe(1);
  });

  it.each([
    ['an invalid email', { email: 'not-an-email' }, 'email', 'must be a valid email address'],
    ['an email with a space inside', { email: 'ada lovelace@example.com' }, 'email', 'must be a valid email address'],
    ['an empty name', { name: '' }, 'name', 'Too small: expected string to have >=1 characters'],
    ['a blank name', { name: '   ' }, 'name', 'Too small: expected string to have >=1 characters'],
    ['a 51 character name', { name: 'N'.repeat(51) }, 'name', 'Too big: expected string to have <=50 characters'],
    ['a name with a control character', { name: 'Ada\u0007' }, 'name', 'must not contain control characters'],
    ['a 7 character password', { pwd: 'p'.repeat(7) }, 'pwd', 'Too small: expected string to have >=8 characters'],
    ['a 129 character password', { pwd: 'p'.repeat(129) }, 'pwd', 'Too big: expected string to have <=128 characters'],
    ['a numeric password', { pwd: 12345678 }, 'pwd', 'Invalid input: expected string, received number'],
    ['a missing email', { email: undefined }, 'email', 'Invalid input: expected string, received undefined'],
  ])('answers 400 naming the field for %s, and registers nothing', async (_name, change, field, message) => {
    const { register, call } = setup();
    const response = await call({ ...valid, ...change });
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual(invalid(field, message));
    expect(register).not.toHaveBeenCalled();
  });

  it.each([
    ['userId', 'b3c1d2e4-0000-4000-8000-000000000000'],
    ['role', 'admin'],
    // Roles are granted by an operator or an admin only, never at sign-up (functions/users/README.md, "User roles").
    ['roles', ['admin']],
    ['roles', []],
    ['passwordHash', '$argon2id$...'],
    ['createdAt', '2000-01-01T00:00:00.000Z'],
  ])('answers 400 for the unknown field %s (no mass assignment), and registers nothing', async (field, value) => {
    const { register, call } = setup();
    const response = await call({ ...valid, [field]: value });
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual(invalid(field, 'unknown field'));
    expect(register).not.toHaveBeenCalled();
  });

  it('answers 400 for a JSON body that is not an object', async () => {
    const { register, call } = setup();
    const response = await call('[]');
    expect(response.statusCode).toBe(400);
    expect(response.json).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'request body' }] });
    expect(register).not.toHaveBeenCalled();
  });

  it('answers 400 MALFORMED_JSON for a body that does not parse', async () => {
    const { register, call } = setup();
    const response = await call('{"email": "ada@example.com",');
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({ message: 'Request body is not valid JSON', code: 'MALFORMED_JSON' });
    expect(register).not.toHaveBeenCalled();
  });

  it.each([
    ['a text/plain body', { body: JSON.stringify(valid), headers: { 'Content-Type': 'text/plain' } }],
    ['a form body', { body: 'email=a%40b.c', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }],
    ['no body', { body: null }],
  ])('answers 415 for %s, and registers nothing', async (_name, extra) => {
    const { register, call } = setup();
    const response = await call(undefined, extra);
    expect(response.statusCode).toBe(415);
    expect(response.json).toEqual({
      message: 'Request body must be JSON (Content-Type: application/json)',
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    expect(register).not.toHaveBeenCalled();
  });

  it('answers 413 for a body over 16 KiB, and registers nothing', async () => {
    const { register, call } = setup();
    const response = await call({ ...valid, name: 'N'.repeat(17 * 1024) });
    expect(response.statusCode).toBe(413);
    expect(response.json).toEqual({ message: 'Request body exceeds 16384 bytes', code: 'PAYLOAD_TOO_LARGE' });
    expect(register).not.toHaveBeenCalled();
  });

  it('answers a bare 500 when the service fails unexpectedly, without its details', async () => {
    const handler = createHandler(() => ({
      register: async () => {
        throw new Error('TransactionCanceledException at users table');
      },
    }));
    const response = await handler(apiEvent({ httpMethod: 'POST', body: valid }), lambdaContext);
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ message: 'Internal server error', code: 'INTERNAL_ERROR' });
  });
});
