import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CfnTemplate } from './cloudformation.js';
import { Telemetry } from './telemetry/recorder.js';
import { gatewayModel, routeOf, startGateway, STARTING_ANSWER, type RunningGateway } from './gateway.js';

const api = { Ref: 'Api' };
const root = { 'Fn::GetAtt': ['Api', 'RootResourceId'] };
const method = (resource: string | null, httpMethod: string) => ({
  Type: 'AWS::ApiGateway::Method',
  Properties: { HttpMethod: httpMethod, ResourceId: resource ? { Ref: resource } : root, RestApiId: api },
});
const pathPart = (parent: string | null, part: string) => ({
  Type: 'AWS::ApiGateway::Resource',
  Properties: { ParentId: parent ? { Ref: parent } : root, PathPart: part, RestApiId: api },
});
/** A preflight method as the stage's CORS plugin makes it: MOCK, static headers (the origin is added by VTL on AWS). */
const preflight = (resource: string, methods: string) => ({
  Type: 'AWS::ApiGateway::Method',
  Properties: {
    HttpMethod: 'OPTIONS',
    ResourceId: { Ref: resource },
    RestApiId: api,
    Integration: {
      Type: 'MOCK',
      IntegrationResponses: [
        {
          StatusCode: '204',
          ResponseParameters: {
            'method.response.header.Access-Control-Allow-Methods': `'${methods}'`,
            'method.response.header.Access-Control-Allow-Headers': "'Authorization,Content-Type,Idempotency-Key,x-correlation-id'",
            'method.response.header.Access-Control-Max-Age': "'600'",
            'method.response.header.Vary': "'Origin'",
          },
        },
      ],
    },
  },
});
const gatewayResponse = (type: string, statusCode: string | undefined, body: string, parameters: Record<string, string> = {}) => ({
  Type: 'AWS::ApiGateway::GatewayResponse',
  Properties: {
    RestApiId: api,
    ResponseType: type,
    ...(statusCode ? { StatusCode: statusCode } : {}),
    ResponseTemplates: { 'application/json': body },
    ResponseParameters: parameters,
  },
});
const lambda = (variables: Record<string, string>) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { Environment: { Variables: variables } },
});

const routes: CfnTemplate['Resources'] = {
  Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'shop-test' } },
  Fn: pathPart(null, 'fn'),
  Echo: pathPart(null, 'echo'),
  Items: pathPart(null, 'items'),
  ItemsId: pathPart('Items', '{itemId}'),
  ItemsMine: pathPart('Items', 'mine'),
  FnGet: method('Fn', 'GET'),
  EchoGet: method('Echo', 'GET'),
  EchoPost: method('Echo', 'POST'),
  ItemGet: method('ItemsId', 'GET'),
  ItemDelete: method('ItemsId', 'DELETE'),
  MineGet: method('ItemsMine', 'GET'),
  RootGet: method(null, 'GET'),
  Hook: pathPart(null, 'hook'),
  HookOptions: {
    ...method('Hook', 'OPTIONS'),
    Properties: { ...method('Hook', 'OPTIONS').Properties, Integration: { Type: 'AWS_PROXY' } },
  },
};

const template: CfnTemplate = {
  Resources: {
    ...routes,
    EchoOptions: preflight('Echo', 'GET,OPTIONS,POST'),
    ItemOptions: preflight('ItemsId', 'DELETE,GET,OPTIONS'),
    NotFound: gatewayResponse('MISSING_AUTHENTICATION_TOKEN', '404', '{"message":"Not found","code":"NOT_FOUND"}'),
    Unauthorized: gatewayResponse('UNAUTHORIZED', '401', '{"message":"Unauthorized","code":"UNAUTHORIZED"}'),
    Denied: gatewayResponse('ACCESS_DENIED', '403', '{"message":"Forbidden","code":"FORBIDDEN"}'),
    TooLarge: gatewayResponse('REQUEST_TOO_LARGE', '413', '{"message":"Request body too large","code":"PAYLOAD_TOO_LARGE"}'),
    Throttled: gatewayResponse('THROTTLED', '429', '{"message":"Too many requests","code":"THROTTLED"}', {
      'gatewayresponse.header.Retry-After': "'1'",
    }),
    Default4xx: gatewayResponse('DEFAULT_4XX', undefined, '{"message":$context.error.messageString,"code":"$context.error.responseType"}'),
    Default5xx: gatewayResponse('DEFAULT_5XX', undefined, '{"message":"Internal server error","code":"INTERNAL_ERROR"}'),
    One: lambda({ STAGE: 'test', CORS_ALLOWED_ORIGINS: 'https://shop.example.com, http://localhost:5173' }),
    Two: lambda({ STAGE: 'test', CORS_ALLOWED_ORIGINS: 'https://shop.example.com, http://localhost:5173' }),
  },
};

