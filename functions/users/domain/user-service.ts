import { randomUUID } from 'node:crypto';
import { normalizeRoles, type Role } from '../../shared/auth/roles.js';
import { ConflictError, InvalidCredentialsError, NotFoundError } from '../../shared/domain-errors.js';
import type { Page } from '../../shared/pagination.js';
import type { PasswordHasher } from '../auth/password-hasher.js';
import type { LoginAttemptGuard } from './login-attempts.js';
import type { SessionService, SessionTokens } from './sessions.js';
import { normalizeEmail, type User, type UserOrders, type UserRepository, type UserSummary, type UserOrder } from './user.js';

/**
 * What the service works with. Each function wires only the parts its use case calls (the handlers'
 * `create*Handler` defaults), so no function bundles or builds a client it does not use.
 */
export interface UserServiceParts {
  users: UserRepository;
  passwords?: PasswordHasher;
  /** Log-in opens a session (an access token and a refresh token). */
  sessions?: Pick<SessionService, 'open'>;
  /** Log-in's brute-force limits. */
  attempts?: LoginAttemptGuard;
  orders?: UserOrders;
  now?: () => Date;
  onRehashFailure?: (error: unknown) => void;
}

export class UserService {
  private readonly users: UserRepository;
  private readonly now: () => Date;

  constructor(private readonly parts: UserServiceParts) {
    this.users = parts.users;
    this.now = parts.now ?? (() => new Date());
  }

  private get hasher(): PasswordHasher {
    return wired(this.parts.passwords, 'passwords');
  }

  /**
   * Signs a user up. The email is claimed first (a conditional write), so of any number of concurrent
   * sign-ups with one email exactly one goes on, and the others get a conflict without paying for a hash.
   * The claim and the user are then completed in one transaction. `UserRegistered` is the outbox's
   * (README, "Orders and the stock saga"), not published here.
   */
  async register(input: { email: string; name: string; pwd: string }, correlationId: string): Promise<User> {
    const email = normalizeEmail(input.email);
    const user: User = {
      userId: randomUUID(),
      email,
      name: input.name,
      createdAt: this.now().toISOString(),
    };
    const claimId = randomUUID();
    if (!(await this.users.claimEmail(email, user.userId, claimId, SIGN_UP_CLAIM_SECONDS))) throw emailTaken();
    try {
      const passwordHash = await this.hasher.hash(input.pwd);
      if (!(await this.users.completeRegistration(user, passwordHash, claimId, correlationId))) throw emailTaken();
      return user;
    } catch (error) {
      await this.users.releaseClaim(email, claimId).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Checks the password (at the same cost whether or not the email exists) and opens a session. Within
   * the brute-force limits only: past them, TooManyAttemptsError and no hash is computed.
   */
  async login(input: { email: string; password: string }, sourceAddress?: string): Promise<SessionTokens> {
    const email = normalizeEmail(input.email);
    const userId = await wired(this.parts.attempts, 'attempts').guard({ email, sourceAddress }, async () => {
      const matched = await this.checkPassword(email, input.password);
      return { succeeded: matched !== undefined, result: matched };
    });
    if (userId === undefined) throw new InvalidCredentialsError();
    return wired(this.parts.sessions, 'sessions').open(userId);
  }

  /** The user id when the password is right, else undefined. */
  private async checkPassword(email: string, password: string): Promise<string | undefined> {
    const credential = await this.users.findCredential(email);
    if (!credential) {
      await this.hasher.verifyWithoutHash(password);
      return undefined;
    }
    if (!(await this.hasher.verify(password, credential.passwordHash))) return undefined;
    if (this.hasher.needsRehash(credential.passwordHash)) {
      try {
        await this.users.replacePasswordHash(email, credential.passwordHash, await this.hasher.hash(password));
      } catch (error) {
        this.parts.onRehashFailure?.(error); // the log-in still succeeds; the next one tries again
      }
    }
    return credential.userId;
  }

  listUsers(limit: number, nextToken?: string): Promise<Page<UserSummary>> {
    return this.users.listUsers(limit, nextToken);
  }

  /** The caller's own user with their orders (as far as the orders context can tell right now). */
  async getUserWithOrders(userId: string): Promise<User & { orders: UserOrder[]; ordersAvailable: boolean }> {
    const user = await this.users.getUser(userId);
    if (!user) throw new NotFoundError(`User ${userId} not found`);
    const { orders, available } = await wired(this.parts.orders, 'orders').ordersOf(userId);
    return { ...user, orders, ordersAvailable: available };
  }

  /**
   * `PUT /users/{userId}/roles` (the route lets admins only): replaces the user's roles. An admin cannot take
   * `admin` away from themself (SELF_DEMOTION), so the last admin cannot lock everyone out by a slip; another
   * admin, or an operator's grant, can. The change reaches the user's tokens at their next log-in or refresh.
   */
  async setRoles(callerId: string, userId: string, roles: readonly Role[]): Promise<UserRoleList> {
    const next = normalizeRoles(roles);
    if (userId === callerId && !next.includes('admin'))
      throw new ConflictError('SELF_DEMOTION', 'An admin cannot take the role admin away from themself');
    if (!(await this.users.setRoles(userId, next))) throw userNotFound(userId);
    return { userId, roles: next };
  }

  /**
   * An operator's grant or revocation of one role (functions/users/scripts/grant-role.ts), for the user with
   * this email: the user's other roles stay. `changed` is false when the user already had (or lacked) it.
   */
  async changeRole(email: string, role: Role, change: 'grant' | 'revoke'): Promise<UserRoleList & { email: string; changed: boolean }> {
    const normalized = normalizeEmail(email);
    const userId = await this.users.findUserIdByEmail(normalized);
    if (userId === undefined) throw new NotFoundError(`No user has the email ${normalized}`);
    const stored = await this.users.findRoles(userId);
    if (stored === undefined) throw userNotFound(userId);
    const current = normalizeRoles(stored);
    const next = normalizeRoles(change === 'grant' ? [...current, role] : current.filter((held) => held !== role));
    const changed = next.join() !== current.join();
    if (changed && !(await this.users.setRoles(userId, next))) throw userNotFound(userId);
    return { userId, email: normalized, roles: next, changed };
  }
}

/** A user's roles, as `PUT /users/{userId}/roles` answers them. */
export interface UserRoleList {
  userId: string;
  roles: Role[];
}

const userNotFound = (userId: string) => new NotFoundError(`User ${userId} not found`);

/** How long an unfinished sign-up holds its email (a sign-up takes about a second; Lambda stops it at 10 s). */
export const SIGN_UP_CLAIM_SECONDS = 60;

/** A use case called in a function that was not wired for it: a wiring bug, loud at the first call. */
function wired<T>(part: T | undefined, name: string): T {
  if (part === undefined) throw new Error(`UserService: '${name}' is not wired in this function`);
  return part;
}

const emailTaken = () => new ConflictError('EMAIL_TAKEN', 'A user with this email already exists');
