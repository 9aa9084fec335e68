/**
 * The users context's composition root: one builder per use case, each making (once per function
 * instance, on first use) only what that use case calls. One module per function under wiring/, and each
 * handler imports its own, so a function's bundle holds, and evaluates at INIT, only what it uses:
 * tree-shaking alone cannot drop a module with work at import (the events' contracts build every event's
 * schema; a CommonJS package such as opossum is kept whole), nor one side of a choice made at run time.
 *   wiring/shared.ts               the users table, the sessions table and what every session service has
 *   wiring/sign-up.ts              POST /users: password hashing
 *   wiring/login.ts                POST /login: password hashing, the log-in limits, the token issuer, the users' roles
 *   wiring/refresh-token.ts        POST /token/refresh: the token issuer, the users' roles
 *   wiring/token-issuer.ts         the signing keys (SSM or the local file) and the issuer, for those two
 *   wiring/sign-out.ts             POST /logout and POST /users/{userId}/sessions/revoke: no signing keys
 *   wiring/list-users.ts           GET /users
 *   wiring/get-user.ts             GET /users/{userId}: the orders query (Lambda) behind a circuit breaker
 *   wiring/set-user-roles.ts       PUT /users/{userId}/roles: the users table (an admin sets a user's roles)
 *   wiring/publish-user-events.ts  the users table's outbox: UserRegistered
 * This module lists them all, for tests and readers; no handler imports it.
 */
export { userWithOrdersService } from './wiring/get-user.js';
export { listUsersService } from './wiring/list-users.js';
export { loginService } from './wiring/login.js';
export { userRegisteredOf } from './wiring/publish-user-events.js';
export { refreshService } from './wiring/refresh-token.js';
export { setUserRolesService } from './wiring/set-user-roles.js';
export { sessionParts, sessionsTable, userRoles, usersRepository } from './wiring/shared.js';
export { signOutService } from './wiring/sign-out.js';
export { signUpService } from './wiring/sign-up.js';
export { accessTokenIssuer } from './wiring/token-issuer.js';
