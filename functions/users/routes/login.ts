// POST /login (functions/users/routes.ts lists the routes).
import { defineRoute } from '../../shared/http/route.js';
import * as z from '../../shared/schema.js';
import { sessionBody, sessionHeaders, TAG, THROTTLED } from './common.js';

// Only the shape is checked here: whether the email is well-formed is none of a caller's business
// (an unknown or malformed email is the same 401 as a wrong password).
const loginBody = z.strictObject({
  email: z.string().check(z.minLength(1), z.maxLength(320)),
  password: z.string().check(z.minLength(1), z.maxLength(1024)),
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
