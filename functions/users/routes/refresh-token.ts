// POST /token/refresh (functions/users/routes.ts lists the routes).
import { defineRoute } from '../../shared/http/route.js';
import { refreshTokenBody, sessionBody, sessionHeaders, TAG, THROTTLED } from './common.js';

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
