/**
 * The gateway's JWT check (a TOKEN authorizer, custom.authorizer in serverless.yml). Verifies the
 * bearer token (functions/users/auth/token-verifier.ts) and allows the whole stage for that caller,
 * passing the user id in the context. Any token problem is `Unauthorized` (API Gateway answers
 * 401 for exactly that message); a failure to load our own keys is thrown as itself (a 500), so
 * it is neither blamed on the caller nor cached as a denial.
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { requiredEnv } from '../../shared/config.js';
import { logger, metrics } from '../../shared/observability.js';
import { publicKeysLoader } from '../adapters/key-sources.js';
import { allowPolicy, bearerToken } from '../auth/authorizer-policy.js';
import { AccessTokenVerifier, TokenRejectedError } from '../auth/token-verifier.js';
import { tokenConfigFromEnv } from '../auth-config.js';

const config = tokenConfigFromEnv();
const verifier = new AccessTokenVerifier(publicKeysLoader(requiredEnv('JWT_PUBLIC_KEYS_SOURCE')), {
  issuer: config.issuer,
  audience: config.audience,
  maxTtlSeconds: config.ttlSeconds,
});

function reject(reason: string): never {
  // The reason is a class name, never the token or its contents.
  logger.info('token rejected', { reason });
  metrics.addMetric('tokenRejected', 'Count', 1);
  metrics.publishStoredMetrics();
  throw new Error('Unauthorized');
}

export const handler = async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const token = bearerToken(event.authorizationToken);
  if (!token) reject('not a bearer token');
  await verifier.verifierForCurrentKeys(); // key loading errors propagate (500), they are not the caller's fault
  try {
    const { sub, exp } = await verifier.verify(token);
    return allowPolicy(sub, event.methodArn, exp);
  } catch (error) {
    if (error instanceof TokenRejectedError) reject(error.message);
    throw error;
  }
};
