// POST /users/{userId}/sessions/revoke (functions/users/routes.ts lists the routes).
import { defineRoute, userIdParam } from '../../shared/http/route.js';
import * as z from '../../shared/schema.js';
import { TAG } from './common.js';

export const revokeSessions = defineRoute({
  method: 'POST',
  path: '/users/{userId}/sessions/revoke',
  tag: TAG,
  summary: 'End every session of the user',
  request: { auth: 'required', path: z.object({ userId: userIdParam }) },
  responses: { 204: { description: 'Every session is ended', body: null } },
  errors: { 403: 'FORBIDDEN: not your user' },
});
