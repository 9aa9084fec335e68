/**
 * The local stack's telemetry pages in a real browser (Debian's chromium, driven by playwright-core, as the docs page's
 * test): for an order placed with correlation id C, the traces page draws the saga's waterfall in causal order across
 * its traces (links drawn, the stream break marked), the X-Ray toggle hides the local-only rows, a row shows its
 * invocation's log lines; the dashboard page draws the template's widgets from the metrics. No console error, and every
 * request goes to the stack's telemetry port: the pages load nothing from anywhere else.
 * Local stack only; needs /usr/bin/chromium (skipped without).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../support/aws.js';
import { isLocalStack } from '../support/env.js';
import { TEST_PORTS } from '../support/ports.js';
import { telemetryPortOf } from '../../local/telemetry/index.js';
import { createProduct, names } from '../integration/saga-helpers.js';
import { newSession, placeOrder, settledOrder } from './orders-support.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`tests/e2e/telemetry-browser.test.ts skipped: no ${CHROMIUM} (apt-get install chromium)`);
const telemetryOrigin = `http://127.0.0.1:${telemetryPortOf(TEST_PORTS)}`;

/** The saga's hops, as the waterfall must list them (other rows may come between). */
const HOPS = [
  /^POST \/users\/\{userId\}\/orders$/,
  /^placeOrder$/,
  /^DynamoDB (TransactWriteItems|PutItem)$/,
  /orders stream -> publishOrderEvents$/,
  /^publishOrderEvents$/,
  /^PutEvents .*OrderPlaced/,
  /catalogs-inbox -> reserveStock$/,
  /^reserveStock$/,
  /^PutEvents .*Stock(Reserved|Rejected)/,
  /orders-inbox -> settleOrders$/,
  /^settleOrders$/,
];

describe.skipIf(!isLocalStack() || !haveChromium)(`the telemetry pages in Chromium (local stack only; skipped without ${CHROMIUM})`, () => {
  let browser: Browser | undefined;
  let page: Page;
  const correlationId = `browser-${randomUUID()}`;
  const requested: string[] = [];
  /** Console errors, script errors, failed requests and error answers: none is expected. */
  const problems: string[] = [];

  const rowNames = () => page.locator('.row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-name') ?? ''));

  beforeAll(async () => {
    const session = await newSession('telemetry-browser');
    const productId = `TELEMETRY-BROWSER-${randomUUID()}`;
    await createProduct(documentClient(), names().catalogsTable, { productId, stock: 5, unitPrice: 250 });
    const placed = await placeOrder(session, { productId, qty: 1, unitPrice: 1 }, { 'x-correlation-id': correlationId });
    expect(placed.status).toBe(201);
    await settledOrder(session, placed.body.orderId as string);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking'] });
    page = await browser.newPage();
    page.setDefaultTimeout(30_000);
    // Every request is seen here; one to another origin is refused (and fails the test below).
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      requested.push(url);
      if (new URL(url).origin === telemetryOrigin) await route.continue();
      else await route.abort();
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
    });
    const loaded = await page.goto(`${telemetryOrigin}/?correlationId=${encodeURIComponent(correlationId)}`);
    expect(loaded?.status()).toBe(200);
    // The page looks again every 3 s: wait until the saga's last hop is drawn.
    await page.locator('.row[data-name="settleOrders"]').first().waitFor();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('lists the request among the recent ones and draws its saga in causal order, across linked traces', async () => {
    await expect(page.locator('#correlations li.current a').textContent()).resolves.toBe(correlationId);
    const shown = await rowNames();
    let at = -1;
    for (const hop of HOPS) {
      const found = shown.findIndex((name, i) => i > at && hop.test(name));
      expect(found, `${String(hop)} after row ${at} in ${shown.join(' | ')}`).toBeGreaterThan(at);
      at = found;
    }
    expect(await page.locator('.trace-head').count()).toBeGreaterThanOrEqual(4);
    // The stream batch starts a new root (marked); each queue batch's trace is linked to the PutEvents that sent it.
    expect(await page.locator('.trace-head.stream-break').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('svg.links path.link').count()).toBeGreaterThanOrEqual(2);
    const linkedTo = await page.locator('svg.links path.link').evaluateAll((paths) => paths.map((p) => p.getAttribute('data-to')));
    const batchIds = await page
      .locator('.row')
      .evaluateAll((rows) =>
        rows.filter((row) => /-inbox -> /.test(row.getAttribute('data-name') ?? '')).map((row) => row.getAttribute('data-span-id')),
      );
    for (const id of batchIds) expect(linkedTo).toContain(id);
  });

  it('hides the local-only rows (the DynamoDB calls) when showing only what X-Ray shows, and shows them again', async () => {
    const localOnly = await page.locator('.row[data-local-only="true"]').count();
    expect(localOnly).toBeGreaterThan(0);
    const all = await page.locator('.row').count();
    await page.locator('#xray-only').check();
    expect(await page.locator('.row[data-local-only="true"]').count()).toBe(0);
    expect(await page.locator('.row').count()).toBe(all - localOnly);
    expect((await rowNames()).some((name) => name.startsWith('DynamoDB '))).toBe(false);
    expect(await page.locator('#summary').textContent()).toContain(`${localOnly} local-only span`);
    // What X-Ray shows stays in order: the hops that are not local-only.
    const shown = await rowNames();
    expect(shown.findIndex((name) => name === 'placeOrder')).toBeLessThan(shown.findIndex((name) => name === 'settleOrders'));
    await page.locator('#xray-only').uncheck();
    expect(await page.locator('.row[data-local-only="true"]').count()).toBe(localOnly);
  });

  it("shows an invocation's log lines, joined on its trace id", async () => {
    await page.locator('.row[data-name="placeOrder"]').first().click();
    await page.locator('#details pre.logs').waitFor();
    const details = (await page.locator('#details').textContent()) ?? '';
    expect(details).toMatch(/Log lines of this invocation \([1-9]/);
    expect(details).toContain('aws.lambda.function_name');
  });

  it("draws the template's dashboard widgets from the metrics", async () => {
    const loaded = await page.goto(`${telemetryOrigin}/dashboard`);
    expect(loaded?.status()).toBe(200);
    const requests = page.locator('section.widget[data-title="API requests and errors"]');
    await requests.locator('.series').first().waitFor();
    const count = Number(await requests.locator('.series[data-label="Count"] .value').textContent());
    expect(count).toBeGreaterThanOrEqual(1);
    expect(await page.locator('section.widget').count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('section.widget svg.spark').count()).toBeGreaterThan(0);
  });

  it('asked nothing of any other origin, and met no error', () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => new URL(url).origin !== telemetryOrigin)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