/** No GatewayResponses and no CORS_ALLOWED_ORIGINS: the built-in shape, CORS off. */
const bareTemplate: CfnTemplate = { Resources: { ...routes, One: lambda({ STAGE: 'test' }) } };

const LEAK = JSON.stringify({ error: 'Serverless-offline: route not found.', existingRoutes: ['GET - /fn'], stack: 'at handler.js:1' });

interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  body: string;
  remoteAddress: string;
}

/** Stands in for serverless-offline: function answers carry x-correlation-id, its own (/offline/<status>) do not. */
function fakeOffline(seen: Seen[]): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        rawHeaders: req.rawHeaders,
        body: body.toString('base64'),
        remoteAddress: req.socket.remoteAddress ?? '',
      });
      const offlineCors = {
        'access-control-allow-origin': req.headers.origin ?? '*',
        'access-control-allow-credentials': 'true',
        vary: 'origin',
      };
      const own = /^\/offline\/(\d+)$/.exec(req.url ?? '');
      if (own) {
        res.writeHead(Number(own[1]), { 'content-type': 'application/json', ...offlineCors });
        return res.end(LEAK);
      }
      if (req.url === '/fn-not-found') {
        res.writeHead(404, { 'content-type': 'application/json', 'x-correlation-id': 'c-404', ...offlineCors });
        return res.end('{"message":"Product not found","code":"NOT_FOUND"}');
      }
      res.writeHead(200, [
        ...['Content-Type', 'application/json', 'X-Correlation-Id', 'c-1', 'Cache-Control', 'no-store', 'X-Custom', 'kept'],
        ...Object.entries(offlineCors).flat(),
      ]);
      res.end(JSON.stringify({ ok: true }));
    });
  });
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

