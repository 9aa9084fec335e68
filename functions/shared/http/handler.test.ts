import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../tests/support/lambda.js';
import * as z from '../schema.js';
import { ConflictError } from '../domain-errors.js';
import { basePathOf, httpHandler, json } from './handler.js';

const context = lambdaContext;

function event(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    path: '/things',
    resource: '/things',
    headers: { 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    body: JSON.stringify({ name: 'x', qty: 2 }),
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    ...overrides,
  };
}

const created: unknown[] = [];
const handler = httpHandler({
  body: z.strictObject({
    name: z.string().check(z.minLength(1)),
    qty: z.int().check(z.gte(1), z.lte(1000)),
  }),
  maxBodyBytes: 100,
  handle: async ({ body, callerId }) => {
    if (body.name === 'taken') throw new ConflictError('CONFLICT', 'name taken');
    if (body.name === 'crash') throw new Error('secret internals at db.ts:42');
    created.push(body);
    return json(201, { ...body, callerId: callerId ?? null });
  },
});

const call = async (e: APIGatewayProxyEvent) => {
  const res = await handler(e, context);
  return { ...res, json: JSON.parse(res.body) as Record<string, unknown> };
};

describe('httpHandler', () => {
  it('passes a valid body and the authorizer caller to the domain', async () => {
    const res = await call(
      event({
        requestContext: {
          authorizer: { userId: 'u-1', tokenExpiresAt: String(Math.floor(Date.now() / 1000) + 600), claims: { sub: 'forged' } },
        } as never,
      }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.json).toEqual({ name: 'x', qty: 2, callerId: 'u-1' });
  });

  it.each([
    ['no content type', { headers: {} }],
    ['text/plain', { headers: { 'content-type': 'text/plain' } }],
    ['no body', { body: null }],
  ])('415 for %s', async (_, overrides) => {
    const res = await call(event(overrides as Partial<APIGatewayProxyEvent>));
    expect(res.statusCode).toBe(415);
    expect(res.json.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('400 MALFORMED_JSON for broken JSON', async () => {
    const res = await call(event({ body: '{"name":' }));
    expect(res.statusCode).toBe(400);
    expect(res.json.code).toBe('MALFORMED_JSON');
  });

  it('413 for a body over the limit', async () => {
    const res = await call(event({ body: JSON.stringify({ name: 'y'.repeat(200), qty: 1 }) }));
    expect(res.statusCode).toBe(413);
    expect(res.json.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('400 naming each invalid field, and unknown fields (no mass assignment)', async () => {
    const res = await call(event({ body: JSON.stringify({ name: '', qty: 1.5, role: 'admin' }) }));
    expect(res.statusCode).toBe(400);
    expect(res.json.code).toBe('VALIDATION_FAILED');
    const fields = (res.json.details as { field: string }[]).map((d) => d.field).sort();
    expect(fields).toEqual(['name', 'qty', 'role']);
    expect(res.json.message).toContain('role: unknown field');
  });

  it('400 for a JSON body that is not an object', async () => {
    const res = await call(event({ body: '[1,2]' }));
    expect(res.statusCode).toBe(400);
  });

  it('maps domain errors to their status', async () => {
    const res = await call(event({ body: JSON.stringify({ name: 'taken', qty: 1 }) }));
    expect(res.statusCode).toBe(409);
    expect(res.json).toEqual({ message: 'name taken', code: 'CONFLICT' });
  });

  it('hides unexpected errors behind a bare 500', async () => {
    const res = await call(event({ body: JSON.stringify({ name: 'crash', qty: 1 }) }));
    expect(res.statusCode).toBe(500);
    expect(res.json).toEqual({
      message: 'Internal server error',
      code: 'INTERNAL_ERROR',
    });
    expect(res.body).not.toContain('db.ts');
  });

  it('sets JSON, security and correlation headers on errors too', async () => {
    const res = await call(
      event({
        body: '{',
        headers: {
          'content-type': 'application/json',
          'x-correlation-id': 'abc-123',
        },
      }),
    );
    const headers = new Headers(res.headers as Record<string, string>);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('x-correlation-id')).toBe('abc-123');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('accepts a base64-encoded JSON body', async () => {
    const res = await call(
      event({
        isBase64Encoded: true,
        body: Buffer.from(JSON.stringify({ name: 'b64', qty: 3 })).toString('base64'),
      }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.json.name).toBe('b64');
  });
});

describe('httpHandler CORS (param corsAllowedOrigins)', () => {
  const corsHandler = httpHandler(
    {
      body: z.strictObject({ name: z.string() }),
      handle: async ({ body }) => json(201, body),
    },
    { CORS_ALLOWED_ORIGINS: 'https://shop.example.com, http://localhost:5173' },
  );
  const from = (origin: string, body = JSON.stringify({ name: 'x' })) =>
    corsHandler(event({ headers: { 'Content-Type': 'application/json', Origin: origin }, body }), context);

  it('gives an allowed origin itself back, on answers and on errors, never with credentials', async () => {
    for (const response of [await from('http://localhost:5173'), await from('http://localhost:5173', '{"nope":1}')]) {
      expect(response.headers).toMatchObject({ 'access-control-allow-origin': 'http://localhost:5173', vary: 'Origin' });
      expect(response.headers).not.toHaveProperty('access-control-allow-credentials');
    }
  });

  it('gives any other origin no CORS header, and nothing at all when the list is empty', async () => {
    for (const origin of ['https://evil.example', 'https://shop.example.com.evil.example', 'null'])
      expect(Object.keys((await from(origin)).headers ?? {}).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const noCors = await handler(event({ headers: { 'Content-Type': 'application/json', Origin: 'https://shop.example.com' } }), context);
    expect(Object.keys(noCors.headers ?? {}).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });
});

describe('httpHandler bodies as serverless-offline passes them', () => {
  it('reads a falsy JSON body that arrives already parsed (false, 0) as that JSON: a 400, not a crash', async () => {
    for (const parsed of [false, 0]) {
      const res = await call(event({ body: parsed as unknown as string }));
      expect(res.statusCode).toBe(400);
      expect(res.json).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });
});

describe('basePathOf: where the routes start, as the caller reached them', () => {
  /** The event as each gateway builds it for GET /docs: the request path it reports, the resource path, the Host. */
  const at = (requestPath: string, domainName: string | undefined, stage = 'localstack', apiId = 'a1b2c3d4e5') =>
    basePathOf({
      path: '/docs',
      requestContext: { path: requestPath, apiId, stage, ...(domainName ? { domainName } : {}) } as APIGatewayProxyEvent['requestContext'],
    });

  it('AWS: the stage in the URL', () => {
    expect(at('/dev/docs', 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com', 'dev')).toBe('/dev/');
  });

  it('AWS custom domain: its base path mapping, or none (a mapping named like the stage too)', () => {
    expect(at('/shop/docs', 'api.example.com', 'dev')).toBe('/shop/');
    expect(at('/dev/docs', 'api.example.com', 'dev')).toBe('/dev/');
    expect(at('/docs', 'api.example.com', 'dev')).toBe('/');
  });

  it('serverless offline behind the local gateway (no stage in the URL)', () => {
    expect(at('/docs', 'offlineContext_domainName', 'local')).toBe('/');
    expect(basePathOf({ path: '/docs', requestContext: {} as APIGatewayProxyEvent['requestContext'] })).toBe('/');
  });

  // LocalStack 4.14 reports /<stage><path> as the request path whatever the URL (execute_api/handlers/parse.py),
  // and the client's Host as domainName.
  it('LocalStack host-style (http://<api>.execute-api.localhost.localstack.cloud:4566/<stage>): the stage', () => {
    expect(at('/localstack/docs', 'a1b2c3d4e5.execute-api.localhost.localstack.cloud:4566')).toBe('/localstack/');
    expect(at('/localstack/docs', 'A1B2C3D4E5.execute-api.localhost.localstack.cloud')).toBe('/localstack/');
  });

  it('LocalStack path-style (/_aws/execute-api/<api>/<stage>, /restapis/<api>/<stage>/_user_request_): that prefix', () => {
    for (const host of [
      '127.0.0.1:4566',
      'localhost:4566',
      'localhost.localstack.cloud:4566',
      'localstack:4566',
      'localhost.localstack.cloud',
    ])
      expect(at('/localstack/docs', host), host).toBe('/_aws/execute-api/a1b2c3d4e5/localstack/');
  });

  it('reaches the docs page through httpHandler', async () => {
    const seen: string[] = [];
    const docs = httpHandler({ handle: async ({ basePath }) => (seen.push(basePath), json(200, {})) });
    await docs(
      event({
        httpMethod: 'GET',
        path: '/docs',
        body: null,
        headers: {},
        requestContext: { path: '/localstack/docs', apiId: 'a1b2c3d4e5', stage: 'localstack', domainName: '127.0.0.1:4566' } as never,
      }),
      context,
    );
    expect(seen).toEqual(['/_aws/execute-api/a1b2c3d4e5/localstack/']);
  });
});
