import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { apiEvent, lambdaContext } from '../../../tests/support/lambda.js';
import type { Role } from '../../shared/auth/roles.js';
import type { Page } from '../../shared/pagination.js';
import type { PasswordHasher } from '../auth/password-hasher.js';
import { MemoryAttemptCounters } from '../../../tests/support/session-fakes.js';
import { LoginAttemptGuard } from '../domain/login-attempts.js';
import type { User, UserRepository, UserSummary } from '../domain/user.js';
import { UserService } from '../domain/user-service.js';
import { createHandler } from './login.js';

const USER_ID = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const PASSWORD = 'correct horse battery';

/** One user, ada@example.com; only what log-in reads. */
class MemoryUsers implements UserRepository {
  credentials = new Map([['ada@example.com', { userId: USER_ID, passwordHash: `hashed:${PASSWORD}` }]]);

  async findCredential(email: string) {
    return this.credentials.get(email);
  }
  async claimEmail(): Promise<boolean> {
    throw new Error('not used by log-in');
  }
  async completeRegistration(): Promise<boolean> {
    throw new Error('not used by log-in');
  }
  async releaseClaim() {}
  async replacePasswordHash() {}
  async getUser(): Promise<User | undefined> {
    throw new Error('not used by log-in');
  }
  async listUsers(): Promise<Page<UserSummary>> {
    throw new Error('not used by log-in');
  }
  async findRoles(): Promise<Role[] | undefined> {
    throw new Error('not used by log-in (the session service reads the roles)');
  }
  async setRoles(): Promise<boolean> {
    throw new Error('not used by log-in');
  }
  async findUserIdByEmail(): Promise<string | undefined> {
    throw new Error('not used by log-in');
  }
}

function setup() {
  const checks: string[] = [];
  const hasher: PasswordHasher = {
    hash: async (password) => `hashed:${password}`,
    verify: async (password, stored) => {
      checks.push('verify');
      return stored === `hashed:${password}`;
    },
    verifyWithoutHash: async () => {
      checks.push('verifyWithoutHash');
      return false;
    },
    needsRehash: () => false,
  };
  const sessions = {
    open: async (userId: string) => ({
      token: `header.${userId}.signature`,
      expiresIn: 900,
      userId,
      // What the session service read from the user (domain/sessions.test.ts: the token carries the same).
      roles: ['admin' as const],
      refreshToken: REFRESH,
      refreshExpiresIn: 604800,
    }),
  };
  const attempts = new LoginAttemptGuard(new MemoryAttemptCounters(), {
    maxFailuresPerEmail: 5,
    maxFailuresPerAddress: 8,
    windowSeconds: 900,
  });
  const service = new UserService({ users: new MemoryUsers(), passwords: hasher, sessions, attempts });
  const login = vi.fn((...args: Parameters<UserService['login']>) => service.login(...args));
  const handler = createHandler(() => ({ login }));
  const call = async (body: unknown, extra: Partial<APIGatewayProxyEvent> = {}) => {
    const response = await handler(apiEvent({ httpMethod: 'POST', path: '/login', body, ...extra }), lambdaContext);
    return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
  };
  return { checks, login, call };
}

const TOKEN = `header.${USER_ID}.signature`;
const REFRESH = 'r'.repeat(43);
const fromAddress = (sourceIp: string) => ({ requestContext: { identity: { sourceIp } } }) as unknown as Partial<APIGatewayProxyEvent>;
const INVALID_CREDENTIALS = { message: 'Invalid email or password', code: 'INVALID_CREDENTIALS' };

