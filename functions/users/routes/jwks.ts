// GET /.well-known/jwks.json (functions/users/routes.ts lists the routes).
import { defineRoute } from '../../shared/http/route.js';
import * as z from '../../shared/schema.js';
import { TAG } from './common.js';

export const jwks = defineRoute({
  method: 'GET',
  path: '/.well-known/jwks.json',
  tag: TAG,
  summary: 'The public keys that verify access tokens',
  request: {},
  responses: {
    200: {
      description: 'A JWK set (RS256 keys, each with its kid)',
      body: z.object({ keys: z.array(z.looseObject({ kty: z.literal('RSA'), kid: z.string(), n: z.string(), e: z.string() })) }),
    },
  },
});
