// The domain service with in-memory ports: the rules, not the storage (that is tests/integration).
import { describe, expect, it } from 'vitest';
import type { Role } from '../../shared/auth/roles.js';
import { ConflictError, InvalidCredentialsError, NotFoundError, type DomainError } from '../../shared/domain-errors.js';
import type { Page } from '../../shared/pagination.js';
import type { PasswordHasher } from '../auth/password-hasher.js';
import type { User, UserOrders, UserRepository, UserSummary } from './user.js';
import { MemoryAttemptCounters } from '../../../tests/support/session-fakes.js';
import { LoginAttemptGuard } from './login-attempts.js';
import { UserService } from './user-service.js';

const noOrders: UserOrders = {
  ordersOf: async () => ({ orders: [], available: false }),
};

class MemoryUsers implements UserRepository {
  users = new Map<string, User>();
  credentials = new Map<
    string,
    {
      userId: string;
      status: 'PENDING' | 'ACTIVE';
      claimId?: string;
      passwordHash?: string;
    }
  >();
  failComplete = false;

  async claimEmail(email: string, userId: string, claimId: string) {
    if (this.credentials.has(email)) return false;
    this.credentials.set(email, { userId, status: 'PENDING', claimId });
    return true;
  }
  async completeRegistration(user: User, passwordHash: string, claimId: string) {
    if (this.failComplete) throw new Error('DynamoDB is down');
    const credential = this.credentials.get(user.email);
    if (credential?.claimId !== claimId) return false;
    this.credentials.set(user.email, {
      userId: user.userId,
      status: 'ACTIVE',
      passwordHash,
    });
    this.users.set(user.userId, user);
    return true;
  }
  async releaseClaim(email: string, claimId: string) {
    if (this.credentials.get(email)?.claimId === claimId) this.credentials.delete(email);
  }
  async findCredential(email: string) {
    const c = this.credentials.get(email);
    return c?.status === 'ACTIVE' && c.passwordHash ? { userId: c.userId, passwordHash: c.passwordHash } : undefined;
  }
  async replacePasswordHash(email: string, previous: string, next: string) {
    const c = this.credentials.get(email);
    if (c?.passwordHash === previous) c.passwordHash = next;
  }
  roles = new Map<string, Role[]>();
  async getUser(userId: string) {
    return this.users.get(userId);
  }
  async findRoles(userId: string) {
    return this.users.has(userId) ? [...(this.roles.get(userId) ?? [])] : undefined;
  }
  async setRoles(userId: string, roles: readonly Role[]) {
    if (!this.users.has(userId)) return false; // as the adapter's condition: the user exists
    this.roles.set(userId, [...roles]);
    return true;
  }
  async findUserIdByEmail(email: string) {
    const credential = this.credentials.get(email);
    return credential?.status === 'ACTIVE' ? credential.userId : undefined;
  }
  async listUsers(): Promise<Page<UserSummary>> {
    return {
      items: [...this.users.values()].map(({ userId, name }) => ({
        userId,
        name,
      })),
    };
  }
}

/** Records calls; "hashes" are tagged strings so the tests can see what was hashed with what. */
class RecordingHasher implements PasswordHasher {
  calls: string[] = [];
  constructor(private readonly version = 'v2') {}
  async hash(password: string) {
    this.calls.push('hash');
    return `${this.version}:${password}`;
  }
  async verify(password: string, stored: string) {
    this.calls.push('verify');
    return stored.endsWith(`:${password}`);
  }
  async verifyWithoutHash(): Promise<false> {
    this.calls.push('verifyWithoutHash');
    return false;
  }
  needsRehash(stored: string) {
    return !stored.startsWith(`${this.version}:`);
  }
}

/** Log-in's session, reduced to what the service passes on (sessions.test.ts tests the sessions themselves). */
const sessions = {
  open: async (userId: string) => ({
    token: `token-for-${userId}`,
    expiresIn: 900,
    userId,
    roles: [],
    refreshToken: `refresh-for-${userId}`,
    refreshExpiresIn: 604800,
  }),
};

function setup() {
  const users = new MemoryUsers();
  const hasher = new RecordingHasher();
  const service = new UserService({
    users,
    passwords: hasher,
    sessions,
    attempts: new LoginAttemptGuard(new MemoryAttemptCounters(), { maxFailuresPerEmail: 5, maxFailuresPerAddress: 50, windowSeconds: 900 }),
    orders: noOrders,
    now: () => new Date('2026-05-01T00:00:00Z'),
  });
  return { users, hasher, service };
}

