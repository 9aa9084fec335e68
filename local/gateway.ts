/**
 * The local API Gateway: a reverse proxy on the public HTTP port in front of serverless-offline, for the
 * API Gateway behaviours offline lacks, applied from the same compiled template AWS gets.
 * - Answers the gateway itself makes (no route, no method, an authorizer's refusal, a crash) take the
 *   template's AWS::ApiGateway::GatewayResponse resources. Offline would answer with its own bodies: a 404
 *   listing every route, Boom JSON for the authorizer, stack traces.
 * - CORS is a stage setting (CORS_ALLOWED_ORIGINS on every function), not offline's "any origin, with
 *   credentials": its access-control-* headers are dropped, ours added for an allowed origin, and
 *   preflights answered here from the template's OPTIONS (MOCK) methods, as API Gateway answers them.
 * - Lambda TOKEN authorizers run here, their policies kept per token for the template's TTL, as API Gateway
 *   does (local/token-authorizer.ts); offline is started with --noAuth and told the outcome.
 * An answer is gateway-made when it has no x-correlation-id: our functions echo one on every answer
 * (functions/shared/http/handler.ts), offline's own answers never carry one.
 * - While offline is still starting (`upstreamStarting`, until `upstreamUp()`), every request is answered 503
 *   SERVICE_UNAVAILABLE with Retry-After, and nothing is logged: a client that asks early meets no failure.
 */
