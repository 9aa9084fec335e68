// GET /asyncapi.json and GET /docs/events: the generated document as served, and the page made from it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { apiEvent, lambdaContext } from '../../../tests/support/lambda.js';
import packageJson from '../../../package.json' with { type: 'json' };
import { asyncApiDocument } from '../../shared/events/asyncapi.js';
import { EXAMPLES_DIR, loadEventExamples } from '../../shared/events/asyncapi-examples.js';
import { eventDataSchemas } from '../../shared/events/contracts.js';
import { CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY } from '../page-headers.js';
import { asyncApiHandler } from './asyncapi.js';

const header = (response: APIGatewayProxyResult, name: string) =>
  Object.entries(response.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];

/** As API Gateway sends it: the stage in the request context's path, not in the event's. */
const onStage = (path: string): Partial<APIGatewayProxyEvent> => ({
  path,
  requestContext: { path: `/dev${path}`, stage: 'dev' } as APIGatewayProxyEvent['requestContext'],
});

const getDocument = (handler = asyncApiHandler()) =>
  handler(apiEvent({ path: '/asyncapi.json', resource: '/asyncapi.json' }), lambdaContext);
const getPage = (overrides: Partial<APIGatewayProxyEvent> = {}) =>
  asyncApiHandler()(apiEvent({ path: '/docs/events', resource: '/docs/events', ...overrides }), lambdaContext);

afterEach(() => vi.unstubAllEnvs());

describe('GET /asyncapi.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'asyncapi-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the document `npm run asyncapi` writes, for the version the stage runs', async () => {
    vi.stubEnv('SERVICE_VERSION', packageJson.version);
    const response = await getDocument();
    expect(response.statusCode).toBe(200);
    expect(header(response, 'content-type')).toBe('application/json');
    const file = join(dir, 'asyncapi.json');
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/asyncapi.ts', file], { stdio: 'pipe' });
    const written = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    expect(JSON.parse(response.body)).toEqual(written);
    expect(written).toEqual(asyncApiDocument({ version: packageJson.version, examples: loadEventExamples() }));
  });

  it('says the stage version, and is made once', async () => {
    vi.stubEnv('SERVICE_VERSION', '9.9.9');
    const handler = asyncApiHandler();
    const first = await getDocument(handler);
    expect(JSON.parse(first.body)).toMatchObject({ asyncapi: '3.1.0', info: { version: '9.9.9' } });
    vi.stubEnv('SERVICE_VERSION', '0.0.1');
    expect((await getDocument(handler)).body).toBe(first.body);
  });

  it('has the examples only where the package has them: without the files, messages without examples', async () => {
    const response = await getDocument(asyncApiHandler(dir));
    const messages = (JSON.parse(response.body) as { components: { messages: Record<string, { examples?: unknown }> } }).components
      .messages;
    expect(Object.values(messages).filter((message) => message.examples)).toEqual([]);
  });

  it('ships every example file in the asyncapi function zip (functions/platform/functions.yml)', () => {
    const yml = readFileSync('functions/platform/functions.yml', 'utf8');
    const section = yml.slice(yml.indexOf('\nasyncapi:'), yml.indexOf('\n', yml.indexOf('events:', yml.indexOf('\nasyncapi:'))));
    const patterns = [...section.matchAll(/^ {6}- (\S+)$/gm)].map((match) => match[1] as string);
    const matches = (file: string) =>
      patterns.some((pattern) => new RegExp(`^${pattern.replaceAll('.', '\\.').replaceAll('*', '[^/]*')}$`).test(file));
    const files = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(matches(`${EXAMPLES_DIR}/${file}`), file).toBe(true);
  });
});

describe('GET /docs/events', () => {
  it('serves the page: HTML, revalidated, under the docs pages’ CSP', async () => {
    const response = await getPage();
    expect(response.statusCode).toBe(200);
    expect(header(response, 'content-type')).toBe('text/html; charset=utf-8');
    expect(header(response, 'cache-control')).toBe('no-cache');
    expect(header(response, 'content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(header(response, 'permissions-policy')).toBe(PERMISSIONS_POLICY);
    expect(header(response, 'x-content-type-options')).toBe('nosniff');
  });

  it('lists every event with its data and example, and the queues with their DLQs', async () => {
    const { body } = await getPage();
    for (const type of Object.keys(eventDataSchemas)) {
      expect(body).toContain(`<section class="event" id="event-${type}">`);
      expect(body).toContain(`<h3>${type}</h3>`);
    }
    for (const queue of ['ecommerce-{stage}-catalogs-inbox', 'ecommerce-{stage}-orders-inbox-dlq']) expect(body).toContain(queue);
    expect(body).toContain('&#34;detail-type&#34;: &#34;OrderPlaced&#34;');
  });

  it('has no script at all, and links only to the stage', async () => {
    const { body } = await getPage();
    expect(body).not.toMatch(/<script/i);
    expect(body).not.toMatch(/\son\w+=/i);
    expect(body).not.toMatch(/https?:\/\//);
    const urls = [...body.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1] as string);
    expect(urls.filter((url) => !url.startsWith('#') && url !== 'data:,').sort()).toEqual(['/asyncapi.json', '/docs', '/openapi.json']);
  });

  it('on API Gateway, its links start with the stage', async () => {
    const { body } = await getPage(onStage('/docs/events'));
    expect(body).toContain('href="/dev/docs"');
    expect(body).toContain('href="/dev/asyncapi.json"');
  });
});
