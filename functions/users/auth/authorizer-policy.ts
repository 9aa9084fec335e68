/** Pure part of the Lambda authorizer: the policy it returns. */
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { encodeRoles, type Role } from '../../shared/auth/roles.js';

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

export function allowPolicy(
  userId: string,
  methodArn: string,
  tokenExpiresAt: number,
  roles: readonly Role[] = [],
): APIGatewayAuthorizerResult {
  return {
    principalId: userId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'execute-api:Invoke',
          Effect: 'Allow',
          Resource: stageWideResource(methodArn),
        },
      ],
    },
    // Handlers read the caller from here only (functions/shared/http/caller.ts callerIdOf).
    // Context values are strings, numbers or booleans only: the roles travel comma-separated (encodeRoles).
    context: { userId, tokenExpiresAt, roles: encodeRoles(roles) },
  };
}
