/**
 * The telemetry port (127.0.0.1:16686 + the port offset, the port a Jaeger user knows):
 * - `GET /api/traces?correlationId=<id>` and `GET /api/traces/<traceId>` (X-Ray or W3C form): OTLP/JSON, or Zipkin v2
 *   JSON with `format=zipkin`;
 * - `GET /api/logs?traceId=<id>`: the functions' log lines of that trace (Powertools' `xray_trace_id`);
 * - `GET /api/correlations`: recent correlation ids, newest first;
 * - `GET /metrics`: Prometheus text.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { toOtlp, toZipkin } from './formats.js';
import type { LocalMetrics } from './metrics.js';
import type { Telemetry } from './recorder.js';
import { isTraceId, xrayTraceId, type Span } from './span.js';

const HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
};

export async function startTelemetryServer(options: { port: number; telemetry: Telemetry; metrics: LocalMetrics }): Promise<Server> {
  const { telemetry, metrics } = options;
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { ...HEADERS, 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const spans = (res: ServerResponse, format: string | null, found: Span[]) =>
    json(res, 200, format === 'zipkin' ? toZipkin(found) : toOtlp(found));

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const format = url.searchParams.get('format');
    if (req.method !== 'GET') return json(res, 405, { message: 'Only GET', code: 'METHOD_NOT_ALLOWED' });
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
    if (url.pathname === '/') {
      res.writeHead(200, { ...HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      res.end(
        'Local stack telemetry\n  GET /api/correlations\n  GET /api/traces?correlationId=<id>[&format=zipkin]\n  GET /api/traces/<traceId>[?format=zipkin]\n  GET /api/logs?traceId=<id>\n  GET /metrics\n',
      );
      return;
    }
    json(res, 404, { message: 'Not found', code: 'NOT_FOUND' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return server;
}
