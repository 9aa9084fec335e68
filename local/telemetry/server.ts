/**
 * The telemetry port (127.0.0.1:16686 + the port offset, the port a Jaeger user knows):
 * - `GET /api/traces?correlationId=<id>` and `GET /api/traces/<traceId>` (X-Ray or W3C form): OTLP/JSON, or Zipkin v2
 *   JSON with `format=zipkin`;
 * - `GET /api/logs?traceId=<id>`: the functions' log lines of that trace (Powertools' `xray_trace_id`);
 * - `GET /api/correlations`: recent correlation ids, newest first;
 * - `GET /metrics`: Prometheus text;
 * - `GET /`: the traces page (recent requests, one saga's waterfall); `GET /dashboard`: the template's CloudWatch
 *   dashboard drawn from the metrics (`GET /api/dashboard`: its widgets' current values). Both are files of ui/,
 *   served with a CSP that lets them load nothing but their own script and style from this port.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { dashboardValues, type DashboardWidget } from './dashboard.js';
import { toOtlp, toZipkin } from './formats.js';
import type { LocalMetrics } from './metrics.js';
import type { Telemetry } from './recorder.js';
import { isTraceId, xrayTraceId, type Span } from './span.js';

const HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
};

/** The pages: their own script and style, and fetches to this port; nothing from elsewhere, no inline script or style. */
export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const UI_DIR = join(import.meta.dirname, 'ui');
const UI_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard': { file: 'dashboard.html', type: 'text/html; charset=utf-8' },
  '/ui/traces.js': { file: 'traces.js', type: 'text/javascript; charset=utf-8' },
  '/ui/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/ui/page.css': { file: 'page.css', type: 'text/css; charset=utf-8' },
};

/**
 * Only requests addressed to this port by a loopback name: a web page elsewhere that rebinds its own host name to
 * 127.0.0.1 (DNS rebinding) would otherwise read the traces and the log lines they join.
 */
function addressedHere(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host ?? '';
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}

export async function startTelemetryServer(options: {
  port: number;
  telemetry: Telemetry;
  metrics: LocalMetrics;
  /** The template's dashboard widgets (none without a template). */
  dashboard?: DashboardWidget[];
}): Promise<Server> {
  const { telemetry, metrics } = options;
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { ...HEADERS, 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  // Read when first asked (a stack nobody looks at never reads them), then kept.
  const pages = new Map<string, Buffer>();
  const page = (res: ServerResponse, path: string) => {
    const { file, type } = UI_FILES[path] as { file: string; type: string };
    if (!pages.has(path)) pages.set(path, readFileSync(join(UI_DIR, file)));
    res.writeHead(200, {
      ...HEADERS,
      'content-type': type,
      'content-security-policy': PAGE_CONTENT_SECURITY_POLICY,
      'referrer-policy': 'no-referrer',
    });
    res.end(pages.get(path));
  };
  const spans = (res: ServerResponse, format: string | null, found: Span[]) =>
    json(res, 200, format === 'zipkin' ? toZipkin(found) : toOtlp(found));

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const format = url.searchParams.get('format');
    if (!addressedHere(req, (server.address() as AddressInfo).port))
      return json(res, 421, { message: 'Ask 127.0.0.1 or localhost', code: 'MISDIRECTED_REQUEST' });
    if (req.method !== 'GET') return json(res, 405, { message: 'Only GET', code: 'METHOD_NOT_ALLOWED' });
    if (Object.hasOwn(UI_FILES, url.pathname)) return page(res, url.pathname);
    if (url.pathname === '/api/dashboard') {
      dashboardValues(options.dashboard ?? [], metrics.registry).then(
        (widgets) => json(res, 200, { widgets }),
        (error: Error) => json(res, 500, { message: error.message, code: 'METRICS_FAILED' }),
      );
      return;
    }
    if (url.pathname === '/metrics') {
      metrics.text().then(
        (text) => {
          res.writeHead(200, { ...HEADERS, 'content-type': metrics.registry.contentType });
          res.end(text);
        },
        (error: Error) => json(res, 500, { message: error.message, code: 'METRICS_FAILED' }),
      );
      return;
    }
    if (url.pathname === '/api/traces') {
      const correlationId = url.searchParams.get('correlationId');
      if (!correlationId) return json(res, 400, { message: 'correlationId is required', code: 'BAD_REQUEST' });
      return spans(res, format, telemetry.correlated(correlationId));
    }
    const traceMatch = /^\/api\/traces\/([0-9a-f-]+)$/.exec(url.pathname);
    if (traceMatch) {
      const id = traceMatch[1] as string;
      const traceId = /^[0-9a-f]{32}$/.test(id) ? xrayTraceId(id) : id;
      if (!isTraceId(traceId)) return json(res, 400, { message: 'Not a trace id', code: 'BAD_REQUEST' });
      const found = telemetry.trace(traceId);
      return found.length === 0 ? json(res, 404, { message: 'No such trace (yet)', code: 'NOT_FOUND' }) : spans(res, format, found);
    }
    if (url.pathname === '/api/logs') return json(res, 200, { logs: telemetry.logsOf(url.searchParams.get('traceId') ?? '') });
    if (url.pathname === '/api/correlations') return json(res, 200, { correlations: telemetry.recentCorrelations() });
    json(res, 404, { message: 'Not found', code: 'NOT_FOUND' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return server;
}
