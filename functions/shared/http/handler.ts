// The one way to build an HTTP handler: parse and validate, call the domain, shape the response.
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from '../schema.js';
import { correlationId, errorResponse, jsonBody, responseMetrics, type CorrelatedContext } from './middleware.js';
import { parseOrThrow } from './validation.js';
import { lambdaHandler, logger } from '../observability.js';
import { forbidden, unauthorized } from './errors.js';
import { accessTokenVerifierFromEnv, bearerToken, TokenRejectedError, type AccessTokenVerifier } from '../auth/access-token-verifier.js';

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
  /**
   * `required`: the route is behind the token check, and the request has no caller (401) unless it
   * passed. Which check runs is the stage's AUTHORIZER_MODE: `gateway` (the Lambda authorizer ran;
   * its context names the caller) or `function` (a gateway that cannot run authorizers, e.g.
   * LocalStack community: the same verifier runs here, on the Authorization header).
   */
  auth?: 'required';
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

export type AuthorizerMode = 'gateway' | 'function';

/** The stage's mode; anything but `function` reads the gateway's context (and without one, nobody is a caller). */
export function authorizerMode(env: NodeJS.ProcessEnv = process.env): AuthorizerMode {
  return env.AUTHORIZER_MODE === 'function' ? 'function' : 'gateway';
}

/** In-function mode: the caller of a valid bearer token, else undefined (the request's context is never read). */
export function verifiedCallerId(event: APIGatewayProxyEvent, verifier: AccessTokenVerifier): string | undefined {
  const token = bearerToken(event.headers?.authorization ?? event.headers?.Authorization);
  if (!token) return undefined;
  try {
    return verifier.verify(token).sub;
  } catch (error) {
    if (!(error instanceof TokenRejectedError)) throw error;
    logger.info('token rejected', { reason: error.message });
    return undefined;
  }
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
  env: NodeJS.ProcessEnv = process.env,
) {
  // Built at INIT, so a stage without keys fails at once rather than answering 401 to everyone.
  const verifier = options.auth === 'required' && authorizerMode(env) === 'function' ? accessTokenVerifierFromEnv(env) : undefined;
  const callers = new WeakMap<APIGatewayProxyEvent, string | undefined>();

  const base = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const correlation = (context as CorrelatedContext).correlationId ?? context.awsRequestId;
    const request: HttpRequest<TBody, TPath, TQuery> = {
      body: (options.body ? parseOrThrow(options.body, event.body, 'request body') : undefined) as TBody,
      path: (options.path ? parseOrThrow(options.path, event.pathParameters ?? {}, 'path') : {}) as TPath,
      query: (options.query ? parseOrThrow(options.query, event.queryStringParameters ?? {}, 'query') : {}) as TQuery,
      headers: event.headers ?? {},
      correlationId: correlation,
      callerId: callers.get(event),
    };
    return options.handle(request);
  };

  const chain = lambdaHandler(base)
    .use(httpHeaderNormalizer())
    .use(responseMetrics())
    .use(correlationId())
    .use(httpSecurityHeaders())
    .use({
      // Before the body is read: an unauthenticated caller learns nothing, not even a 400 or 415.
      before: ({ event }: { event: APIGatewayProxyEvent }) => {
        const callerId = verifier ? verifiedCallerId(event, verifier) : callerIdOf(event);
        if (options.auth === 'required' && !callerId) throw unauthorized();
        callers.set(event, callerId);
      },
    });
  if (options.body) chain.use(jsonBody({ maxBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES }));
  return chain.use(errorResponse());
}
