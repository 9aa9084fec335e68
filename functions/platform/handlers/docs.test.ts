import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { apiEvent, lambdaContext } from '../../../tests/support/lambda.js';
import { CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY } from '../page-headers.js';
import { ASSETS, docsHandler, handler, PAGE_FILE } from './docs.js';

const getPage = (overrides: Partial<APIGatewayProxyEvent> = {}) =>
  handler(apiEvent({ path: '/docs', resource: '/docs', ...overrides }), lambdaContext);
const getAsset = (asset: string, v?: string) =>
  handler(
    apiEvent({
      path: `/docs/${asset}`,
      resource: '/docs/{asset}',
      pathParameters: { asset },
      queryStringParameters: v === undefined ? null : { v },
    }),
    lambdaContext,
  );
/** As API Gateway sends it: the stage in the request context's path, not in the event's. */
const onStage = (path: string): Partial<APIGatewayProxyEvent> => ({
  path,
  requestContext: { path: `/dev${path}`, stage: 'dev' } as APIGatewayProxyEvent['requestContext'],
});

const header = (response: APIGatewayProxyResult, name: string) =>
  Object.entries(response.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];

/** The page's src/href/data-openapi-url values. */
const urlsOf = (html: string) => [...html.matchAll(/\b(?:src|href|data-openapi-url)="([^"]*)"/g)].map((match) => match[1] as string);

describe('GET /docs', () => {
  it('serves the page: HTML, revalidated on every visit, under its own CSP', async () => {
    const response = await getPage();
    expect(response.statusCode).toBe(200);
    expect(header(response, 'content-type')).toBe('text/html; charset=utf-8');
    expect(header(response, 'cache-control')).toBe('no-cache');
    expect(header(response, 'content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    // One CSP only: httpHandler's (under which no script may run) is replaced, its other headers kept.
    for (const name of ['content-security-policy', 'permissions-policy']) {
      expect(Object.keys(response.headers ?? {}).filter((key) => key.toLowerCase() === name)).toHaveLength(1);
    }
    expect(header(response, 'permissions-policy')).toBe(PERMISSIONS_POLICY);
    expect(header(response, 'x-content-type-options')).toBe('nosniff');
    expect(header(response, 'x-frame-options')).toBe('DENY');
    expect(header(response, 'x-correlation-id')).toEqual(expect.any(String));
  });

  it("references only its own assets and the stage's openapi.json, no other site, no inline script", async () => {
    const { body } = await getPage();
    expect(body).not.toMatch(/https?:\/\//);
    expect(body).not.toMatch(/(?:src|href)="\/\//);
    expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(body).not.toContain('{{');
    const urls = urlsOf(body);
    expect(urls.filter((url) => url === '/openapi.json')).toHaveLength(2);
    // The events: their page and their document (functions/platform/handlers/asyncapi.ts).
    const events = ['/docs/events', '/asyncapi.json'];
    expect(urls.filter((url) => events.includes(url)).sort()).toEqual([...events].sort());
    const assets = urls.filter((url) => url.startsWith('/docs/') && !events.includes(url));
    expect(assets.map((url) => url.replace(/^\/docs\/([^?]+)\?v=[\w-]{16}$/, '$1')).sort()).toEqual([
      'docs-init.js',
      'swagger-ui-bundle.js',
      'swagger-ui.css',
    ]);
    expect(urls.filter((url) => !url.startsWith('/docs/') && !['/openapi.json', '/asyncapi.json', 'data:,'].includes(url))).toEqual([]);
  });

  it.each(['/docs', '/docs/'])('on API Gateway (%s), its URLs start with the stage', async (path) => {
    const urls = urlsOf((await getPage(onStage(path))).body).filter((url) => url !== 'data:,');
    expect(urls.length).toBeGreaterThan(3);
    for (const url of urls) expect(url).toMatch(/^\/dev\/(?:openapi\.json$|asyncapi\.json$|docs\/)/);
  });
});

describe('GET /docs/{asset}', () => {
  it.each(Object.entries(ASSETS))('serves %s with its content type', async (name, asset) => {
    const response = await getAsset(name);
    expect(response.statusCode).toBe(200);
    expect(header(response, 'content-type')).toBe(asset.contentType);
    expect(response.body.length).toBeGreaterThan(100);
    expect(header(response, 'x-content-type-options')).toBe('nosniff');
  });

  it('serves the files the page names for good, and any other URL of them revalidated', async () => {
    const { body } = await getPage();
    for (const url of urlsOf(body).filter((u) => u.startsWith('/docs/') && u !== '/docs/events')) {
      const [, name, v] = /^\/docs\/([^?]+)\?v=(.+)$/.exec(url) as RegExpExecArray;
      const response = await getAsset(name as string, v);
      expect(response.statusCode).toBe(200);
      expect(header(response, 'cache-control')).toBe('public, max-age=31536000, immutable');
    }
    expect(header(await getAsset('swagger-ui.css'), 'cache-control')).toBe('no-cache');
    expect(header(await getAsset('swagger-ui.css', 'stale'), 'cache-control')).toBe('no-cache');
  });

  it('serves Swagger UI as shipped, less the stylesheet source map it does not ship', async () => {
    const bundle = await getAsset('swagger-ui-bundle.js');
    expect(bundle.body).toBe(readFileSync('node_modules/swagger-ui-dist/swagger-ui-bundle.js', 'utf8'));
    expect((await getAsset('swagger-ui.css')).body).not.toContain('sourceMappingURL');
  });

  it.each([
    'index.html',
    'swagger-ui.js',
    'swagger-ui-bundle.js.map',
    'package.json',
    '..',
    '../docs.ts',
    '..%2Fdocs.ts',
    '../../../package.json',
    '/etc/passwd',
    'docs.html',
    'constructor',
    '__proto__',
    'hasOwnProperty',
    '',
  ])('answers 404 in the error shape for %j', async (name) => {
    const response = await getAsset(name);
    expect(response.statusCode).toBe(404);
    expect(header(response, 'content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toEqual({ message: 'No such docs asset', code: 'NOT_FOUND' });
    expect(header(response, 'x-correlation-id')).toEqual(expect.any(String)); // the local gateway passes it through as ours
  });

  it('ships every file it serves in the docs function zip (functions/platform/functions.yml)', () => {
    const yml = readFileSync('functions/platform/functions.yml', 'utf8');
    const docs = yml.slice(yml.indexOf('\ndocs:'));
    const patterns = [...docs.matchAll(/^ {6}- (\S+)$/gm)].map((match) => match[1] as string);
    const expand = (pattern: string) => {
      const braces = /^(.*)\{([^}]+)\}$/.exec(pattern);
      return braces ? (braces[2] as string).split(',').map((name) => `${braces[1]}${name}`) : [pattern];
    };
    expect(patterns.flatMap(expand)).toEqual(expect.arrayContaining([PAGE_FILE, ...Object.values(ASSETS).map((asset) => asset.file)]));
  });
});

describe('a package without its files', () => {
  const root = mkdtempSync(join(tmpdir(), 'docs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('answers 500 in the error shape', async () => {
    const response = await docsHandler(root)(apiEvent({ path: '/docs', resource: '/docs' }), lambdaContext);
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ message: 'Internal server error', code: 'INTERNAL_ERROR' });
  });
});
