/**
 * GET /docs in a real browser (Debian's chromium, driven by playwright-core): the page loads from the stage alone,
 * lists the routes, and "Try it out" works against the stage, log-in included (the page then sends the token); its
 * link opens the events page (GET /docs/events), which lists every event. And GET /asyncapi.json, over HTTP.
 * Needs /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it): skipped without.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncApiDocument } from '../../functions/shared/events/asyncapi.js';
import { loadEventExamples } from '../../functions/shared/events/asyncapi-examples.js';
import { eventDataSchemas } from '../../functions/shared/events/contracts.js';
import { baseUrl } from '../support/env.js';
import { api } from '../support/http.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`tests/e2e/docs-browser.test.ts skipped: no ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(!haveChromium)(`GET /docs in Chromium (skipped without ${CHROMIUM})`, () => {
  let browser: Browser | undefined;
  let page: Page;
  const requested: string[] = [];
  /** Console errors, script errors, failed requests and error answers: none is expected. */
  const problems: string[] = [];

  /** The operation `METHOD path` of the page. */
  const operation = (method: string, path: string): Locator =>
    page.locator(`.opblock.opblock-${method.toLowerCase()}`).filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) });

  /** Expands the operation, "Try it out", fills the fields, "Execute": the status and the text of the answer shown. */
  async function tryIt(op: Locator, fields: { params?: Record<string, string>; body?: unknown } = {}) {
    await op.locator('.opblock-summary-control').click();
    await op.locator('button.try-out__btn').click();
    for (const [name, value] of Object.entries(fields.params ?? {})) await op.locator(`tr[data-param-name="${name}"] input`).fill(value);
    if (fields.body !== undefined) await op.locator('textarea.body-param__text').fill(JSON.stringify(fields.body));
    await op.locator('button.execute').click();
    const status = op.locator('.live-responses-table tbody .response-col_status');
    await status.waitFor();
    return { status: (await status.textContent())?.trim(), text: (await op.locator('.live-responses-table').textContent()) ?? '' };
  }

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking'] });
    page = await browser.newPage();
    page.setDefaultTimeout(30_000);
    page.on('request', (request) => requested.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
    });
    const loaded = await page.goto(`${baseUrl()}/docs`);
    expect(loaded?.status()).toBe(200);
    await page.locator('.opblock').first().waitFor();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads from the stage alone, without an error, and lists the routes', async () => {
    expect(await page.locator('.information-container .title').textContent()).toMatch(/e-commerce/i);
    for (const [method, path] of [
      ['GET', '/catalogs'],
      ['POST', '/login'],
      ['GET', '/users/{userId}'],
    ] as const) {
      expect(await operation(method, path).count(), `${method} ${path}`).toBe(1);
      expect(await operation(method, path).isVisible()).toBe(true);
    }
    const assets = requested.filter((url) => new URL(url).pathname.includes('/docs/'));
    expect(assets.map((url) => new URL(url).pathname.replace(/^.*\/docs\//, '')).sort()).toEqual([
      'docs-init.js',
      'swagger-ui-bundle.js',
      'swagger-ui.css',
    ]);
    expect(problems).toEqual([]);
  });

  it('tries GET /catalogs: the seed products', async () => {
    const answer = await tryIt(operation('GET', '/catalogs'), { params: { limit: '100' } });
    expect(answer.status).toBe('200');
    for (const seed of ['CATALOG-001', 'Berlin', 'CATALOG-002', 'Tokyo']) expect(answer.text).toContain(seed);
  });

  it('logs in from the page, then calls a protected route with the token it got', async () => {
    const email = `docs-${randomUUID()}@example.com`;
    const password = 'correct horse battery';
    const signedUp = await api('POST', '/users', { body: { email, name: 'Docs Reader', pwd: password } });
    expect(signedUp.status).toBe(201);
    const userId = signedUp.body.userId as string;

    const login = await tryIt(operation('POST', '/login'), { body: { email, password } });
    expect(login.status).toBe('200');
    expect(login.text).toContain('"token"');

    const sent = page.waitForRequest((request) => request.url().endsWith(`/users/${userId}`));
    const user = await tryIt(operation('GET', '/users/{userId}'), { params: { userId } });
    expect((await sent).headers().authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(user.status).toBe('200');
    expect(user.text).toContain(email);
  });

  it('opens the events page from the docs page: every event of the contracts, no script, no error', async () => {
    await page.locator('.docs-intro a', { hasText: 'the events page' }).click();
    await page.waitForURL(/\/docs\/events$/);
    await page.locator('#events').waitFor();
    const listed = await page.locator('section.event h3').allTextContents();
    expect([...listed].sort()).toEqual(Object.keys(eventDataSchemas).sort());
    for (const type of Object.keys(eventDataSchemas)) expect(await page.locator(`#event-${type} pre`).isVisible(), type).toBe(true);
    expect(await page.locator('script').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('asked nothing of any other host, and met no error', () => {
    const origin = new URL(baseUrl()).origin;
    expect(requested.filter((url) => new URL(url).origin !== origin && !url.startsWith('data:'))).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe('GET /asyncapi.json', () => {
  it("is the document generated from this code's event contracts, for the version the stage runs", async () => {
    const health = await api('GET', '/health');
    const served = await api('GET', '/asyncapi.json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(asyncApiDocument({ version: health.body.version as string, examples: loadEventExamples() }));
  });
});