import { Agent, STATUS_CODES, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { CfnTemplate } from './cloudformation.js';
import { corsAllowedOrigins } from '../functions/shared/http/cors.js';
import type { Invoker } from './sqs-poller.js';
import { invokedFunctionName, TokenAuthorizers, tokenAuthorizerOf, type TokenAuthorizer } from './token-authorizer.js';
import { gatewaySpans } from './telemetry/hooks.js';
import type { Telemetry } from './telemetry/recorder.js';

interface GatewayResponseSpec {
  statusCode?: number;
  /** ResponseTemplates['application/json'] */
  template?: string;
  /** ResponseParameters `gatewayresponse.header.<Name>` with static values. */
  headers: HeaderList;
}

interface ApiRoute {
  /** PathParts from the root: literals, `{var}` or `{var+}`. */
  parts: string[];
  methods: string[];
  /** The TOKEN authorizer of each method that has one. */
  authorizers: Record<string, TokenAuthorizer>;
  /** The function each method's integration invokes (AWS_PROXY), by its FunctionName: the traces name it. */
  functions?: Record<string, string>;
  /** The answer of the resource's OPTIONS method when API Gateway makes it (a MOCK integration): its static headers. */
  preflight?: { status: number; headers: HeaderList };
}

export interface GatewayModel {
  responses: Map<string, GatewayResponseSpec>;
  corsOrigins: string[];
  routes: ApiRoute[];
}

/** The gateway's view of the compiled template: its GatewayResponses, the stage's CORS origins, and its routes. */
export function gatewayModel(template: CfnTemplate): GatewayModel {
  const resources = template.Resources;
  const responses = new Map<string, GatewayResponseSpec>();
  const corsOrigins = new Set<string>();
  const routes = new Map<string, ApiRoute>();
  for (const resource of Object.values(resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::ApiGateway::GatewayResponse') {
      responses.set(String(props.ResponseType), {
        ...(props.StatusCode !== undefined ? { statusCode: Number(props.StatusCode) } : {}),
        template: (props.ResponseTemplates as Record<string, string> | undefined)?.['application/json'],
        headers: staticHeaders(props.ResponseParameters as Record<string, string> | undefined, 'gatewayresponse.header.'),
      });
    } else if (resource.Type === 'AWS::Lambda::Function') {
      const value = (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.CORS_ALLOWED_ORIGINS;
      if (typeof value === 'string') for (const origin of corsAllowedOrigins(value)) corsOrigins.add(origin);
    } else if (resource.Type === 'AWS::ApiGateway::Method') {
      const id = resourceIdOf(template, props.ResourceId);
      const route = routes.get(id) ?? { parts: pathPartsOf(template, id), methods: [], authorizers: {} };
      route.methods.push(String(props.HttpMethod));
      const authorizer = tokenAuthorizerOf(template, props);
      if (authorizer) route.authorizers[String(props.HttpMethod)] = authorizer;
      const functionName = invokedFunctionName(template, (props.Integration as { Uri?: unknown } | undefined)?.Uri);
      if (functionName) route.functions = { ...route.functions, [String(props.HttpMethod)]: functionName };
      const integration = props.Integration as { Type?: string; IntegrationResponses?: IntegrationResponse[] } | undefined;
      if (props.HttpMethod === 'OPTIONS' && integration?.Type === 'MOCK') {
        const answer = integration.IntegrationResponses?.[0];
        route.preflight = {
          status: Number(answer?.StatusCode ?? 200),
          headers: [
            ...staticHeaders(answer?.ResponseParameters, 'method.response.header.'),
            ...overriddenHeaders(answer?.ResponseTemplates?.['application/json']),
          ],
        };
      }
      routes.set(id, route);
    }
  }
  return { responses, corsOrigins: [...corsOrigins], routes: [...routes.values()] };
}

interface IntegrationResponse {
  StatusCode?: string;
  ResponseParameters?: Record<string, string>;
  ResponseTemplates?: Record<string, string>;
}

/**
 * The fixed values a MOCK response template sets with `#set($context.responseOverride.header.<Name> = '<value>')`
 * (scripts/serverless-plugins/cors-allow-list.mjs sets the preflight's headers so, for listed origins only;
 * the origin itself is matched by corsHeaders below, as the template's `#if` does).
 */
function overriddenHeaders(template: string | undefined): HeaderList {
  return [...(template ?? '').matchAll(/#set\(\$context\.responseOverride\.header\.([\w-]+) = '([^']*)'\)/g)].map(
    ([, name, value]): [string, string] => [name as string, value as string],
  );
}

/** The `<prefix><Name>: "'value'"` parameters (static values; those mapped from the request or integration are not). */
function staticHeaders(parameters: Record<string, string> | undefined, prefix: string): HeaderList {
  return Object.entries(parameters ?? {}).flatMap(([key, source]): HeaderList => {
    const value = /^'(.*)'$/s.exec(source)?.[1];
    return key.startsWith(prefix) && value !== undefined ? [[key.slice(prefix.length), value]] : [];
  });
}

const ROOT = '';

/** `{Ref: R}` is resource R; `{"Fn::GetAtt": [RestApi, "RootResourceId"]}` the root. */
function resourceIdOf(template: CfnTemplate, value: unknown): string {
  const ref = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  if (typeof ref?.Ref === 'string' && template.Resources[ref.Ref]?.Type === 'AWS::ApiGateway::Resource') return ref.Ref;
  if (ref?.['Fn::GetAtt']?.[1] === 'RootResourceId') return ROOT;
  throw new Error(`Cannot resolve the API resource ${JSON.stringify(value)} in the template`);
}

function pathPartsOf(template: CfnTemplate, id: string): string[] {
  if (id === ROOT) return [];
  const props = template.Resources[id]?.Properties ?? {};
  return [...pathPartsOf(template, resourceIdOf(template, props.ParentId)), String(props.PathPart)];
}

/** The route `pathname` is, if any (literal parts before `{var}` before `{var+}`, as API Gateway picks). */
export function routeOf(routes: ApiRoute[], pathname: string): ApiRoute | undefined {
  const segments = pathname.split('/').slice(1).map(decodeSegment);
  if (segments.at(-1) === '') segments.pop();
  // Two routes that both match differ at some part; the more literal one there wins.
  const rank = (route: ApiRoute) => route.parts.map((part) => (part.endsWith('+}') ? 2 : part.startsWith('{') ? 1 : 0)).join('');
  let best: ApiRoute | undefined;
  for (const route of routes) if (matches(route.parts, segments) && (!best || rank(route) < rank(best))) best = route;
  return best;
}

function matches(parts: string[], segments: string[]): boolean {
  for (const [i, part] of parts.entries()) {
    if (part.endsWith('+}')) return segments.length > i;
    const segment = segments[i];
    if (segment === undefined || segment === '' || (!part.startsWith('{') && part !== segment)) return false;
  }
  return parts.length === segments.length;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// Offline's own answers, as the gateway response types API Gateway REST would answer with. A path or a method
// the API does not have is MISSING_AUTHENTICATION_TOKEN there.
const TYPE_BY_STATUS: Record<number, string> = {
  401: 'UNAUTHORIZED',
  403: 'ACCESS_DENIED',
  404: 'MISSING_AUTHENTICATION_TOKEN',
  413: 'REQUEST_TOO_LARGE',
  429: 'THROTTLED',
};

/** An authorizer's refusals, as API Gateway answers them. */
const REFUSAL = {
  unauthorized: [401, 'UNAUTHORIZED'],
  denied: [403, 'ACCESS_DENIED'],
  failed: [500, 'AUTHORIZER_FAILURE'],
} as const;

function responseTypeOf(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
}

// Node's parse errors, as the statuses above: a method Node does not know is no route's method.
const CLIENT_ERROR_STATUS: Record<string, number> = { HPE_INVALID_METHOD: 404, HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408 };

/** The template's answer for a gateway-made `status`: its response type's, else DEFAULT_4XX/5XX's, else the built-in one. */
function gatewayAnswer(model: GatewayModel, status: number, cors: HeaderList, type = responseTypeOf(status)) {
  const spec = model.responses.get(type) ?? model.responses.get(status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
  const statusCode = spec?.statusCode ?? status;
  const message = STATUS_CODES[statusCode] ?? 'Error';
  const body =
    spec?.template === undefined
      ? JSON.stringify({ message, code: type })
      : spec.template
          .replaceAll('$context.error.messageString', JSON.stringify(message))
          .replaceAll('$context.error.message', message)
          .replaceAll('$context.error.responseType', type);
  // The template's headers, then the allow-list's (a template naming its one allowed origin agrees with them).
  const headers = merged([['Content-Type', 'application/json']], spec?.headers ?? [], cors);
  return { status: statusCode, headers: [...headers, ['Content-Length', String(Buffer.byteLength(body))]] as HeaderList, body };
}

// Hop-by-hop: each side of the proxy has its own connection (Expect is answered here). A request keeps its
// Transfer-Encoding, so a chunked body stays chunked; a response is framed anew by Node.
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'upgrade'];
// serverless-offline takes requestContext.authorizer from this header as it stands: only the gateway sets it.
const AUTHORIZER_CONTEXT_HEADER = 'sls-offline-authorizer-override';
const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'expect', 'x-forwarded-for', AUTHORIZER_CONTEXT_HEADER]);
const NOT_PASSED_BACK = new Set([...HOP_BY_HOP, 'transfer-encoding']);

type HeaderList = Array<[string, string]>;

export interface GatewayOptions {
  model: GatewayModel;
  /** Where the gateway listens (0: any free port; see `port` of the result). */
  port: number;
  host?: string;
  /** Where serverless-offline listens, on 127.0.0.1. */
  upstreamPort: number;
  /** How the routes' authorizers are run (needed when the template has any). */
  authorizers?: {
    invoke: Invoker;
    /** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>`: a request's method ARN is this, `/<METHOD>/<path>`. */
    apiArn: string;
  };
  /**
   * Told why a request got a 5xx that no function answered (offline unreachable or resetting the connection,
   * or offline's own 5xx): what API Gateway's execution log would say. The client sees only the gateway answer.
   */
  logUpstreamFailure?: (message: string) => void;
  /** Offline is still starting: answer 503 (logging nothing) until `upstreamUp()`. Without it, offline is taken to be up. */
  upstreamStarting?: boolean;
  /** A trace per request (local/telemetry/); none without it. */
  telemetry?: Telemetry;
}

export interface RunningGateway {
  port: number;
  /** Offline answers now: requests are forwarded from here on (and its failures logged). */
  upstreamUp(): void;
  close(): Promise<void>;
}

/** What a request gets while offline starts: the contract's error shape, as an API that is not up yet. */
export const STARTING_ANSWER = { message: 'The local API is starting: try again in a moment', code: 'SERVICE_UNAVAILABLE' } as const;
const STARTING_RETRY_AFTER_SECONDS = '1';

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { model } = options;
  const agent = new Agent({ keepAlive: true });

  const corsHeaders = (req: IncomingMessage): HeaderList => {
    const origin = req.headers.origin;
    return origin && model.corsOrigins.includes(origin)
      ? [
          ['Access-Control-Allow-Origin', origin],
          ['Vary', 'Origin'],
        ]
      : [];
  };

  const answerAsGateway = (req: IncomingMessage, res: ServerResponse, status: number, type?: string) => {
    const answer = gatewayAnswer(model, status, corsHeaders(req), type);
    send(res, answer.status, answer.headers, answer.body);
  };

  // The stage has OPTIONS methods (MOCK) only when origins are configured: otherwise OPTIONS is a method no
  // path has. Their static headers go to an allowed origin only: a refused one gets no CORS headers at all.
  const answerOptions = (req: IncomingMessage, res: ServerResponse, route: ApiRoute | undefined) => {
    req.resume();
    if (!route?.preflight) return answerAsGateway(req, res, 404);
    const cors = corsHeaders(req);
    send(res, route.preflight.status, cors.length === 0 ? [] : merged(route.preflight.headers, cors));
  };

  const authorizers = options.authorizers ? new TokenAuthorizers(options.authorizers.invoke) : undefined;

  /** Forwards the request once its route's authorizer (if any) allows it, with the outcome for offline. */
  const authorizeThenForward = (req: IncomingMessage, res: ServerResponse, authorizer: TokenAuthorizer, traced: HeaderList = []) => {
    if (!authorizers) return answerAsGateway(req, res, ...REFUSAL.failed);
    const header = req.headers[authorizer.header];
    const path = (req.url ?? '/').split('?')[0] as string;
    const methodArn = `${options.authorizers?.apiArn}/${req.method}${path}`;
    req.pause(); // the body waits in the socket until the outcome is known
    authorizers.authorize(authorizer, Array.isArray(header) ? header[0] : header, methodArn).then(
      (authorization) => {
        if (authorization.outcome !== 'allow') {
          req.resume();
          const [status, type] = REFUSAL[authorization.outcome];
          return answerAsGateway(req, res, status, type);
        }
        forward(req, res, [...traced, [AUTHORIZER_CONTEXT_HEADER, JSON.stringify(authorization.context)]]);
        req.resume();
      },
      () => answerAsGateway(req, res, ...REFUSAL.failed),
    );
  };

  const forward = (req: IncomingMessage, res: ServerResponse, extraHeaders: HeaderList = []) => {
    // The body is read whole first (API Gateway too takes the whole request, up to 10 MB, before it
    // invokes). Streamed, a body that serverless offline does not wait for (a GET's) raced its early
    // answer on a kept-alive connection: resets and 502s under the fuzz suite.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => send(Buffer.concat(chunks)));

    const upstreamFailed = (why: string) =>
      options.logUpstreamFailure?.(`gateway: ${req.method} ${(req.url ?? '/').split('?')[0]}: ${why}`);

    const send = (body: Buffer, isRetry = false) => {
      // serverless-offline takes requestContext.identity.sourceIp from the TCP peer (hapi's request.info.remoteAddress)
      // and ignores X-Forwarded-For. So the proxy connects from the client's own address: Linux routes all of 127/8
      // to lo, so a client on 127.0.0.2 stays 127.0.0.2 to offline (the log-in limits count per source address).
      // X-Forwarded-For is appended to as well, as API Gateway does.
      const client = req.socket.remoteAddress ?? '';
      let answered = false;
      const upstream = request(
        {
          host: '127.0.0.1',
          port: options.upstreamPort,
          method: req.method,
          path: req.url,
          headers: [...forwardedHeaders(req.rawHeaders, client), ...extraHeaders].flat(),
          // A body on a method that takes none may be left unread by offline: never reuse that connection.
          agent: body.length > 0 && !['POST', 'PUT', 'PATCH'].includes(req.method ?? '') ? false : agent,
          ...(/^127\.\d+\.\d+\.\d+$/.test(client) ? { localAddress: client } : {}),
        },
        (answer) => {
          answered = true;
          const status = answer.statusCode ?? 502;
          if (status >= 400 && answer.headers['x-correlation-id'] === undefined) {
            answer.resume(); // offline's own body: never passed on
            if (status >= 500) upstreamFailed(`serverless offline answered ${status} itself (no function's answer)`);
            return answerAsGateway(req, res, status);
          }
          functionAnswers.set(res, String(answer.headers['x-correlation-id']));
          res.writeHead(status, [...withoutCors(answer.rawHeaders), ...corsHeaders(req)].flat());
          answer.pipe(res);
          answer.on('error', () => res.destroy());
        },
      );
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        if (answered) return; // offline answered and closed before taking all of the body: its answer stands
        // A kept-alive connection that offline closed as idle just as this request went out on it: offline never
        // read the request, so it is sent once more on a new connection (Node's docs, request.reusedSocket).
        if (!isRetry && upstream.reusedSocket && error.code === 'ECONNRESET') return send(body, true);
        upstreamFailed(`serverless offline unreachable or gone mid-request (${error.code ?? error.message})`);
        if (res.headersSent) res.destroy();
        else answerAsGateway(req, res, 502);
      });
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      upstream.end(body);
    };
  };

  let starting = options.upstreamStarting ?? false;
  const answerStarting = (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const body = JSON.stringify(STARTING_ANSWER);
    const headers = merged(
      [
        ['Content-Type', 'application/json'],
        ['Retry-After', STARTING_RETRY_AFTER_SECONDS],
        ['Cache-Control', 'no-store'],
      ],
      corsHeaders(req),
    );
    send(res, 503, [...headers, ['Content-Length', String(Buffer.byteLength(body))]], body);
  };

  const server = createServer((req, res) => {
    if (starting) return answerStarting(req, res);
    const route = routeOf(model.routes, (req.url ?? '/').split('?')[0] as string);
    // A trace per request (or the client's, when it sends X-Amzn-Trace-Id); offline is passed the invocation's header.
    const spans = traceRequest(options.telemetry, req, res, route);
    const traced: HeaderList = spans.invocation.header() ? [['X-Amzn-Trace-Id', spans.invocation.header()]] : [];
    const authorizer = route?.authorizers[req.method ?? ''];
    if (authorizer) {
      // Once, inside the request's span when there is telemetry (a `??` fallback here ran it twice: within() returns
      // the callback's undefined, and the second forward wrote the answer's headers again).
      const authorizeAndForward = () => authorizeThenForward(req, res, authorizer, traced);
      if (options.telemetry) options.telemetry.within(spans.request, authorizeAndForward);
      else authorizeAndForward();
      return;
    }
    if (req.method !== 'OPTIONS') return forward(req, res, traced);
    if (route?.methods.includes('OPTIONS') && !route.preflight) return forward(req, res); // a function's OPTIONS
    answerOptions(req, res, route);
  });

  // Requests Node cannot parse never reach a handler (a method it does not know, headers over its 16 KiB,
  // malformed framing): still the gateway's answer in the template's shape, not Node's bare 400 or 431.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || error.code === 'ECONNRESET') return socket.destroy();
    const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
    const answer = gatewayAnswer(model, status, []);
    const head = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`, ...answer.headers.map(([n, v]) => `${n}: ${v}`)];
    socket.end(`${[...head, 'Connection: close'].join('\r\n')}\r\n\r\n${answer.body}`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    upstreamUp: () => {
      starting = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

/** The correlation id of each answer a function made (the gateway's own answers have none). */
const functionAnswers = new WeakMap<ServerResponse, string>();

/** The gateway's spans of one request, ended with its answer (its status, the correlation id the function answered). */
function traceRequest(telemetry: Telemetry | undefined, req: IncomingMessage, res: ServerResponse, route: ApiRoute | undefined) {
  if (!telemetry) return gatewaySpans(undefined, { method: '', path: '' });
  const header = (name: string) => [req.headers[name]].flat()[0];
  const spans = gatewaySpans(telemetry, {
    method: req.method ?? '',
    path: (req.url ?? '/').split('?')[0] as string,
    ...(route ? { route: `/${route.parts.join('/')}` } : {}),
    ...(route?.functions?.[req.method ?? ''] ? { functionName: route.functions[req.method ?? ''] } : {}),
    ...(header('x-amzn-trace-id') ? { traceHeader: header('x-amzn-trace-id') } : {}),
    ...(header('x-correlation-id') ? { correlationId: header('x-correlation-id') } : {}),
  });
  res.once('close', () =>
    telemetry.guard(() => {
      const status = res.statusCode;
      const correlationId = functionAnswers.get(res);
      // An answer without a correlation id was the gateway's own: the function was not invoked (or offline failed).
      if (correlationId !== undefined) spans.invocation.end(status >= 500 ? 'error' : 'ok');
      spans.request.correlate([correlationId]);
      spans.request.end(status >= 500 ? 'error' : 'ok', { 'http.response.status_code': status });
    }, undefined),
  );
  return spans;
}

/** Later headers replace earlier ones of the same name; Vary lists are joined. */
function merged(...lists: HeaderList[]): HeaderList {
  const byName = new Map<string, [string, string]>();
  for (const [name, value] of lists.flat()) {
    const earlier = byName.get(name.toLowerCase());
    const tokens = (list: string) => list.split(',').map((token) => token.trim());
    byName.set(
      name.toLowerCase(),
      name.toLowerCase() === 'vary' && earlier
        ? [earlier[0], [...new Set([...tokens(earlier[1]), ...tokens(value)])].join(', ')]
        : [name, value],
    );
  }
  return [...byName.values()];
}

function pairs(raw: string[]): HeaderList {
  const result: HeaderList = [];
  for (let i = 0; i + 1 < raw.length; i += 2) result.push([raw[i] as string, raw[i + 1] as string]);
  return result;
}

/** The client's headers as sent (names keep their case, as offline passes them on), plus X-Forwarded-For. */
function forwardedHeaders(raw: string[], client: string): HeaderList {
  const headers = pairs(raw);
  const forwardedFor = headers.filter(([name]) => name.toLowerCase() === 'x-forwarded-for').map(([, value]) => value);
  const kept = headers.filter(([name]) => !NOT_FORWARDED.has(name.toLowerCase()));
  return [...kept, ['X-Forwarded-For', [...forwardedFor, client].join(', ')]];
}

/** A function's answer as sent, less offline's CORS headers (access-control-*, and `origin` in Vary). */
function withoutCors(raw: string[]): HeaderList {
  const headers: HeaderList = [];
  for (const [name, value] of pairs(raw)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('access-control-') || NOT_PASSED_BACK.has(lower)) continue;
    if (lower === 'vary') {
      const rest = value
        .split(',')
        .map((token) => token.trim())
        .filter((token) => token !== '' && token.toLowerCase() !== 'origin');
      if (rest.length > 0) headers.push([name, rest.join(', ')]);
      continue;
    }
    headers.push([name, value]);
  }
  return headers;
}

function send(res: ServerResponse, status: number, headers: HeaderList, body?: string) {
  res.writeHead(status, headers.flat());
  res.end(body);
}
