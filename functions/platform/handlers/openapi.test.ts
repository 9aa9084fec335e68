// GET /openapi.json: the description, its server the base path the caller reached the stage under.
import { describe, expect, it } from 'vitest';
import { apiEvent, lambdaContext } from '../../../tests/support/lambda.js';
import { handler } from './openapi.js';

const get = async (requestPath: string) => {
  const event = apiEvent({ path: '/openapi.json', requestContext: { path: requestPath } as never });
  const response = await handler(event, lambdaContext);
  return { ...response, json: JSON.parse(response.body) as { openapi: string; servers: Array<{ url: string }>; paths: object } };
};

describe('GET /openapi.json', () => {
  it('serves OpenAPI 3.1 with the stage as the server: "/" locally, "/dev" behind a stage prefix', async () => {
    const local = await get('/openapi.json');
    expect(local.statusCode).toBe(200);
    expect(local.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(local.json.openapi).toBe('3.1.0');
    expect(local.json.servers).toEqual([{ url: '/' }]);
    expect(Object.keys(local.json.paths)).toContain('/users/{userId}/orders');
    expect((await get('/dev/openapi.json')).json.servers).toEqual([{ url: '/dev' }]);
  });
});
