/** The users context's model and rules. No AWS imports here: repositories are ports, adapters implement them. */
import type { Role } from '../../shared/auth/roles.js';
import type { Page } from '../../shared/pagination.js';
import type { OrderViewData } from '../../shared/queries/user-orders.js';

export interface User {
  userId: string;
  /** Lower-cased and trimmed: the unique, case-insensitive login name. */
  email: string;
  name: string;
  createdAt: string;
}

/** What `GET /users` shows about anyone: no email, nothing about credentials. */
export type UserSummary = Pick<User, 'userId' | 'name'>;

export const EMAIL_MAX_LENGTH = 254;
export const NAME_MAX_LENGTH = 50;
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
export const USER_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Emails are unique case-insensitively: the whole address is trimmed and lower-cased before use. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface UserRepository {
  /**
   * Claims the (normalised) email for a sign-up in progress: true for exactly one of any number of
   * concurrent callers; false when the email belongs to a user or to another sign-up in progress.
   * A claim that is never completed lapses after `ttlSeconds` (the sign-up died half-way).
   */
  claimEmail(email: string, userId: string, claimId: string, ttlSeconds: number): Promise<boolean>;
  /** Stores the user and turns the claim into its credential, in one transaction; false if the claim lapsed. */
  completeRegistration(user: User, passwordHash: string, claimId: string, correlationId: string): Promise<boolean>;
  /** Gives a claim back after a failed sign-up (only if it is still this claim). */
  releaseClaim(email: string, claimId: string): Promise<void>;
  /** The credential for a (normalised) email, for log-in only; none while a sign-up is in progress. */
  findCredential(email: string): Promise<{ userId: string; passwordHash: string } | undefined>;
  /** Replaces the hash only if it is still `previousHash` (a concurrent change wins). */
  replacePasswordHash(email: string, previousHash: string, newHash: string): Promise<void>;
  getUser(userId: string): Promise<User | undefined>;
  /** `nextToken` from the page before (InvalidPageTokenError if it is not one). */
  listUsers(limit: number, nextToken?: string): Promise<Page<UserSummary>>;
  /** The user's roles (none stored: `[]`); undefined when there is no such user. */
  findRoles(userId: string): Promise<Role[] | undefined>;
  /** Replaces the user's roles, only if the user exists: false when there is no such user. */
  setRoles(userId: string, roles: readonly Role[]): Promise<boolean>;
  /** The id of the user a (normalised) email belongs to; undefined while a sign-up is in progress or for nobody. */
  findUserIdByEmail(email: string): Promise<string | undefined>;
}

/** What log-in and refresh read to put the user's roles in the access token (functions/users/README.md, "User roles"). */
export type UserRoles = Pick<UserRepository, 'findRoles'>;

/** An order of the user, as the orders context shows it (functions/shared/queries/user-orders.ts). */
export type UserOrder = OrderViewData;

/** The user's orders as another context reports them; `available: false` when it could not. */
export interface UserOrders {
  ordersOf(userId: string): Promise<{ orders: UserOrder[]; available: boolean }>;
}
