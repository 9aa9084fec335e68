// The users context's HTTP routes (DESIGN.md, HTTP API contract and Sessions): what each accepts and answers.
import { defineRoute, listOf, userIdParam } from '../shared/http/route.js';
import { pageQuerySchema } from '../shared/pagination.js';
import { orderViewSchema } from '../shared/queries/user-orders.js';
import * as z from '../shared/schema.js';
import { EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './domain/user.js';

const TAG = 'users';
/** The gateway's method throttling of the routes that hash passwords or mint tokens (serverless.yml custom.methodThrottling). */
const THROTTLED = 'THROTTLED: over the route’s rate limit at the gateway; see Retry-After';

// Control characters in a name would end up in other people's screens and logs.
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u;

const signUpBody = z.strictObject({
  email: z
    .string()
    .check(z.trim(), z.toLowerCase(), z.maxLength(EMAIL_MAX_LENGTH), z.regex(z.regexes.email, 'must be a valid email address')),
  name: z
    .string()
    .check(z.trim(), z.minLength(1), z.maxLength(NAME_MAX_LENGTH), z.regex(NO_CONTROL_CHARACTERS, 'must not contain control characters')),
  pwd: z.string().check(z.minLength(PASSWORD_MIN_LENGTH), z.maxLength(PASSWORD_MAX_LENGTH)),
});

// Only the shape is checked here: whether the email is well-formed is none of a caller's business
// (an unknown or malformed email is the same 401 as a wrong password).
const loginBody = z.strictObject({
  email: z.string().check(z.minLength(1), z.maxLength(320)),
  password: z.string().check(z.minLength(1), z.maxLength(1024)),
});

/**
 * The body of refresh and log-out. Any string (the body limit bounds it): a malformed token is the
 * contract's 401 INVALID_REFRESH_TOKEN, like an unknown one (the service checks the shape).
 */
const refreshTokenBody = z.strictObject({ refreshToken: z.string() });

const sessionBody = z.object({
  token: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.int(),
  userId: z.string(),
  refreshToken: z.string(),
  refreshExpiresIn: z.int(),
});
const sessionHeaders = { token: 'The access token again (as the original did)', userId: 'The user id again' };

const userSummary = z.object({ userId: z.string(), name: z.string() });

export const signUp = defineRoute({
  method: 'POST',
  path: '/users',
  tag: TAG,
  summary: 'Sign up',
  description: 'The email is stored trimmed and lower-cased and is unique case-insensitively. The password is never returned.',
  request: { body: signUpBody },
  responses: {
    201: {
      description: 'The new user',
      body: z.object({ userId: z.string(), email: z.string(), name: z.string() }),
      headers: { location: 'The user' },
    },
  },
  errors: { 409: 'EMAIL_TAKEN: a user with this email exists', 429: THROTTLED },
});

export const login = defineRoute({
  method: 'POST',
  path: '/login',
  tag: TAG,
  summary: 'Log in: an access token (15 minutes) and a refresh token',
  request: { body: loginBody },
  responses: { 200: { description: 'A new session', body: sessionBody, headers: sessionHeaders } },
  errors: {
    401: 'INVALID_CREDENTIALS: wrong email or password (one answer for both)',
    429: `TOO_MANY_ATTEMPTS: too many failed log-ins for this email or from this address; or ${THROTTLED}`,
  },
});

export const refreshToken = defineRoute({
  method: 'POST',
  path: '/token/refresh',
  tag: TAG,
  summary: 'Trade a refresh token for a new pair (the presented one is spent)',
  description: 'Presenting a spent refresh token again revokes every token descended from the same log-in.',
  request: { body: refreshTokenBody },
  responses: { 200: { description: 'The next tokens of the session', body: sessionBody, headers: sessionHeaders } },
  errors: { 401: 'INVALID_REFRESH_TOKEN: spent, revoked, expired, unknown or malformed', 429: THROTTLED },
});

export const logout = defineRoute({
  method: 'POST',
  path: '/logout',
  tag: TAG,
  summary: "End the refresh token's session (access tokens live until they expire)",
  request: { auth: 'required', body: refreshTokenBody },
  responses: { 204: { description: 'The session is ended', body: null } },
  errors: { 401: 'UNAUTHORIZED (no valid bearer) or INVALID_REFRESH_TOKEN', 403: "FORBIDDEN: another user's refresh token" },
});

export const revokeSessions = defineRoute({
  method: 'POST',
  path: '/users/{userId}/sessions/revoke',
  tag: TAG,
  summary: 'End every session of the user',
  request: { auth: 'required', path: z.object({ userId: userIdParam }) },
  responses: { 204: { description: 'Every session is ended', body: null } },
  errors: { 403: 'FORBIDDEN: not your user' },
});

export const listUsers = defineRoute({
  method: 'GET',
  path: '/users',
  tag: TAG,
  summary: 'List users (ids and names only)',
  request: { auth: 'required', query: pageQuerySchema },
  responses: { 200: { description: 'A page of users', body: listOf(userSummary) } },
});

export const getUser = defineRoute({
  method: 'GET',
  path: '/users/{userId}',
  tag: TAG,
  summary: 'Your user, with your orders',
  description:
    'Orders come from the orders context behind a circuit breaker: when it cannot answer, `orders` is empty and `ordersAvailable` false.',
  // Deliberately loose: any id that is not the caller's is a 403, malformed or not.
  request: { auth: 'required', path: z.object({ userId: z.string().check(z.minLength(1), z.maxLength(256)) }) },
  responses: {
    200: {
      description: 'The user',
      body: z.object({
        userId: z.string(),
        email: z.string(),
        name: z.string(),
        orders: z.array(orderViewSchema),
        ordersAvailable: z.boolean(),
      }),
    },
  },
  errors: { 403: 'FORBIDDEN: not your user', 404: 'NOT_FOUND' },
});

export const jwks = defineRoute({
  method: 'GET',
  path: '/.well-known/jwks.json',
  tag: TAG,
  summary: 'The public keys that verify access tokens',
  request: {},
  responses: {
    200: {
      description: 'A JWK set (RS256 keys, each with its kid)',
      body: z.object({ keys: z.array(z.looseObject({ kty: z.literal('RSA'), kid: z.string(), n: z.string(), e: z.string() })) }),
    },
  },
});
