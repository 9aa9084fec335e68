/**
 * The gateway's JWT check (a TOKEN authorizer, custom.authorizers.gateway in serverless.yml). Verifies
 * the bearer token with the JWKS given at deploy time (no SDK, no network) and allows the whole stage
 * for that caller, passing the user id in the context. Any token problem is `Unauthorized` (API
 * Gateway answers 401 for exactly that message); missing or broken keys fail at INIT (a 500), so
 * they are neither blamed on the caller nor cached as a denial.
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { accessTokenVerifierFromEnv, bearerToken, TokenRejectedError } from '../../shared/auth/access-token-verifier.js';
import { lambdaHandler, logger, metrics } from '../../shared/observability.js';
import { allowPolicy } from '../auth/authorizer-policy.js';

const verifier = accessTokenVerifierFromEnv();

function reject(reason: string): never {
  // The reason is a class name, never the token or its contents.
  logger.info('token rejected', { reason });
  metrics.addMetric('tokenRejected', 'Count', 1);
  throw new Error('Unauthorized');
}

export const handler = lambdaHandler(async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const token = bearerToken(event.authorizationToken);
  if (!token) reject('not a bearer token');
  try {
    const { sub, exp, roles } = verifier.verify(token);
    return allowPolicy(sub, event.methodArn, exp, roles);
  } catch (error) {
    if (error instanceof TokenRejectedError) reject(error.message);
    throw error;
  }
});
