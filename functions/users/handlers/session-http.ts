import type { SessionTokens } from '../domain/sessions.js';
import { json } from '../../shared/http/handler.js';
import * as z from '../../shared/schema.js';

/**
 * The body of refresh and log-out. Any string (the body limit bounds it): a malformed token is the
 * contract's 401 INVALID_REFRESH_TOKEN, like an unknown one (the service checks the shape).
 */
export const refreshTokenBody = z.strictObject({ refreshToken: z.string() });

/** The 200 of log-in and of refresh (DESIGN.md, Sessions); as the original did, the token and user id also travel as headers. */
export const sessionResponse = ({ token, expiresIn, userId, refreshToken, refreshExpiresIn }: SessionTokens) =>
  json(200, { token, tokenType: 'Bearer', expiresIn, userId, refreshToken, refreshExpiresIn }, { token, userId });
