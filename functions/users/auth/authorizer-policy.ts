/** Pure parts of the Lambda authorizer: reading the bearer token and shaping the policy. */
import type { APIGatewayAuthorizerResult } from 'aws-lambda';

// RFC 6750: `Bearer` (any case), one space, a compact JWS (three base64url parts). Bounded length.
const BEARER = /^Bearer ([A-Za-z0-9_-]{1,2048}\.[A-Za-z0-9_-]{1,4096}\.[A-Za-z0-9_-]{1,1024})$/i;

export function bearerToken(authorization: string | undefined): string | undefined {
  if (typeof authorization !== 'string') return undefined;
  return BEARER.exec(authorization)?.[1];
}

/**
 * API Gateway caches the decision per token for the whole API, so the Allow must cover every route
 * of the stage, not just the one in this request's methodArn:
 * arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<method>/<path> -> .../<apiId>/<stage>/*\/*
 */
export function stageWideResource(methodArn: string): string {
  const match = /^(arn:[^:]+:execute-api:[^:]+:[^:]+:[^/]+)\/([^/]+)\//.exec(methodArn);
  if (!match) throw new Error('methodArn is not an execute-api ARN');
  return `${match[1]}/${match[2]}/*/*`;
}

export function allowPolicy(userId: string, methodArn: string, tokenExpiresAt: number): APIGatewayAuthorizerResult {
  return {
    principalId: userId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWideResource(methodArn) }],
    },
    // Handlers read the caller from here only (functions/shared/http/handler.ts callerIdOf).
    context: { userId, tokenExpiresAt },
  };
}
