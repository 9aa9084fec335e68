import { requiredEnv } from '../../shared/config.js';
import { httpHandler } from '../../shared/http/handler.js';
import { json } from '../../shared/http/response.js';
import { publicKeysLoader } from '../adapters/key-sources.js';

const jwks = publicKeysLoader(requiredEnv('JWT_PUBLIC_KEYS_SOURCE'));

/** The public keys (current, next and still-trusted previous ones), each with kid, alg RS256, use sig. */
export const handler = httpHandler({
  handle: async () => json(200, await jwks(), { 'cache-control': 'public, max-age=300' }),
});