function send(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; localAddress?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        localAddress: options.localAddress,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const corsHeaderNames = (headers: IncomingHttpHeaders) => Object.keys(headers).filter((name) => name.startsWith('access-control-'));

describe('local API gateway in front of serverless-offline', () => {
  const seen: Seen[] = [];
  const offline = fakeOffline(seen);
  let gateway: RunningGateway;
  let bare: RunningGateway;
  let unreachable: RunningGateway;
  const upstreamFailures: string[] = [];

  beforeAll(async () => {
    const upstreamPort = await listen(offline);
    gateway = await startGateway({
      model: gatewayModel(template),
      port: 0,
      upstreamPort,
      logUpstreamFailure: (message) => upstreamFailures.push(message),
    });
    bare = await startGateway({ model: gatewayModel(bareTemplate), port: 0, upstreamPort });
    const closed = createServer();
    const closedPort = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    unreachable = await startGateway({
      model: gatewayModel(template),
      port: 0,
      upstreamPort: closedPort,
      logUpstreamFailure: (message) => upstreamFailures.push(message),
    });
  });

  afterAll(async () => {
    await Promise.all([gateway.close(), bare.close(), unreachable.close()]);
    await new Promise((resolve) => offline.close(resolve));
  });

  it("passes a function's answer through untouched but for offline's CORS headers", async () => {
    const answer = await send(gateway.port, '/fn');
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('{"ok":true}');
    expect(answer.headers).toMatchObject({ 'content-type': 'application/json', 'x-correlation-id': 'c-1', 'cache-control': 'no-store' });
    expect(answer.rawHeaders).toContain('X-Custom');
    expect(corsHeaderNames(answer.headers)).toEqual([]);
    expect(answer.headers.vary).toBeUndefined();
  });

  it("passes a function's own errors through (they carry the correlation header)", async () => {
    const answer = await send(gateway.port, '/fn-not-found');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ message: 'Product not found', code: 'NOT_FOUND' });
    expect(answer.headers['x-correlation-id']).toBe('c-404');
  });

  it.each([
    [404, 404, { message: 'Not found', code: 'NOT_FOUND' }],
    [401, 401, { message: 'Unauthorized', code: 'UNAUTHORIZED' }],
    [403, 403, { message: 'Forbidden', code: 'FORBIDDEN' }],
    [413, 413, { message: 'Request body too large', code: 'PAYLOAD_TOO_LARGE' }],
    [429, 429, { message: 'Too many requests', code: 'THROTTLED' }],
    [400, 400, { message: 'Bad Request', code: 'DEFAULT_4XX' }],
    [405, 405, { message: 'Method Not Allowed', code: 'DEFAULT_4XX' }],
    [500, 500, { message: 'Internal server error', code: 'INTERNAL_ERROR' }],
    [502, 502, { message: 'Internal server error', code: 'INTERNAL_ERROR' }],
  ])("offline's own %i answers as the template's gateway response (%i)", async (offlineStatus, status, body) => {
    const answer = await send(gateway.port, `/offline/${offlineStatus}`);
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.body)).toEqual(body);
    expect(answer.body).not.toContain('existingRoutes');
    expect(corsHeaderNames(answer.headers)).toEqual([]);
  });

  it("adds the gateway response's static headers (THROTTLED's Retry-After)", async () => {
    expect((await send(gateway.port, '/offline/429')).headers['retry-after']).toBe('1');
  });

  it("without the template's gateway responses: the built-in shape with offline's status", async () => {
    const answer = await send(bare.port, '/offline/404');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ message: 'Not Found', code: 'MISSING_AUTHENTICATION_TOKEN' });
    expect(JSON.parse((await send(bare.port, '/offline/503')).body)).toEqual({ message: 'Service Unavailable', code: 'DEFAULT_5XX' });
  });

  it("requests Node cannot parse get the gateway's answer too, not Node's empty one", async () => {
    const unknownMethod = await send(gateway.port, '/fn', { method: 'FUZZ' });
    expect(unknownMethod.status).toBe(404);
    expect(JSON.parse(unknownMethod.body)).toEqual({ message: 'Not found', code: 'NOT_FOUND' });
    const hugeHeader = await send(gateway.port, '/fn', { headers: { 'X-Huge': 'a'.repeat(20_000) } });
    expect(hugeHeader.status).toBe(431);
    expect(hugeHeader.headers['content-type']).toBe('application/json');
    expect(JSON.parse(hugeHeader.body)).toEqual({ message: 'Request Header Fields Too Large', code: 'DEFAULT_4XX' });
  });

  it('offline unreachable: 502 in the DEFAULT_5XX shape, and the cause in the log, not in the answer', async () => {
    upstreamFailures.length = 0;
    const answer = await send(unreachable.port, '/fn?nextToken=abc');
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body)).toEqual({ message: 'Internal server error', code: 'INTERNAL_ERROR' });
    expect(answer.body).not.toContain('ECONNREFUSED');
    expect(upstreamFailures).toEqual(['gateway: GET /fn: serverless offline unreachable or gone mid-request (ECONNREFUSED)']);
  });

  it("logs offline's own 5xx answers, and neither a function's errors nor offline's 4xx", async () => {
    upstreamFailures.length = 0;
    await send(gateway.port, '/offline/502');
    await send(gateway.port, '/offline/404');
    await send(gateway.port, '/fn-not-found');
    expect(upstreamFailures).toEqual(["gateway: GET /offline/502: serverless offline answered 502 itself (no function's answer)"]);
  });

  describe('CORS as a stage setting', () => {
    const allowed = { Origin: 'http://localhost:5173' };
    const refused = { Origin: 'https://evil.example' };
    const preflightOf = (origin: Record<string, string>) => ({ ...origin, 'Access-Control-Request-Method': 'POST' });

    it('an allowed origin gets itself back, on function and gateway answers alike, never credentials', async () => {
      for (const path of ['/fn', '/offline/404', '/offline/401']) {
        const answer = await send(gateway.port, path, { headers: allowed });
        expect(answer.headers['access-control-allow-origin']).toBe('http://localhost:5173');
        expect(answer.headers.vary).toBe('Origin');
        expect(corsHeaderNames(answer.headers)).toEqual(['access-control-allow-origin']);
      }
    });

    it('a refused origin, or CORS off, gets no CORS headers at all', async () => {
      for (const [port, origin] of [
        [gateway.port, refused],
        [bare.port, allowed],
      ] as const) {
        for (const path of ['/fn', '/offline/404']) {
          const answer = await send(port, path, { headers: origin });
          expect(corsHeaderNames(answer.headers)).toEqual([]);
          expect(answer.headers.vary).toBeUndefined();
        }
      }
    });

    it("preflight from an allowed origin: the template's OPTIONS answer plus the origin, without offline", async () => {
      const before = seen.length;
      const answer = await send(gateway.port, '/echo', { method: 'OPTIONS', headers: preflightOf(allowed) });
      expect(answer.status).toBe(204);
      expect(answer.headers).toMatchObject({
        'access-control-allow-origin': 'http://localhost:5173',
        'access-control-allow-methods': 'GET,OPTIONS,POST',
        'access-control-allow-headers': 'Authorization,Content-Type,Idempotency-Key,x-correlation-id',
        'access-control-max-age': '600',
        vary: 'Origin',
      });
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
      expect(
        (await send(gateway.port, '/items/42', { method: 'OPTIONS', headers: preflightOf(allowed) })).headers[
          'access-control-allow-methods'
        ],
      ).toBe('DELETE,GET,OPTIONS');
      expect(seen.length).toBe(before);
    });

    it('preflight from a refused origin: 204 without CORS headers', async () => {
      const answer = await send(gateway.port, '/echo', { method: 'OPTIONS', headers: preflightOf(refused) });
      expect(answer.status).toBe(204);
      expect(corsHeaderNames(answer.headers)).toEqual([]);
    });

    it('OPTIONS where the template has no OPTIONS method (CORS off makes none) is an unknown method: the gateway 404', async () => {
      for (const path of ['/nope', '/fn']) {
        const unknown = await send(gateway.port, path, { method: 'OPTIONS', headers: preflightOf(allowed) });
        expect(unknown.status).toBe(404);
        expect(JSON.parse(unknown.body)).toEqual({ message: 'Not found', code: 'NOT_FOUND' });
      }
      const off = await send(bare.port, '/echo', { method: 'OPTIONS', headers: preflightOf(allowed) });
      expect(off.status).toBe(404);
      expect(JSON.parse(off.body)).toEqual({ message: 'Not Found', code: 'MISSING_AUTHENTICATION_TOKEN' });
      expect(corsHeaderNames(off.headers)).toEqual([]);
    });
  });

  it('forwards OPTIONS to a function that has an OPTIONS method', async () => {
    const answer = await send(gateway.port, '/hook', { method: 'OPTIONS' });
    expect(answer.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ method: 'OPTIONS', url: '/hook' });
  });

  it('forwards method, path, query, headers as sent and the body bytes', async () => {
    const body = Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x7d]);
    await send(gateway.port, '/echo?q=a%20b&x=1', {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', Authorization: 'Bearer t', 'Idempotency-Key': 'k-1' },
      body,
    });
    const request = seen.at(-1) as Seen;
    expect(request).toMatchObject({ method: 'POST', url: '/echo?q=a%20b&x=1', body: body.toString('base64') });
    expect(request.rawHeaders).toEqual(
      expect.arrayContaining(['Authorization', 'Bearer t', 'Idempotency-Key', 'k-1', 'Content-Length', '5']),
    );
  });

  it("offline sees the client's own address as the TCP peer, and in X-Forwarded-For", async () => {
    await send(gateway.port, '/echo', { localAddress: '127.0.0.2' });
    const direct = seen.at(-1) as Seen;
    expect(direct.remoteAddress).toBe('127.0.0.2');
    expect(direct.rawHeaders).toEqual(expect.arrayContaining(['X-Forwarded-For', '127.0.0.2']));

    await send(gateway.port, '/echo', { localAddress: '127.0.0.3', headers: { 'X-Forwarded-For': '203.0.113.9' } });
    const forwarded = seen.at(-1) as Seen;
    expect(forwarded.remoteAddress).toBe('127.0.0.3');
    expect(forwarded.rawHeaders).toEqual(expect.arrayContaining(['X-Forwarded-For', '203.0.113.9, 127.0.0.3']));
  });
});

