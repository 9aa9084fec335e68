import { describe, expect, it } from 'vitest';
import { apiEvent, lambdaContext } from '../../../tests/support/lambda.js';
import { handler } from './health.js';

const call = async (event = apiEvent({ path: '/health' })) => {
  const response = await handler(event, lambdaContext);
  return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
};

describe('GET /health', () => {
  it('answers 200 {"status":"UP"} with stage, version and start time', async () => {
    const response = await call();
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({
      status: 'UP',
      stage: expect.any(String),
      version: expect.any(String),
      startedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    expect(response.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store' });
  });

  it('needs no body, and ignores one whatever its type', async () => {
    expect((await call(apiEvent({ body: 'not json', headers: { 'Content-Type': 'text/plain' } }))).statusCode).toBe(200);
  });

  it('echoes a well-formed x-correlation-id and replaces a malformed one', async () => {
    const echoed = await call(apiEvent({ headers: { 'X-Correlation-Id': 'probe-42' } }));
    expect(echoed.headers?.['x-correlation-id']).toBe('probe-42');
    const replaced = await call(apiEvent({ headers: { 'X-Correlation-Id': 'bad id\n' } }));
    expect(replaced.headers?.['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
