// The API description: valid OpenAPI 3.1 (a maintained validator, strict), and it says what the handlers do.
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { allRoutes, apiDescription } from './api-description.js';

type Operation = {
  security: unknown[];
  parameters: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }>; headers?: Record<string, unknown> }>;
};
const document = apiDescription('/', '1.2.3') as { paths: Record<string, Record<string, Operation>>; servers: unknown[] };
const operation = (method: string, path: string): Operation => {
  const found = document.paths[path]?.[method];
  if (!found) throw new Error(`no ${method} ${path} in the document`);
  return found;
};

describe('API description', () => {
  it('is valid OpenAPI 3.1', async () => {
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator can fail: an operation with an unknown field, or a response without a description.
    const broken = structuredClone(document) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    (broken.paths['/login']?.post?.responses as Record<string, Record<string, unknown>>)['200'] = { content: {} };
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('describes every route of the contract once, with its server', () => {
    const described = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(described).toHaveLength(Object.keys(allRoutes).length);
    for (const route of [
      'GET /health',
      'GET /welcome',
      'POST /users',
      'POST /login',
      'POST /token/refresh',
      'POST /logout',
      'POST /users/{userId}/sessions/revoke',
      'GET /.well-known/jwks.json',
      'GET /users',
      'GET /users/{userId}',
      'GET /catalogs',
      'GET /catalogs/{productId}',
      'POST /users/{userId}/orders',
      'GET /users/{userId}/orders',
      'GET /users/{userId}/orders/{orderId}',
      'GET /openapi.json',
      'GET /docs',
    ])
      expect(described).toContain(route);
    expect(document.servers).toEqual([{ url: '/' }]);
  });

  it('marks exactly the protected routes with the bearer scheme (naming the roles they need as its scopes), and gives them a 401', () => {
    for (const [path, methods] of Object.entries(document.paths))
      for (const [method, op] of Object.entries(methods)) {
        const route = Object.values(allRoutes).find((r) => r.path === path && r.method.toLowerCase() === method);
        expect(op.security, `${method} ${path}`).toEqual(route?.request.auth ? [{ bearerAuth: [...(route.request.roles ?? [])] }] : []);
        if (route?.request.auth) expect(Object.keys(op.responses)).toContain('401');
        if (route?.request.roles?.length) expect(Object.keys(op.responses)).toContain('403');
      }
    expect(document.paths['/orders']?.get?.security).toEqual([{ bearerAuth: ['admin'] }]);
  });

  it('describes request bodies from the handlers’ own schemas: strict, with their limits', () => {
    const signUp = operation('post', '/users').requestBody?.content['application/json']?.schema;
    expect(signUp).toMatchObject({ type: 'object', additionalProperties: false, required: ['email', 'name', 'pwd'] });
    expect(signUp?.properties).toMatchObject({ pwd: { type: 'string', minLength: 8, maxLength: 128 }, name: { maxLength: 50 } });
    const order = operation('post', '/users/{userId}/orders');
    expect(order.requestBody?.content['application/json']?.schema).toMatchObject({
      additionalProperties: false,
      properties: { qty: { type: 'integer', minimum: 1, maximum: 1000 } },
    });
    expect(order.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }));
    expect(Object.keys(order.responses).sort()).toEqual(['201', '400', '401', '403', '409', '413', '415', '500']);
  });

  it('describes pagination and the error shape, and the 429s with Retry-After', () => {
    const list = operation('get', '/catalogs');
    expect(list.parameters.map((p) => `${p.in}:${p.name}:${p.required}`)).toEqual(['query:limit:false', 'query:nextToken:false']);
    expect(list.responses['200']?.content?.['application/json']?.schema).toMatchObject({ required: ['items'] });
    const login = operation('post', '/login');
    expect(login.responses['429']?.headers).toHaveProperty('Retry-After');
    expect(login.responses['401']?.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/Error' });
  });
});
