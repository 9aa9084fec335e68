// CORS as a stage setting (docs/http-api.md, "CORS"), over HTTP: an allowed origin gets itself
// back (preflight, answers, errors the gateway makes), a refused one gets no CORS header at all.
// Needs E2E_CORS_ALLOWED_ORIGIN: the origin the stage under test allows (the local test stacks set it).
import { describe, expect, it } from 'vitest';
import { baseUrl } from '../support/env.js';

const allowed = process.env.E2E_CORS_ALLOWED_ORIGIN;
const refused = 'https://refused.example';

const corsHeaders = (response: Response) => [...response.headers.keys()].filter((name) => name.startsWith('access-control-')).sort();
const send = (method: string, path: string, headers: Record<string, string>) => fetch(`${baseUrl()}${path}`, { method, headers });

describe.skipIf(!allowed)('CORS (allowed origin from E2E_CORS_ALLOWED_ORIGIN)', () => {
  const origin = allowed as string;

  it('answers the preflight of an allowed origin: itself, the route’s methods, the request headers, no credentials', async () => {
    const response = await send('OPTIONS', '/users/some-user/orders', {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key',
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    expect(
      response.headers
        .get('access-control-allow-methods')
        ?.split(',')
        .map((m) => m.trim()),
    ).toEqual(expect.arrayContaining(['GET', 'POST']));
    const allowedHeaders = response.headers
      .get('access-control-allow-headers')
      ?.toLowerCase()
      .split(',')
      .map((h) => h.trim());
    expect(allowedHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type', 'idempotency-key', 'x-correlation-id']));
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('gives a refused origin’s preflight no CORS header', async () => {
    const response = await send('OPTIONS', '/catalogs', { Origin: refused, 'Access-Control-Request-Method': 'GET' });
    expect(corsHeaders(response)).toEqual([]);
  });

  it('names the allowed origin on answers and on errors, function-made and gateway-made', async () => {
    for (const [method, path] of [
      ['GET', '/catalogs'],
      ['GET', '/catalogs/no-such-product'],
      ['GET', '/users'], // 401: no token
      ['GET', '/no/such/route'],
    ]) {
      const response = await send(method as string, path as string, { Origin: origin });
      expect(response.headers.get('access-control-allow-origin'), `${method} ${path} (${response.status})`).toBe(origin);
      expect(response.headers.get('access-control-allow-credentials'), `${method} ${path}`).toBeNull();
    }
  });

  it('gives a refused origin no CORS header on the functions’ answers and errors', async () => {
    for (const [method, path] of [
      ['GET', '/catalogs'],
      ['GET', '/catalogs/no-such-product'],
    ]) {
      const response = await send(method as string, path as string, { Origin: refused });
      expect(corsHeaders(response), `${method} ${path}`).toEqual([]);
    }
  });

  it('never allows a refused origin on gateway-made errors (they may name the one allowed origin: a gateway response cannot choose by the request)', async () => {
    for (const [method, path] of [
      ['GET', '/users'],
      ['GET', '/no/such/route'],
    ]) {
      const response = await send(method as string, path as string, { Origin: refused });
      expect([null, origin], `${method} ${path}`).toContain(response.headers.get('access-control-allow-origin'));
      expect(response.headers.get('access-control-allow-credentials'), `${method} ${path}`).toBeNull();
    }
  });
});
