// Token settings shared by the log-in function (issues) and the authorizer (verifies): serverless.yml params.
import { requiredEnv } from '../shared/config.js';
import type { TokenConfig } from './auth/token-issuer.js';

export function tokenConfigFromEnv(): TokenConfig {
  const ttlSeconds = Number(requiredEnv('JWT_TTL_SECONDS'));
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > 86_400) {
    throw new Error('JWT_TTL_SECONDS must be an integer between 60 and 86400');
  }
  return { issuer: requiredEnv('JWT_ISSUER'), audience: requiredEnv('JWT_AUDIENCE'), ttlSeconds };
}
