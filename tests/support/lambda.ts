// Lambda inputs for in-process handler tests: a context and API Gateway (REST, proxy) events.
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

export const lambdaContext = {
  functionName: 'test',
  functionVersion: '1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
  memoryLimitInMB: '128',
  awsRequestId: 'req-1',
  logGroupName: 'g',
  logStreamName: 's',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 1000,
} as unknown as Context;

/** A proxy event; `body` objects are sent as JSON with a JSON content type. */
export function apiEvent(overrides: Omit<Partial<APIGatewayProxyEvent>, 'body'> & { body?: unknown } = {}): APIGatewayProxyEvent {
  const { body, headers, ...rest } = overrides;
  const text = body === undefined || body === null ? null : typeof body === 'string' ? body : JSON.stringify(body);
  return {
    httpMethod: 'GET',
    path: '/',
    resource: '/',
    headers: { ...(text !== null ? { 'Content-Type': 'application/json' } : {}), ...headers },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    body: text,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    ...rest,
  };
}

/** The request context the gateway's authorizer (functions/users/handlers/authorizer.ts) leaves for `userId`. */
export function authorizedBy(userId: string, roles: readonly string[] = []): Pick<APIGatewayProxyEvent, 'requestContext'> {
  return {
    requestContext: {
      // As our authorizer passes it (context values are strings): roles comma-separated, "" for none.
      authorizer: { userId, tokenExpiresAt: String(Math.floor(Date.now() / 1000) + 600), roles: roles.join(',') },
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}
