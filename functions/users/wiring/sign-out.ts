// POST /logout's and POST /users/{userId}/sessions/revoke's wiring (functions/users/wiring.ts says how it is laid out).
import { SessionService } from '../domain/sessions.js';
import { sessionParts } from './shared.js';

let signOut: SessionService | undefined;
/** No access tokens signed, so no signing keys. */
export const signOutService = () => (signOut ??= new SessionService(sessionParts()));