describe('local API gateway while serverless offline starts', () => {
  const seen: Seen[] = [];
  const offline = fakeOffline(seen);
  let upstreamPort: number;
  let gateway: RunningGateway;
  const upstreamFailures: string[] = [];

  beforeAll(async () => {
    // Offline's port, not listening yet: as the stack starts the gateway before offline is up.
    const reserved = createServer();
    upstreamPort = await listen(reserved);
    await new Promise((resolve) => reserved.close(resolve));
    gateway = await startGateway({
      model: gatewayModel(template),
      port: 0,
      upstreamPort,
      upstreamStarting: true,
      logUpstreamFailure: (message) => upstreamFailures.push(message),
    });
  });

  afterAll(async () => {
    await gateway.close();
    await new Promise((resolve) => offline.close(resolve));
  });

  it('answers every request 503 SERVICE_UNAVAILABLE in the error shape, with Retry-After, and logs nothing', async () => {
    for (const [path, method] of [
      ['/fn', 'GET'],
      ['/echo', 'POST'],
      ['/nope', 'GET'],
      ['/echo', 'OPTIONS'],
    ] as const) {
      const answer = await send(gateway.port, path, { method, ...(method === 'POST' ? { body: '{"a":1}' } : {}) });
      expect(answer.status, `${method} ${path}`).toBe(503);
      expect(answer.headers['content-type']).toBe('application/json');
      expect(answer.headers['retry-after']).toBe('1');
      expect(JSON.parse(answer.body)).toEqual({ message: STARTING_ANSWER.message, code: 'SERVICE_UNAVAILABLE' });
    }
    expect(upstreamFailures).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('gives an allowed origin its CORS header on that answer too', async () => {
    const answer = await send(gateway.port, '/fn', { headers: { Origin: 'http://localhost:5173' } });
    expect(answer.status).toBe(503);
    expect(answer.headers['access-control-allow-origin']).toBe('http://localhost:5173');
  });

  it('once offline is up, forwards, and logs its failures again', async () => {
    await new Promise<void>((resolve) => offline.listen(upstreamPort, '127.0.0.1', resolve));
    gateway.upstreamUp();
    const answer = await send(gateway.port, '/fn');
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('{"ok":true}');
    await send(gateway.port, '/offline/502');
    expect(upstreamFailures).toEqual(["gateway: GET /offline/502: serverless offline answered 502 itself (no function's answer)"]);
  });
});

describe('routeOf (which template route a path is)', () => {
  const { routes: apiRoutes } = gatewayModel(template);
  const methodsOf = (path: string) => routeOf(apiRoutes, path)?.methods;

  it('matches literals before path variables, and the root', () => {
    expect(methodsOf('/items/mine')).toEqual(['GET']);
    expect(methodsOf('/items/7')).toEqual(['GET', 'DELETE', 'OPTIONS']);
    expect(methodsOf('/')).toEqual(['GET']);
  });

  it('a greedy variable takes the rest, after any literal', () => {
    const greedy = gatewayModel({
      Resources: { ...routes, Proxy: pathPart('Items', '{proxy+}'), ProxyGet: method('Proxy', 'PUT') },
    }).routes;
    expect(routeOf(greedy, '/items/7/x/y')?.methods).toEqual(['PUT']);
    expect(routeOf(greedy, '/items/7')?.methods).toEqual(['GET', 'DELETE']);
    expect(routeOf(greedy, '/items/mine')?.methods).toEqual(['GET']);
  });

  it('a path without methods, or with extra or empty segments, is no route', () => {
    expect(methodsOf('/items')).toBeUndefined();
    expect(methodsOf('/items/7/x')).toBeUndefined();
    expect(methodsOf('/items//')).toBeUndefined();
  });
});

describe('local API gateway: TOKEN authorizers (as API Gateway runs them)', () => {
  const apiArn = 'arn:aws:execute-api:us-east-1:000000000000:local/test';
  const authorized: CfnTemplate = {
    Resources: {
      ...template.Resources,
      AuthFn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'shop-test-authorizer' } },
      Auth: {
        Type: 'AWS::ApiGateway::Authorizer',
        Properties: {
          Type: 'TOKEN',
          IdentitySource: 'method.request.header.Authorization',
          AuthorizerResultTtlInSeconds: 300,
          AuthorizerUri: {
            'Fn::Join': [
              '',
              ['arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/', { 'Fn::GetAtt': ['AuthFn', 'Arn'] }, '/invocations'],
            ],
          },
        },
      },
      MineGet: {
        ...method('ItemsMine', 'GET'),
        Properties: { ...method('ItemsMine', 'GET').Properties, AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'Auth' } },
      },
    },
  };
  const seen: Seen[] = [];
  const offline = fakeOffline(seen);
  const invocations: Array<{ functionName: string; event: any }> = [];
  let gateway: RunningGateway;

  beforeAll(async () => {
    const upstreamPort = await listen(offline);
    gateway = await startGateway({
      model: gatewayModel(authorized),
      port: 0,
      upstreamPort,
      authorizers: {
        apiArn,
        // A stand-in authorizer function: "Bearer ok-<user>" is that user (only GET allowed), "Bearer deny" gets a Deny.
        invoke: async (functionName, event) => {
          invocations.push({ functionName, event });
          const token = (event as { authorizationToken: string }).authorizationToken;
          const user = /^Bearer ok-(\w+)$/.exec(token)?.[1];
          const effect = user ? 'Allow' : token === 'Bearer deny' ? 'Deny' : undefined;
          if (!effect) return { ok: false, error: 'Unauthorized' };
          return {
            ok: true,
            payload: {
              principalId: user ?? 'nobody',
              policyDocument: { Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: `${apiArn}/GET/*` }] },
              context: { userId: user ?? '' },
            },
          };
        },
      },
    });
  });

  afterAll(async () => {
    await gateway.close();
    await new Promise((resolve) => offline.close(resolve));
  });

  const headerSeen = (request: Seen | undefined, name: string) => {
    const raw = request?.rawHeaders ?? [];
    const at = raw.findIndex((value, i) => i % 2 === 0 && value.toLowerCase() === name);
    return at < 0 ? undefined : raw[at + 1];
  };

  it('invokes the authorizer with the TOKEN event, then passes its principal and context on to offline', async () => {
    const res = await send(gateway.port, '/items/mine?x=1', { headers: { authorization: 'Bearer ok-alice' } });
    expect(res.status).toBe(200);
    expect(invocations.at(-1)).toEqual({
      functionName: 'shop-test-authorizer',
      event: { type: 'TOKEN', authorizationToken: 'Bearer ok-alice', methodArn: `${apiArn}/GET/items/mine` },
    });
    const context = JSON.parse(headerSeen(seen.at(-1), 'sls-offline-authorizer-override') ?? '{}');
    expect(context).toMatchObject({ principalId: 'alice', userId: 'alice' });
  });

  it("keeps a token's answer: the next request with it does not invoke again", async () => {
    await send(gateway.port, '/items/mine', { headers: { authorization: 'Bearer ok-bob' } });
    const before = invocations.length;
    const res = await send(gateway.port, '/items/mine', { headers: { authorization: 'Bearer ok-bob' } });
    expect(res.status).toBe(200);
    expect(invocations.length).toBe(before);
  });

  it("refusals take the template's gateway responses and never reach offline: 401 (none, Unauthorized), 403 (Deny)", async () => {
    const before = seen.length;
    const none = await send(gateway.port, '/items/mine');
    expect([none.status, JSON.parse(none.body).code]).toEqual([401, 'UNAUTHORIZED']);
    const refused = await send(gateway.port, '/items/mine', { headers: { authorization: 'Bearer forged' } });
    expect([refused.status, JSON.parse(refused.body).code]).toEqual([401, 'UNAUTHORIZED']);
    const denied = await send(gateway.port, '/items/mine', { headers: { authorization: 'Bearer deny' } });
    expect([denied.status, JSON.parse(denied.body).code]).toEqual([403, 'FORBIDDEN']);
    expect(seen.length).toBe(before);
  });

  it("a client's own authorizer context header is never passed on, on public and protected routes alike", async () => {
    const forged = JSON.stringify({ principalId: 'mallory', userId: 'mallory' });
    await send(gateway.port, '/fn', { headers: { 'sls-offline-authorizer-override': forged } });
    expect(headerSeen(seen.at(-1), 'sls-offline-authorizer-override')).toBeUndefined();
    await send(gateway.port, '/items/mine', { headers: { authorization: 'Bearer ok-carol', 'SLS-Offline-Authorizer-Override': forged } });
    const passed = (seen.at(-1)?.rawHeaders ?? []).filter(
      (value, i) => i % 2 === 0 && value.toLowerCase() === 'sls-offline-authorizer-override',
    );
    expect(passed).toHaveLength(1);
    expect(JSON.parse(headerSeen(seen.at(-1), 'sls-offline-authorizer-override') ?? '{}')).toMatchObject({ userId: 'carol' });
  });

  it('a method without an authorizer on the same path family is not authorized (GET /items/{itemId})', async () => {
    const before = invocations.length;
    const res = await send(gateway.port, '/items/42');
    expect(res.status).toBe(200);
    expect(invocations.length).toBe(before);
  });
});