const expectDomainError = async (promise: Promise<unknown>, kind: abstract new (...args: never[]) => DomainError, code: string) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(kind);
  expect(error).toMatchObject({ code });
};

describe('UserService.register', () => {
  it('stores the user with the email normalised and the password hashed', async () => {
    const { users, service } = setup();
    const user = await service.register({ email: ' Ada@Example.COM ', name: 'Ada', pwd: 'secret-password' }, 'corr-1');
    expect(user).toEqual({
      userId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: 'ada@example.com',
      name: 'Ada',
      createdAt: '2026-05-01T00:00:00.000Z',
    });
    expect(JSON.stringify(user)).not.toContain('secret-password');
    expect(users.credentials.get('ada@example.com')).toMatchObject({
      status: 'ACTIVE',
      passwordHash: 'v2:secret-password',
    });
  });

  it('a conflict (EMAIL_TAKEN) for a taken email, in any case, without spending a hash on it', async () => {
    const { hasher, service } = setup();
    await service.register({ email: 'ada@example.com', name: 'Ada', pwd: 'secret-password' }, 'c');
    hasher.calls = [];
    await expectDomainError(
      service.register({ email: 'ADA@example.com', name: 'Other', pwd: 'another-password' }, 'c'),
      ConflictError,
      'EMAIL_TAKEN',
    );
    expect(hasher.calls).toEqual([]);
  });

  it('gives the email back when the sign-up fails half-way, so it can be retried', async () => {
    const { users, service } = setup();
    users.failComplete = true;
    await expect(service.register({ email: 'ada@example.com', name: 'Ada', pwd: 'secret-password' }, 'c')).rejects.toThrow(
      'DynamoDB is down',
    );
    expect(users.credentials.has('ada@example.com')).toBe(false);
    users.failComplete = false;
    await expect(service.register({ email: 'ada@example.com', name: 'Ada', pwd: 'secret-password' }, 'c')).resolves.toMatchObject({
      email: 'ada@example.com',
    });
  });
});

describe('UserService.login', () => {
  it('opens a session for the right password, matching the email case-insensitively', async () => {
    const { service } = setup();
    const { userId } = await service.register({ email: 'ada@example.com', name: 'Ada', pwd: 'secret-password' }, 'c');
    await expect(service.login({ email: ' ADA@example.com', password: 'secret-password' })).resolves.toEqual({
      token: `token-for-${userId}`,
      expiresIn: 900,
      userId,
      roles: [],
      refreshToken: `refresh-for-${userId}`,
      refreshExpiresIn: 604800,
    });
  });

  it('the same error for a wrong password and an unknown email, both after one full password check', async () => {
    const { hasher, service } = setup();
    await service.register({ email: 'ada@example.com', name: 'Ada', pwd: 'secret-password' }, 'c');
    hasher.calls = [];
    const wrong = await service.login({ email: 'ada@example.com', password: 'wrong-password' }).catch((e: unknown) => e);
    expect(hasher.calls).toEqual(['verify']);
    hasher.calls = [];
    const unknown = await service.login({ email: 'nobody@example.com', password: 'secret-password' }).catch((e: unknown) => e);
    expect(hasher.calls).toEqual(['verifyWithoutHash']);
    expect(wrong).toEqual(unknown);
    expect(wrong).toBeInstanceOf(InvalidCredentialsError);
    expect(wrong).toMatchObject({
      code: 'INVALID_CREDENTIALS',
      message: 'Invalid email or password',
    });
  });

  it('cannot log in to an email whose sign-up is still in progress', async () => {
    const { users, service } = setup();
    await users.claimEmail('ada@example.com', 'u', 'claim');
    await expectDomainError(
      service.login({ email: 'ada@example.com', password: 'anything-at-all' }),
      InvalidCredentialsError,
      'INVALID_CREDENTIALS',
    );
  });

  it('re-hashes a password stored with older parameters on a successful log-in', async () => {
    const { users, service } = setup();
    await service.register({ email: 'ada@example.com', name: 'Ada', pwd: 'secret-password' }, 'c');
    (users.credentials.get('ada@example.com') as { passwordHash: string }).passwordHash = 'v1:secret-password';
    await service.login({
      email: 'ada@example.com',
      password: 'secret-password',
    });
    expect(users.credentials.get('ada@example.com')?.passwordHash).toBe('v2:secret-password');
  });
});

