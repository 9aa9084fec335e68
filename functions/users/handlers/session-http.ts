import type { SessionTokens } from '../domain/sessions.js';
import { json } from '../../shared/http/handler.js';

/** The 200 of log-in and of refresh (functions/users/README.md, "Sessions"); as the original did, the token and user id also travel as headers. */
export const sessionResponse = ({ token, expiresIn, userId, roles, refreshToken, refreshExpiresIn }: SessionTokens) =>
  json(200, { token, tokenType: 'Bearer', expiresIn, userId, roles, refreshToken, refreshExpiresIn }, { token, userId });