describe('POST /login', () => {
  it('answers 200 {token,tokenType,expiresIn,userId,roles,refreshToken,refreshExpiresIn}, token and userId also as headers, never cached', async () => {
    const { login, call } = setup();
    const response = await call({ email: 'ada@example.com', password: PASSWORD }, fromAddress('198.51.100.7'));
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({
      token: TOKEN,
      tokenType: 'Bearer',
      expiresIn: 900,
      userId: USER_ID,
      roles: ['admin'],
      refreshToken: REFRESH,
      refreshExpiresIn: 604800,
    });
    expect(response.headers).toMatchObject({ token: TOKEN, userId: USER_ID, 'cache-control': 'no-store' });
    expect(login).toHaveBeenCalledExactlyOnceWith({ email: 'ada@example.com', password: PASSWORD }, '198.51.100.7');
  });

  it('answers 429 TOO_MANY_ATTEMPTS with Retry-After past 5 failures for one email, known or not, without checking a password', async () => {
    for (const email of ['ada@example.com', 'nobody@example.com']) {
      const { checks, call } = setup();
      for (let i = 0; i < 5; i++) expect((await call({ email, password: 'wrong guess' })).statusCode).toBe(401);
      checks.length = 0;
      const refused = await call({ email: email.toUpperCase(), password: PASSWORD });
      expect(refused.statusCode).toBe(429);
      expect(refused.json).toEqual({ message: 'Too many failed log-in attempts; try again later', code: 'TOO_MANY_ATTEMPTS' });
      expect(Number(refused.headers?.['retry-after'])).toBeGreaterThanOrEqual(899);
      expect(refused.headers?.token).toBeUndefined();
      expect(checks).toEqual([]);
    }
  });

  it('counts failures per source address across emails (8 here), and not successes', async () => {
    const { call } = setup();
    const address = fromAddress('203.0.113.9');
    expect((await call({ email: 'ada@example.com', password: PASSWORD }, address)).statusCode).toBe(200);
    for (let i = 0; i < 8; i++)
      expect((await call({ email: `guess-${i}@example.com`, password: 'wrong guess' }, address)).statusCode).toBe(401);
    expect((await call({ email: 'ada@example.com', password: PASSWORD }, address)).statusCode).toBe(429);
    expect((await call({ email: 'ada@example.com', password: PASSWORD }, fromAddress('203.0.113.10'))).statusCode).toBe(200);
  });

  it('matches the email case-insensitively', async () => {
    const response = await setup().call({ email: ' ADA@Example.com', password: PASSWORD });
    expect(response.statusCode).toBe(200);
    expect(response.json.userId).toBe(USER_ID);
  });

  it('answers 401 with one body for a wrong password, an unknown email and a malformed email, after the same password check', async () => {
    const { checks, call } = setup();
    const wrongPassword = await call({ email: 'ada@example.com', password: 'not the password' });
    const unknownEmail = await call({ email: 'nobody@example.com', password: PASSWORD });
    const malformedEmail = await call({ email: 'not an email', password: PASSWORD });
    for (const response of [wrongPassword, unknownEmail, malformedEmail]) {
      expect(response.statusCode).toBe(401);
      expect(response.json).toEqual(INVALID_CREDENTIALS);
      expect(response.headers?.token).toBeUndefined();
    }
    expect(unknownEmail.body).toBe(wrongPassword.body);
    expect(checks).toEqual(['verify', 'verifyWithoutHash', 'verifyWithoutHash']);
  });

  it('compares passwords exactly: another case is a wrong password', async () => {
    const response = await setup().call({ email: 'ada@example.com', password: PASSWORD.toUpperCase() });
    expect(response.statusCode).toBe(401);
    expect(response.json).toEqual(INVALID_CREDENTIALS);
  });

  it.each([
    ['a missing password', { email: 'ada@example.com' }, 'password', 'Invalid input: expected string, received undefined'],
    ['an empty password', { email: 'ada@example.com', password: '' }, 'password', 'Too small: expected string to have >=1 characters'],
    ['an empty email', { email: '', password: PASSWORD }, 'email', 'Too small: expected string to have >=1 characters'],
    ['a numeric email', { email: 42, password: PASSWORD }, 'email', 'Invalid input: expected string, received number'],
    ['a 321 character email', { email: 'e'.repeat(321), password: PASSWORD }, 'email', 'Too big: expected string to have <=320 characters'],
  ])('answers 400 naming the field for %s, and checks nothing', async (_name, body, field, message) => {
    const { login, call } = setup();
    const response = await call(body);
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({
      message: `Invalid request body: ${field}: ${message}`,
      code: 'VALIDATION_FAILED',
      details: [{ field, message }],
    });
    expect(login).not.toHaveBeenCalled();
  });

  it.each(['pwd', 'userId', 'role'])('answers 400 for the unknown field %s, and checks nothing', async (field) => {
    const { login, call } = setup();
    const response = await call({ email: 'ada@example.com', password: PASSWORD, [field]: 'x' });
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({
      message: `Invalid request body: ${field}: unknown field`,
      code: 'VALIDATION_FAILED',
      details: [{ field, message: 'unknown field' }],
    });
    expect(login).not.toHaveBeenCalled();
  });

  it('answers 400 MALFORMED_JSON for a body that does not parse', async () => {
    const { login, call } = setup();
    const response = await call('{"email":');
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({ message: 'Request body is not valid JSON', code: 'MALFORMED_JSON' });
    expect(login).not.toHaveBeenCalled();
  });

  it.each([
    ['a text/plain body', { body: '{"email":"ada@example.com","password":"x"}', headers: { 'Content-Type': 'text/plain' } }],
    ['no body', { body: null }],
  ])('answers 415 for %s, and checks nothing', async (_name, extra) => {
    const { login, call } = setup();
    const response = await call(undefined, extra);
    expect(response.statusCode).toBe(415);
    expect(response.json).toEqual({
      message: 'Request body must be JSON (Content-Type: application/json)',
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    expect(login).not.toHaveBeenCalled();
  });

  it('answers 413 for a body over 16 KiB, and checks nothing', async () => {
    const { login, call } = setup();
    const response = await call({ email: 'ada@example.com', password: 'p'.repeat(17 * 1024) });
    expect(response.statusCode).toBe(413);
    expect(response.json).toEqual({ message: 'Request body exceeds 16384 bytes', code: 'PAYLOAD_TOO_LARGE' });
    expect(login).not.toHaveBeenCalled();
  });
});
