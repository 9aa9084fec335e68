// The one way to build an HTTP handler: parse and validate, call the domain, shape the response.
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from '../schema.js';
import { correlationId, errorResponse, jsonBody, responseMetrics, type CorrelatedContext } from './middleware.js';
import { parseOrThrow } from './validation.js';
import { logger, metrics } from '../observability.js';
import { forbidden, unauthorized } from './errors.js';

export interface HttpRequest<TBody, TPath, TQuery> {
  body: TBody;
  path: TPath;
  query: TQuery;
  headers: Record<string, string | undefined>;
  correlationId: string;
  /** The caller's user id, set by our authorizer (only on routes behind it). */
  callerId: string | undefined;
}

export interface HttpHandlerOptions<TBody, TPath, TQuery> {
  /** When given, the route requires a JSON body that must match this (strict) schema. */
  body?: z.ZodMiniType<TBody>;
  path?: z.ZodMiniType<TPath>;
  query?: z.ZodMiniType<TQuery>;
  /** Upper bound for the JSON body; larger bodies get 413. */
  maxBodyBytes?: number;
  handle: (request: HttpRequest<TBody, TPath, TQuery>) => Promise<APIGatewayProxyResult>;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

/**
 * Reads our own authorizer context keys only: serverless-offline adds unverified claims beside them.
 * API Gateway caches an authorizer decision per token (custom.authorizer.resultTtlInSeconds), so a
 * cached Allow could outlive the token; the authorizer passes the token's expiry (`tokenExpiresAt`,
 * epoch seconds) and an expired one counts as no caller.
 */
export function callerIdOf(event: APIGatewayProxyEvent): string | undefined {
  const authorizer = event.requestContext?.authorizer;
  const value: unknown = authorizer?.userId;
  if (typeof value !== 'string' || value === '') return undefined;
  const expiresAt: unknown = authorizer?.tokenExpiresAt;
  if (expiresAt !== undefined && !(Number(expiresAt) * 1000 > Date.now())) return undefined;
  return value;
}

export function requireCaller<T extends { callerId: string | undefined }>(request: T): string {
  if (!request.callerId) throw unauthorized();
  return request.callerId;
}

/** For `{userId}` routes: the caller, who must be that user; 403 otherwise (whether or not the user exists). */
export function requireSelf<T extends { callerId: string | undefined }>(request: T, userId: string): string {
  const caller = requireCaller(request);
  if (userId !== caller) throw forbidden('You may only access your own user');
  return caller;
}

export function httpHandler<TBody = undefined, TPath = Record<string, never>, TQuery = Record<string, never>>(
  options: HttpHandlerOptions<TBody, TPath, TQuery>,
) {
  const base = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const correlation = (context as CorrelatedContext).correlationId ?? context.awsRequestId;
    const request: HttpRequest<TBody, TPath, TQuery> = {
      body: (options.body ? parseOrThrow(options.body, event.body, 'request body') : undefined) as TBody,
      path: (options.path ? parseOrThrow(options.path, event.pathParameters ?? {}, 'path') : {}) as TPath,
      query: (options.query ? parseOrThrow(options.query, event.queryStringParameters ?? {}, 'query') : {}) as TQuery,
      headers: event.headers ?? {},
      correlationId: correlation,
      callerId: callerIdOf(event),
    };
    return options.handle(request);
  };

  const chain = middy<APIGatewayProxyEvent, APIGatewayProxyResult>(base)
    .use(httpHeaderNormalizer())
    // Never log whole events (whatever POWERTOOLS_LOGGER_LOG_EVENT says): they carry passwords
    // (POST /users, /login) and bearer tokens.
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(responseMetrics())
    .use(correlationId())
    .use(httpSecurityHeaders());
  if (options.body) chain.use(jsonBody({ maxBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES }));
  return chain.use(errorResponse());
}