describe('UserService.getUserWithOrders', () => {
  it('returns the user with their orders as the orders context reports them, and NotFound for an unknown user', async () => {
    const { service } = setup();
    const { userId } = await service.register({ email: 'ada@example.com', name: 'Ada', pwd: 'secret-password' }, 'c');
    await expect(service.getUserWithOrders(userId)).resolves.toMatchObject({
      userId,
      orders: [],
      ordersAvailable: false,
    });
    await expectDomainError(service.getUserWithOrders('0b5c3f0e-8d1b-4a57-9a43-3c1b2e6f4a10'), NotFoundError, 'NOT_FOUND');
  });
});

describe('UserService.setRoles (an admin, PUT /users/{userId}/roles)', () => {
  const registered = async (service: UserService, email: string) =>
    (await service.register({ email, name: 'Someone', pwd: 'secret-password' }, 'c')).userId;

  it('replaces the user’s roles, each once, and answers them', async () => {
    const { users, service } = setup();
    const admin = await registered(service, 'admin@example.com');
    const bob = await registered(service, 'bob@example.com');
    await expect(service.setRoles(admin, bob, ['admin', 'admin'])).resolves.toEqual({ userId: bob, roles: ['admin'] });
    expect(users.roles.get(bob)).toEqual(['admin']);
    await expect(service.setRoles(admin, bob, [])).resolves.toEqual({ userId: bob, roles: [] });
    expect(users.roles.get(bob)).toEqual([]);
  });

  it('an admin taking admin away from themself: 409 SELF_DEMOTION, nothing changed; keeping it is fine', async () => {
    const { users, service } = setup();
    const admin = await registered(service, 'admin@example.com');
    users.roles.set(admin, ['admin']);
    await expectDomainError(service.setRoles(admin, admin, []), ConflictError, 'SELF_DEMOTION');
    expect(users.roles.get(admin)).toEqual(['admin']);
    await expect(service.setRoles(admin, admin, ['admin'])).resolves.toEqual({ userId: admin, roles: ['admin'] });
  });

  it('an unknown user: NotFound, and no user is made', async () => {
    const { users, service } = setup();
    const admin = await registered(service, 'admin@example.com');
    await expectDomainError(service.setRoles(admin, 'b3c1d2e4-0000-4000-8000-000000000000', ['admin']), NotFoundError, 'NOT_FOUND');
    expect(users.roles.size).toBe(0);
  });
});

describe('UserService.changeRole (an operator’s grant, by email)', () => {
  it('grants a role to the user with the email (any case), then says so again without a change', async () => {
    const { users, service } = setup();
    const { userId } = await service.register({ email: 'ada@example.com', name: 'Ada', pwd: 'secret-password' }, 'c');
    await expect(service.changeRole(' ADA@example.com ', 'admin', 'grant')).resolves.toEqual({
      userId,
      email: 'ada@example.com',
      roles: ['admin'],
      changed: true,
    });
    expect(users.roles.get(userId)).toEqual(['admin']);
    await expect(service.changeRole('ada@example.com', 'admin', 'grant')).resolves.toMatchObject({ roles: ['admin'], changed: false });
  });

  it('revokes a role, and a revocation of a role the user lacks changes nothing', async () => {
    const { users, service } = setup();
    const { userId } = await service.register({ email: 'ada@example.com', name: 'Ada', pwd: 'secret-password' }, 'c');
    users.roles.set(userId, ['admin']);
    await expect(service.changeRole('ada@example.com', 'admin', 'revoke')).resolves.toMatchObject({ roles: [], changed: true });
    expect(users.roles.get(userId)).toEqual([]);
    await expect(service.changeRole('ada@example.com', 'admin', 'revoke')).resolves.toMatchObject({ roles: [], changed: false });
  });

  it('an unknown email, or one whose sign-up is still in progress: NotFound naming the email', async () => {
    const { users, service } = setup();
    await expectDomainError(service.changeRole('nobody@example.com', 'admin', 'grant'), NotFoundError, 'NOT_FOUND');
    await users.claimEmail('pending@example.com', 'b3c1d2e4-0000-4000-8000-000000000000', 'claim');
    await expect(service.changeRole('pending@example.com', 'admin', 'grant')).rejects.toThrow('No user has the email pending@example.com');
    expect(users.roles.size).toBe(0);
  });
});
