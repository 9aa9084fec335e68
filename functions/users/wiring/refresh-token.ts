// POST /token/refresh's wiring (functions/users/wiring.ts says how it is laid out).
import { SessionService } from '../domain/sessions.js';
import { sessionParts, userRoles } from './shared.js';
import { accessTokenIssuer } from './token-issuer.js';

let refresh: SessionService | undefined;
/**
 * Spends a refresh token for a new pair: signs access tokens, so it has the signing keys, and reads the user's
 * roles again from the users table (a change reaches the session at its next refresh).
 */
export const refreshService = () =>
  (refresh ??= new SessionService({ ...sessionParts(), tokens: accessTokenIssuer(), roles: userRoles() }));
