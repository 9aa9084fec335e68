// The one way to build an HTTP handler: parse and validate, call the domain, shape the response; and the middy stack it runs.
import { randomUUID } from 'node:crypto';
import type middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { accessTokenVerifierFromEnv, bearerToken, TokenRejectedError, type AccessTokenVerifier } from '../auth/access-token-verifier.js';
import { lambdaHandler, logger, metrics } from '../observability.js';
import type { Page } from '../pagination.js';
import * as z from '../schema.js';
import { callerOf, type Caller } from './caller.js';
import type { Role } from '../auth/roles.js';
import { corsAllowedOrigins } from './cors.js';
import { forbidden, HttpError, httpErrorOf, unauthorized } from './errors.js';
import { parseOrThrow } from './validation.js';

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

/** The list routes' 200: `{"items", "nextToken"?}`, each item as `view` shows it; nextToken exactly when there is a next page. */
export function listResponse<T>(page: Page<T>, view: (item: T) => unknown = (item) => item): APIGatewayProxyResult {
  const items = page.items.map(view);
  return json(200, page.nextToken ? { items, nextToken: page.nextToken } : { items });
}

export interface HttpRequest<TBody, TPath, TQuery> {
  body: TBody;
  path: TPath;
  query: TQuery;
  headers: Record<string, string | undefined>;
  correlationId: string;
  /** The caller's user id, set by our authorizer (only on routes behind it). */
  callerId: string | undefined;
  /** The caller's roles, as their token carried them (none without a caller). */
  callerRoles: readonly Role[];
  /** The client's address as the gateway saw it (requestContext.identity.sourceIp). */
  sourceIp: string | undefined;
  /** Where the API's routes start as the caller reached it: `/dev/` on AWS (the stage is in the URL), `/` locally. */
  basePath: string;
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
  /** Roles the caller must all hold (with `auth: 'required'`): a valid token without one is a 403 FORBIDDEN. */
  roles?: readonly Role[];
  handle: (request: HttpRequest<TBody, TPath, TQuery>) => Promise<APIGatewayProxyResult>;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

/**
 * Where the API's routes start as the caller reached it, from the request path the gateway reports
 * (requestContext.path) and the resource path (path):
 * - AWS, `https://<api>.execute-api.<region>.amazonaws.com/dev/docs`: `/dev/docs` and `/docs`, so `/dev/`
 *   (and a custom domain's base path mapping likewise); locally (noPrependStageInUrl) both are `/docs`: `/`.
 * - LocalStack, host-style (`http://<api>.execute-api.localhost.localstack.cloud:4566/<stage>/docs`): as on AWS.
 * - LocalStack, path-style (`http://127.0.0.1:4566/_aws/execute-api/<api>/<stage>/docs`, or the older
 *   `/restapis/<api>/<stage>/_user_request_/docs`): LocalStack still reports `/<stage>/docs`, as if the host
 *   named the API (its execute-api parse.py), but here `/<stage>/...` on that host is LocalStack's S3. Such a
 *   request is known by a Host (requestContext.domainName) that does not name the API and is LocalStack's (a
 *   loopback or localstack.cloud name, or any host with a port: API Gateway's domain names have none); it gets
 *   `/_aws/execute-api/<api>/<stage>/`, which reaches the same API from either path-style URL.
 */
export function basePathOf(event: Pick<APIGatewayProxyEvent, 'path' | 'requestContext'>): string {
  const requested: string = event.requestContext?.path ?? event.path ?? '';
  const resource: string = event.path ?? '';
  const prefix = resource !== '' && requested.endsWith(resource) ? requested.slice(0, requested.length - resource.length) : '';
  const { apiId, stage, domainName = '' } = event.requestContext ?? {};
  const host = domainName.toLowerCase();
  const localStackPathStyle =
    Boolean(apiId && stage) &&
    prefix === `/${stage}` &&
    host !== '' &&
    !host.startsWith(`${apiId.toLowerCase()}.`) &&
    (/:\d+$/.test(host) || /^(?:localhost|127(?:\.\d{1,3}){3}|(?:[a-z0-9-]+\.)*localstack\.cloud)$/.test(host));
  return localStackPathStyle ? `/_aws/execute-api/${apiId}/${stage}/` : `${prefix}/`;
}

export type AuthorizerMode = 'gateway' | 'function';

/** The stage's mode; anything but `function` reads the gateway's context (and without one, nobody is a caller). */
export function authorizerMode(env: NodeJS.ProcessEnv = process.env): AuthorizerMode {
  return env.AUTHORIZER_MODE === 'function' ? 'function' : 'gateway';
}

/** In-function mode: the caller of a valid bearer token, else undefined (the request's context is never read). */
export function verifiedCaller(event: APIGatewayProxyEvent, verifier: AccessTokenVerifier): Caller | undefined {
  const token = bearerToken(event.headers?.authorization); // header names are lower-cased first (httpHeaderNormalizer)
  if (!token) return undefined;
  try {
    const { sub, roles } = verifier.verify(token);
    return { id: sub, roles };
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

export { userIdParam } from './route.js';
export { callerIdOf, callerOf } from './caller.js';

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
  // Keyed by the event, which is the invocation's own: a context object may be shared (in tests, say).
  const callers = new WeakMap<APIGatewayProxyEvent, Caller | undefined>();

  const base = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const correlation = (context as CorrelatedContext).correlationId ?? context.awsRequestId;
    const caller = callers.get(event);
    const request: HttpRequest<TBody, TPath, TQuery> = {
      body: (options.body ? parseOrThrow(options.body, event.body, 'request body') : undefined) as TBody,
      path: (options.path ? parseOrThrow(options.path, event.pathParameters ?? {}, 'path') : {}) as TPath,
      query: (options.query ? parseOrThrow(options.query, event.queryStringParameters ?? {}, 'query') : {}) as TQuery,
      headers: event.headers ?? {},
      correlationId: correlation,
      callerId: caller?.id,
      callerRoles: caller?.roles ?? [],
      sourceIp: event.requestContext?.identity?.sourceIp || undefined,
      basePath: basePathOf(event),
    };
    return options.handle(request);
  };

  const chain = lambdaHandler(base)
    .use(httpHeaderNormalizer())
    .use(responseMetrics())
    .use(correlationId())
    .use(corsAllowList(corsAllowedOrigins(env.CORS_ALLOWED_ORIGINS)))
    .use(httpSecurityHeaders())
    .use({
      // Before the body is read: an unauthenticated caller learns nothing, not even a 400 or 415.
      before: ({ event }: { event: APIGatewayProxyEvent }) => {
        const caller = verifier ? verifiedCaller(event, verifier) : callerOf(event);
        if (options.auth === 'required' && !caller) throw unauthorized();
        // A valid token without the role the route needs: 403, whichever check ran (docs/http-api.md, "Authentication").
        const missing = options.roles?.find((role) => !caller?.roles.includes(role));
        if (missing) throw forbidden(`This route needs the role ${missing}`);
        callers.set(event, caller);
      },
    });
  if (options.body) chain.use(jsonBody({ maxBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES }));
  return chain.use(errorResponse());
}

// Small middy middlewares the contract needs and no maintained package provides as-is.

type HttpMiddleware = middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;

const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type CorrelatedContext = Context & { correlationId?: string };

/** Takes `x-correlation-id` when it is well-formed (else makes one), logs with it, echoes it back. */
function correlationId(): HttpMiddleware {
  const echo: HttpMiddleware['after'] = (request) => {
    const current = (request.context as CorrelatedContext).correlationId;
    if (request.response && current) {
      request.response.headers = {
        ...request.response.headers,
        'x-correlation-id': current,
      };
    }
  };
  return {
    before: (request) => {
      const given = request.event.headers?.['x-correlation-id'];
      const current = given && SAFE_CORRELATION_ID.test(given) ? given : randomUUID();
      (request.context as CorrelatedContext).correlationId = current;
      logger.appendKeys({ correlationId: current });
    },
    after: echo,
    onError: echo,
  };
}

/**
 * CORS for an allow-list (docs/http-api.md, "CORS"): an allowed `Origin` gets itself back, on
 * answers and errors alike; any other origin gets no CORS header. No credentials: the API takes
 * bearer tokens, not cookies. The preflight is the gateway's (scripts/serverless-plugins/cors-allow-list.mjs).
 */
function corsAllowList(allowed: ReadonlySet<string>): HttpMiddleware {
  const allow: HttpMiddleware['after'] = (request) => {
    const origin = request.event.headers?.origin;
    if (!request.response || !origin || !allowed.has(origin)) return;
    request.response.headers = { ...request.response.headers, 'access-control-allow-origin': origin, vary: 'Origin' };
  };
  return { after: allow, onError: allow };
}

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;

/**
 * Parses a JSON request body. Written here rather than @middy/http-json-body-parser because the
 * contract needs 400 (not 415) for malformed JSON and 413 for an oversized body.
 */
/**
 * A request body as text. API Gateway always passes the raw text (base64 for binary); serverless-offline passes the
 * value its HTTP server already parsed when that is falsy (a `false` or `0` body), so such a value is turned back
 * into its text.
 */
export function bodyText(body: unknown, isBase64Encoded: boolean | undefined): string {
  return typeof body !== 'string' ? JSON.stringify(body) : isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
}

function jsonBody(options: { maxBytes: number }): HttpMiddleware {
  return {
    before: (request) => {
      const { headers, body, isBase64Encoded } = request.event;
      const contentType = headers?.['content-type'] ?? '';
      if (body === null || body === undefined || body === '' || !JSON_MEDIA_TYPE.test(contentType)) {
        throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be JSON (Content-Type: application/json)');
      }
      const text = bodyText(body, isBase64Encoded);
      if (Buffer.byteLength(text, 'utf8') > options.maxBytes) {
        throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${options.maxBytes} bytes`);
      }
      try {
        (request.event as { body: unknown }).body = JSON.parse(text);
      } catch {
        throw new HttpError(400, 'MALFORMED_JSON', 'Request body is not valid JSON');
      }
    },
  };
}

/** Counts responses by status class (http2xx, http4xx, http5xx), per function; the dashboard's application widget shows them. */
function responseMetrics(): HttpMiddleware {
  const count: HttpMiddleware['after'] = (request) => {
    const status = request.response?.statusCode ?? 500;
    metrics.addMetric(`http${Math.floor(status / 100)}xx`, 'Count', 1);
  };
  return { after: count, onError: count };
}

/**
 * Maps every error to the contract's `{"message","code"}`: HttpErrors keep their status, domain errors get
 * theirs (httpErrorOf); anything unexpected becomes a bare 500 (logged with its stack, never returned).
 */
function errorResponse(): HttpMiddleware {
  return {
    onError: (request) => {
      const error = httpErrorOf(request.error);
      if (error) {
        if (error.statusCode >= 500) logger.error('request failed', { error });
        else
          logger.info('request rejected', {
            statusCode: error.statusCode,
            code: error.code,
          });
        const body = error.details
          ? { message: error.message, code: error.code, details: error.details }
          : { message: error.message, code: error.code };
        request.response = json(error.statusCode, body, error.headers);
        return;
      }
      logger.error('unhandled error', { error: request.error ?? undefined });
      request.response = json(500, {
        message: 'Internal server error',
        code: 'INTERNAL_ERROR',
      });
    },
  };
}
