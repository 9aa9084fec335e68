/**
 * The users context's HTTP routes (docs/http-api.md, "Where the contract is"; functions/users/README.md, "Sessions"): what each accepts and answers,
 * one module per route under routes/, so each function's bundle builds only its own route's schemas at INIT
 * (a users function used to build every users route's, about 2 ms). The export names are the operation ids
 * (functions/platform/api-description.ts reads this module); handlers import their own route's module.
 */
export { getUser } from './routes/get-user.js';
export { jwks } from './routes/jwks.js';
export { listUsers } from './routes/list-users.js';
export { login } from './routes/login.js';
export { logout } from './routes/logout.js';
export { refreshToken } from './routes/refresh-token.js';
export { revokeSessions } from './routes/revoke-sessions.js';
export { setUserRoles } from './routes/set-user-roles.js';
export { signUp } from './routes/sign-up.js';
