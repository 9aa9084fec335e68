import { publicJwksFromEnv } from '../../shared/auth/jwks.js';
import { httpHandler, json } from '../../shared/http/handler.js';

const jwks = publicJwksFromEnv();

/** The public keys (current, next and still-trusted previous ones), each with kid, alg RS256, use sig. */
export const handler = httpHandler({
  handle: async () => json(200, jwks, { 'cache-control': 'public, max-age=300' }),
});
