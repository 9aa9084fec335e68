// POST /logout (functions/users/routes.ts lists the routes).
import { defineRoute } from '../../shared/http/route.js';
import { refreshTokenBody, TAG } from './common.js';

export const logout = defineRoute({
  method: 'POST',
  path: '/logout',
  tag: TAG,
  summary: "End the refresh token's session (access tokens live until they expire)",
  request: { auth: 'required', body: refreshTokenBody },
  responses: { 204: { description: 'The session is ended', body: null } },
  errors: { 401: 'UNAUTHORIZED (no valid bearer) or INVALID_REFRESH_TOKEN', 403: "FORBIDDEN: another user's refresh token" },
});
