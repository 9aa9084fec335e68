// The access-token issuer of log-in and refresh (functions/users/wiring.ts says how it is laid out).
import { tokenConfigFromEnv } from '../../shared/auth/access-token-verifier.js';
import { requiredEnv } from '../../shared/config.js';
import { signingKeysLoader } from '../adapters/key-sources.js';
import { RsaTokenIssuer } from '../auth/token-issuer.js';

/** Signs with the current key of JWT_SIGNING_KEYS_SOURCE (file: locally, ssm: on AWS and LocalStack). */
export const accessTokenIssuer = () => new RsaTokenIssuer(signingKeysLoader(requiredEnv('JWT_SIGNING_KEYS_SOURCE')), tokenConfigFromEnv());