describe('local API gateway: an authorizer that fails (AUTHORIZER_FAILURE, as API Gateway answers it)', () => {
  const apiArn = 'arn:aws:execute-api:us-east-1:000000000000:local/test';
  /** The routes, GET /items/mine behind a TOKEN authorizer (TTL 300 s), and the given gateway responses. */
  const withAuthorizer = (responses: CfnTemplate['Resources']): CfnTemplate => ({
    Resources: {
      ...routes,
      ...responses,
      AuthFn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'shop-test-authorizer' } },
      Auth: {
        Type: 'AWS::ApiGateway::Authorizer',
        Properties: {
          Type: 'TOKEN',
          IdentitySource: 'method.request.header.Authorization',
          AuthorizerResultTtlInSeconds: 300,
          AuthorizerUri: {
            'Fn::Join': [
              '',
              ['arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/', { 'Fn::GetAtt': ['AuthFn', 'Arn'] }, '/invocations'],
            ],
          },
        },
      },
      MineGet: {
        ...method('ItemsMine', 'GET'),
        Properties: { ...method('ItemsMine', 'GET').Properties, AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'Auth' } },
      },
    },
  });
  // DEFAULT_5XX naming the response type, so the answer shows which one the gateway chose.
  const typed = withAuthorizer({
    Default5xx: gatewayResponse('DEFAULT_5XX', undefined, '{"message":$context.error.messageString,"code":"$context.error.responseType"}'),
  });
  const seen: Seen[] = [];
  const offline = fakeOffline(seen);
  const invocations: string[] = [];
  const gateways: RunningGateway[] = [];

  /**
   * A stand-in authorizer function: "Bearer ok" is allowed; "Bearer crash" fails with another error than
   * "Unauthorized"; "Bearer malformed" answers without a policy. (The stack's invoker never rejects: it turns
   * every invocation error into `{ok: false}`, the "crash" case.)
   */
  const invoke = async (_functionName: string, event: unknown) => {
    const token = (event as { authorizationToken: string }).authorizationToken;
    invocations.push(token);
    if (token === 'Bearer crash') return { ok: false as const, error: "Cannot read properties of undefined (reading 'verify')" };
    if (token === 'Bearer malformed') return { ok: true as const, payload: { principalId: 'u' } };
    return {
      ok: true as const,
      payload: {
        principalId: 'u',
        policyDocument: { Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${apiArn}/*/*` }] },
        context: { userId: 'u' },
      },
    };
  };

  let upstreamPort: number;
  beforeAll(async () => {
    upstreamPort = await listen(offline);
  });
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.close()));
    await new Promise((resolve) => offline.close(resolve));
  });
  const start = async (model: CfnTemplate) => {
    const gateway = await startGateway({ model: gatewayModel(model), port: 0, upstreamPort, authorizers: { apiArn, invoke } });
    gateways.push(gateway);
    return gateway;
  };
  const answer = (res: Answer) => [res.status, JSON.parse(res.body)];

  it.each([
    ['fails with another error than "Unauthorized"', 'Bearer crash'],
    ['answers without a policy', 'Bearer malformed'],
  ])('when the authorizer function %s: 500 AUTHORIZER_FAILURE, and the request never reaches offline', async (_case, token) => {
    const gateway = await start(typed);
    const before = seen.length;
    const res = await send(gateway.port, '/items/mine', { headers: { authorization: token } });
    expect(answer(res)).toEqual([500, { message: 'Internal Server Error', code: 'AUTHORIZER_FAILURE' }]);
    expect(seen.length).toBe(before);
    // control: the same gateway lets an allowed token through to offline
    const ok = await send(gateway.port, '/items/mine', { headers: { authorization: 'Bearer ok' } });
    expect(ok.status).toBe(200);
    expect(seen.length).toBe(before + 1);
  });

  it('with telemetry on, an authorized request reaches offline once and is answered once (it crashed the stack: answered twice)', async () => {
    const telemetry = new Telemetry();
    const gateway = await startGateway({ model: gatewayModel(typed), port: 0, upstreamPort, authorizers: { apiArn, invoke }, telemetry });
    gateways.push(gateway);
    const before = seen.length;
    const res = await send(gateway.port, '/items/mine', { headers: { authorization: 'Bearer ok' } });
    expect(res.status).toBe(200);
    expect(seen.length).toBe(before + 1);
    expect(telemetry.errors).toBe(0);
  });

  it('a failure is not kept as an answer: the next request with that token asks the function again', async () => {
    const gateway = await start(typed);
    const before = invocations.length;
    for (let i = 0; i < 2; i++) {
      const res = await send(gateway.port, '/items/mine', { headers: { authorization: 'Bearer crash' } });
      expect(res.status).toBe(500);
    }
    expect(invocations.length - before).toBe(2);
  });

  it("takes the template's DEFAULT_5XX when it has no AUTHORIZER_FAILURE response, and the built-in shape without either", async () => {
    const stage = await start(
      withAuthorizer({
        Default5xx: gatewayResponse('DEFAULT_5XX', undefined, '{"message":"Internal server error","code":"INTERNAL_ERROR"}'),
      }),
    );
    expect(answer(await send(stage.port, '/items/mine', { headers: { authorization: 'Bearer crash' } }))).toEqual([
      500,
      { message: 'Internal server error', code: 'INTERNAL_ERROR' },
    ]);
    const bare = await start(withAuthorizer({}));
    expect(answer(await send(bare.port, '/items/mine', { headers: { authorization: 'Bearer crash' } }))).toEqual([
      500,
      { message: 'Internal Server Error', code: 'AUTHORIZER_FAILURE' },
    ]);
    const own = await start(
      withAuthorizer({ Failure: gatewayResponse('AUTHORIZER_FAILURE', '503', '{"message":"Try again","code":"AUTH_UNAVAILABLE"}') }),
    );
    expect(answer(await send(own.port, '/items/mine', { headers: { authorization: 'Bearer crash' } }))).toEqual([
      503,
      { message: 'Try again', code: 'AUTH_UNAVAILABLE' },
    ]);
  });
});

describe('local API gateway: a kept-alive connection offline closed as idle', () => {
  it('sends the request again on a new connection, once, so the client never sees that race', async () => {
    // Stands in for offline closing an idle connection just as the gateway reuses it: the second request on any
    // connection is reset unread. A first request on a new connection is answered.
    let answered = 0;
    const upstream = createServer((req, res) => {
      const socket = req.socket as typeof req.socket & { served?: number };
      socket.served = (socket.served ?? 0) + 1;
      if (socket.served > 1) return socket.resetAndDestroy();
      req.resume();
      req.on('end', () => {
        answered += 1;
        res.writeHead(200, { 'content-type': 'application/json', 'x-correlation-id': `c-${answered}` });
        res.end(JSON.stringify({ answered }));
      });
    });
    const gateway = await startGateway({ model: gatewayModel(template), port: 0, upstreamPort: await listen(upstream) });
    try {
      const first = await send(gateway.port, '/echo', { method: 'POST', body: '{"n":1}', headers: { 'content-type': 'application/json' } });
      const second = await send(gateway.port, '/echo', {
        method: 'POST',
        body: '{"n":2}',
        headers: { 'content-type': 'application/json' },
      });
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(JSON.parse(second.body)).toEqual({ answered: 2 });
    } finally {
      await gateway.close();
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});
