import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dashboardValues, dashboardWidgets, quantile } from './dashboard.js';
import { toOtlp, toZipkin } from './formats.js';
import { LocalMetrics } from './metrics.js';
import { NO_SPAN, Telemetry } from './recorder.js';
import { RingBuffer } from './ring-buffer.js';
import { isTraceId, newSpanId, newTraceId, parseTraceHeader, traceHeader, w3cTraceId, xrayTraceId } from './span.js';
import { endQueueBatch, queueBatchSpan, streamBatchSpan } from './hooks.js';
import { PAGE_CONTENT_SECURITY_POLICY, startTelemetryServer } from './server.js';

describe('span model', () => {
  it('makes X-Ray trace ids whose 32 hex digits are the W3C id, and 16-hex span ids', () => {
    const id = newTraceId(Date.UTC(2025, 0, 1) + 999);
    expect(id).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(id.slice(2, 10)).toBe((Date.UTC(2025, 0, 1) / 1000).toString(16));
    expect(w3cTraceId(id)).toMatch(/^[0-9a-f]{32}$/);
    expect(xrayTraceId(w3cTraceId(id))).toBe(id);
    expect(newSpanId()).toMatch(/^[0-9a-f]{16}$/);
    expect(isTraceId('1-abc-def')).toBe(false);
  });

  it('reads and writes X-Amzn-Trace-Id as AWS passes it', () => {
    const traceId = newTraceId();
    const header = traceHeader({ traceId, parentSpanId: '0123456789abcdef' });
    expect(header).toBe(`Root=${traceId};Parent=0123456789abcdef;Sampled=1`);
    expect(parseTraceHeader(header)).toEqual({ traceId, parentSpanId: '0123456789abcdef' });
    expect(parseTraceHeader(`Root=${traceId}`)).toEqual({ traceId });
    expect(parseTraceHeader('Root=nonsense;Parent=0123456789abcdef')).toBeUndefined();
    expect(parseTraceHeader(undefined)).toBeUndefined();
  });
});

describe('ring buffer', () => {
  it('keeps the newest items, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    for (const n of [1, 2]) ring.push(n);
    expect(ring.toArray()).toEqual([1, 2]);
    for (const n of [3, 4, 5]) ring.push(n);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
    expect(() => new RingBuffer(0)).toThrow();
  });
});

describe('recorder', () => {
  it('makes a child of the span open around the caller, and a new trace for a null parent', async () => {
    const telemetry = new Telemetry();
    const root = telemetry.start({ name: 'root', kind: 'server', service: 's', parent: null, correlationIds: ['C'] });
    const child = await telemetry.within(root, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return telemetry.start({ name: 'child', kind: 'server', service: 's' });
    });
    const other = telemetry.within(root, () => telemetry.start({ name: 'other', kind: 'consumer', service: 's', parent: null }));
    child.end();
    root.end();
    other.end('error');
    const [first, second, third] = telemetry.all();
    expect(first).toMatchObject({ name: 'child', traceId: root.traceId, parentSpanId: root.spanId, correlationIds: ['C'] });
    expect(second).toMatchObject({ name: 'root', traceId: root.traceId, correlationIds: ['C'] });
    expect(second?.parentSpanId).toBeUndefined();
    expect(third?.traceId).not.toBe(root.traceId);
    expect(third?.status).toBe('error');
    expect(telemetry.correlated('C').map((span) => span.name)).toEqual(['root', 'child']);
  });

  it('swallows and counts what fails inside it, and records a span once', () => {
    const telemetry = new Telemetry({
      onSpan: [
        () => {
          throw new Error('a broken consumer');
        },
      ],
    });
    const span = telemetry.start({ name: 'x', kind: 'internal', service: 's', parent: null });
    expect(() => span.end()).not.toThrow();
    span.end();
    expect(telemetry.errors).toBe(1);
    expect(telemetry.all()).toHaveLength(1);
    expect(telemetry.guard(() => JSON.parse('{'), 'fallback')).toBe('fallback');
    expect(telemetry.errors).toBe(2);
    expect(() => telemetry.line('{"not json')).not.toThrow();
    expect(telemetry.within(NO_SPAN, () => 7)).toBe(7);
  });

  it('appends each ended span to its file, one JSON line each', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'telemetry-')), 'telemetry', 'traces.jsonl');
    const telemetry = new Telemetry({ file });
    telemetry.start({ name: 'a', kind: 'server', service: 's', parent: null }).end();
    telemetry.start({ name: 'b', kind: 'server', service: 's', parent: null }).end();
    await telemetry.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { name: string }).name)).toEqual(['a', 'b']);
  });

  it('keeps the log lines that carry a trace id, for that trace', () => {
    const telemetry = new Telemetry();
    telemetry.line('{"level":"WARN","xray_trace_id":"1-00000001-000000000000000000000001","message":"m"}');
    telemetry.line('plain text');
    expect(telemetry.logsOf('1-00000001-000000000000000000000001').map((record) => record.line.message)).toEqual(['m']);
  });

  it('starts a queue batch as a new trace linked to its producers, with the wait in the queue', () => {
    const telemetry = new Telemetry();
    const producer = telemetry.start({ name: 'PutEvents', kind: 'producer', service: 's', parent: null });
    const body = JSON.stringify({ detail: { metadata: { correlationId: 'C' } } });
    const sent = Date.now() - 50;
    const batch = queueBatchSpan(telemetry, 'arn:aws:sqs:us-east-1:0:inbox', 'ecommerce-local-reserveStock', [
      { body, attributes: { AWSTraceHeader: producer.header(), SentTimestamp: String(sent) } },
    ]);
    batch.end();
    const span = telemetry.all()[0];
    expect(span?.traceId).not.toBe(producer.traceId);
    expect(span?.links).toEqual([{ traceId: producer.traceId, spanId: producer.spanId, attributes: { 'messaging.link': 'producer' } }]);
    expect(span?.correlationIds).toEqual(['C']);
    expect(Number(span?.attributes['aws.sqs.queue_wait_ms'])).toBeGreaterThanOrEqual(50);
    expect(span?.startTime).toBeLessThanOrEqual(sent + 1);
  });

  it('starts a stream batch as a new root, marked as the break, correlated from the new image', () => {
    const telemetry = new Telemetry();
    streamBatchSpan(telemetry, 'orders', 'ecommerce-local-publishOrderEvents', [
      { dynamodb: { NewImage: { correlationId: { S: 'C' } } } },
    ]).end();
    expect(telemetry.all()[0]).toMatchObject({ correlationIds: ['C'], attributes: { 'aws.stream.break': true } });
    expect(telemetry.all()[0]?.parentSpanId).toBeUndefined();
  });
});

describe('standard formats', () => {
  const telemetry = new Telemetry({ now: () => 1_700_000_000_000.5 });
  const root = telemetry.start({ name: 'POST /orders', kind: 'server', service: 'gateway', parent: null, attributes: { n: 3 } });
  const child = telemetry.within(root, () => telemetry.start({ name: 'placeOrder', kind: 'server', service: 'lambda', localOnly: true }));
  const linked = telemetry.start({
    name: 'batch',
    kind: 'consumer',
    service: 'lambda',
    parent: null,
    links: [{ traceId: root.traceId, spanId: root.spanId }],
  });
  child.end('error');
  root.end();
  linked.end();
  const spans = telemetry.all();

  it('OTLP/JSON: one resource per service, hex ids, parents, kinds, links, status, nanosecond times', () => {
    const otlp = toOtlp(spans);
    expect(otlp.resourceSpans.map((r) => r.resource.attributes.find((a) => a.key === 'service.name')?.value)).toEqual([
      { stringValue: 'lambda' },
      { stringValue: 'gateway' },
    ]);
    const [placeOrder, batch] = otlp.resourceSpans[0]?.scopeSpans[0]?.spans ?? [];
    expect(placeOrder).toMatchObject({
      traceId: w3cTraceId(root.traceId),
      parentSpanId: root.spanId,
      kind: 2,
      status: { code: 2 },
      startTimeUnixNano: '1700000000000500000',
    });
    expect(placeOrder?.attributes).toContainEqual({ key: 'local.only', value: { boolValue: true } });
    expect(batch?.kind).toBe(5);
    expect(batch?.links).toEqual([{ traceId: w3cTraceId(root.traceId), spanId: root.spanId, attributes: [] }]);
    const gateway = otlp.resourceSpans[1]?.scopeSpans[0]?.spans[0];
    expect(gateway?.attributes).toContainEqual({ key: 'n', value: { intValue: '3' } });
    expect(gateway).not.toHaveProperty('parentSpanId');
  });

  it('Zipkin v2: microseconds, kinds in capitals, links as tags', () => {
    const zipkin = toZipkin(spans);
    expect(zipkin[0]).toMatchObject({
      traceId: w3cTraceId(root.traceId),
      id: child.spanId,
      parentId: root.spanId,
      kind: 'SERVER',
      timestamp: 1_700_000_000_000_500,
      localEndpoint: { serviceName: 'lambda' },
      tags: { error: 'true', 'local.only': 'true' },
    });
    expect(zipkin[2]?.tags['link.0']).toBe(`${w3cTraceId(root.traceId)}:${root.spanId}`);
  });
});

describe('metrics', () => {
  it('sums EMF metrics and counts requests and invocations, as Prometheus text', async () => {
    const metrics = new LocalMetrics(async () => [{ queue: 'orders-dlq', visible: 2, inFlight: 0 }]);
    metrics.emfLine({
      _aws: {
        CloudWatchMetrics: [{ Namespace: 'ecommerce', Dimensions: [['service', 'stage']], Metrics: [{ Name: 'http2xx', Unit: 'Count' }] }],
      },
      service: 'orders',
      stage: 'local',
      http2xx: 1,
    });
    metrics.emfLine({
      _aws: { CloudWatchMetrics: [{ Namespace: 'ecommerce', Metrics: [{ Name: 'http2xx' }] }] },
      service: 'orders',
      stage: 'local',
      http2xx: [1, 1],
    });
    const telemetry = new Telemetry({ onSpan: [(span) => metrics.span(span)] });
    telemetry
      .start({
        name: 'g',
        kind: 'server',
        service: 'AWS::ApiGateway::Stage',
        parent: null,
        attributes: { 'http.request.method': 'POST', 'http.route': '/x' },
      })
      .end('ok', { 'http.response.status_code': 503 });
    telemetry
      .start({ name: 'f', kind: 'server', service: 'AWS::Lambda::Function', parent: null, attributes: { 'faas.name': 'f' } })
      .end('error');
    const text = await metrics.text();
    expect(text).toContain('ecommerce_http2xx{namespace="ecommerce",service="orders",stage="local"} 3');
    expect(text).toContain('aws_apigateway_5xx{method="POST",resource="/x"} 1');
    expect(text).toContain('aws_lambda_errors{function_name="f"} 1');
    expect(text).toContain('aws_sqs_approximate_number_of_messages_visible{queue_name="orders-dlq"} 2');
  });
});

describe('queue batch outcome', () => {
  it('marks a batch with a failed message as an error, and a message on its last receive gets its move to the DLQ', async () => {
    vi.useFakeTimers();
    try {
      const telemetry = new Telemetry();
      telemetry.queueRedrives.set('inbox', { deadLetterQueue: 'inbox-dlq', maxReceiveCount: 3, visibilityTimeoutSeconds: 12 });
      const body = JSON.stringify({ detail: { metadata: { correlationId: 'C' } } });
      const batch = (count: string) => {
        const span = queueBatchSpan(telemetry, 'arn:aws:sqs:us-east-1:0:inbox', 'ecommerce-local-reserveStock', [{ body, attributes: {} }]);
        const records = [
          { messageId: 'm1', body, attributes: { ApproximateReceiveCount: count } },
          { messageId: 'm2', body: '{}', attributes: { ApproximateReceiveCount: count } },
        ];
        endQueueBatch(telemetry, span, 'arn:aws:sqs:us-east-1:0:inbox', records, { invoked: true, failedIds: ['m1'] });
        return span;
      };
      batch('2');
      const last = batch('3');
      expect(telemetry.all().map((span) => span.status)).toEqual(['error', 'error']);
      expect(telemetry.all()[0]?.attributes['aws.sqs.failed_count']).toBe(1);
      vi.advanceTimersByTime(12_000);
      const moves = telemetry.all().filter((span) => span.name === 'inbox -> inbox-dlq (redrive)');
      expect(moves).toHaveLength(1);
      expect(moves[0]).toMatchObject({ traceId: last.traceId, parentSpanId: last.spanId, correlationIds: ['C'], kind: 'producer' });
      expect(moves[0]?.attributes).toMatchObject({ 'messaging.message.id': 'm1', 'aws.sqs.receive_count': 3 });

      const ok = queueBatchSpan(telemetry, 'arn:aws:sqs:us-east-1:0:inbox', 'f', [{ body, attributes: {} }]);
      endQueueBatch(telemetry, ok, 'arn:aws:sqs:us-east-1:0:inbox', [], { invoked: true, failedIds: [] });
      expect(telemetry.all().at(-1)?.status).toBe('ok');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('dashboard', () => {
  const template = {
    Resources: {
      Dashboard: {
        Type: 'AWS::CloudWatch::Dashboard',
        Properties: {
          DashboardBody: {
            'Fn::Sub': [
              JSON.stringify({
                widgets: [
                  {
                    type: 'metric',
                    x: 12,
                    y: 0,
                    width: 12,
                    height: 6,
                    properties: {
                      title: 'API latency in ${AWS::Region}',
                      metrics: [
                        ['AWS/ApiGateway', 'Latency', 'ApiName', '${ApiName}', { stat: 'p50' }],
                        ['...', { stat: 'p99' }],
                      ],
                    },
                  },
                  {
                    type: 'metric',
                    x: 0,
                    y: 0,
                    width: 12,
                    height: 6,
                    properties: {
                      title: 'API requests',
                      stat: 'Sum',
                      metrics: [
                        ['AWS/ApiGateway', 'Count', 'ApiName', '${ApiName}'],
                        ['.', '5XXError', '.', '.'],
                      ],
                    },
                  },
                  {
                    type: 'metric',
                    x: 0,
                    y: 6,
                    width: 24,
                    height: 6,
                    properties: {
                      title: 'Lambda and queues',
                      metrics: [
                        [{ expression: `SEARCH('{AWS/Lambda,FunctionName} FunctionName="\${Prefix}-" MetricName="Errors"', 'Sum', 60)` }],
                        [
                          {
                            expression: `SEARCH('{AWS/Lambda,FunctionName} FunctionName="\${Prefix}-" MetricName="Throttles"', 'Sum', 60)`,
                          },
                        ],
                        [
                          {
                            expression: `SEARCH('{AWS/SQS,QueueName} QueueName="\${Prefix}-" MetricName="ApproximateNumberOfMessagesVisible"', 'Maximum', 60)`,
                          },
                        ],
                        [{ expression: `SEARCH('{ecommerce,service,stage} stage="local"', 'Sum', 60)` }],
                        ['ecommerce', 'ordersPaid', 'service', 'orders', 'stage', 'local'],
                      ],
                    },
                  },
                  { type: 'alarm', x: 0, y: 12, width: 6, height: 3, properties: { title: 'Alarms', alarms: ['arn:x'] } },
                ],
              }),
              { ApiName: 'ecommerce-local', Prefix: 'ecommerce-local' },
            ],
          },
        },
      },
    },
  };

  it("reads the template's widgets in layout order, CloudWatch's shorthand and SEARCH expressions expanded", () => {
    const widgets = dashboardWidgets(template, { region: 'us-east-1', accountId: '0', stackName: 's' });
    expect(widgets.map((w) => w.title)).toEqual(['API requests', 'API latency in us-east-1', 'Lambda and queues', 'Alarms']);
    expect(widgets[3]).toMatchObject({ metrics: [], note: 'The alarm widget is shown on AWS only.' });
    expect(widgets[0]?.metrics[1]).toEqual({
      kind: 'metric',
      namespace: 'AWS/ApiGateway',
      name: '5XXError',
      dimensions: { ApiName: 'ecommerce-local' },
      stat: 'Sum',
    });
    expect(widgets[1]?.metrics.map((m) => m.kind === 'metric' && [m.name, m.stat])).toEqual([
      ['Latency', 'p50'],
      ['Latency', 'p99'],
    ]);
    expect(widgets[2]?.metrics[0]).toMatchObject({
      kind: 'search',
      namespace: 'AWS/Lambda',
      terms: { FunctionName: 'ecommerce-local-', MetricName: 'Errors' },
      stat: 'Sum',
    });
  });

  it('fills each widget from the local series: sums, quantiles, one series per function or queue a SEARCH finds', async () => {
    const metrics = new LocalMetrics(async () => [
      { queue: 'ecommerce-local-orders-dlq', visible: 2, inFlight: 0 },
      { queue: 'other-stack-queue', visible: 9, inFlight: 0 },
    ]);
    const telemetry = new Telemetry({ onSpan: [(span) => metrics.span(span)] });
    for (const [ms, status] of [
      [10, 201],
      [30, 503],
      [40, 200],
    ] as const) {
      telemetry
        .start({
          name: 'g',
          kind: 'server',
          service: 'AWS::ApiGateway::Stage',
          parent: null,
          startTime: Date.now() - ms,
          attributes: { 'http.request.method': 'GET', 'http.route': '/x' },
        })
        .end('ok', { 'http.response.status_code': status });
    }
    telemetry
      .start({ name: 'f', kind: 'server', service: 'AWS::Lambda::Function', parent: null, attributes: { 'faas.name': 'placeOrder' } })
      .end('error');
    metrics.emfLine({
      _aws: { CloudWatchMetrics: [{ Namespace: 'ecommerce', Metrics: [{ Name: 'ordersPaid' }] }] },
      service: 'orders',
      stage: 'local',
      ordersPaid: 2,
    });
    const filled = await dashboardValues(dashboardWidgets(template, { region: 'r', accountId: '0', stackName: 's' }), metrics.registry);
    const values = (title: string) =>
      Object.fromEntries(filled.find((w) => w.title.startsWith(title))?.series.map((s) => [s.label, s.value]) ?? []);
    expect(values('API requests')).toEqual({ Count: 3, '5XXError': 1 });
    const latency = values('API latency');
    expect(latency['Latency p50']).toBeGreaterThan(10);
    expect(latency['Latency p50']).toBeLessThanOrEqual(50);
    expect(latency['Latency p99']).toBeGreaterThanOrEqual(latency['Latency p50'] as number);
    const lambda = values('Lambda and queues');
    expect(lambda.placeOrder).toBe(1);
    expect(lambda['Throttles (no local series)']).toBeNaN();
    expect(lambda['ecommerce-local-orders-dlq']).toBe(2);
    expect(Object.keys(lambda).some((label) => label.includes('other-stack-queue'))).toBe(false);
    expect(lambda['ordersPaid orders']).toBe(2);
    // A search for a metric nothing counted yet says so.
    const none = await dashboardValues(
      dashboardWidgets(template, { region: 'r', accountId: '0', stackName: 's' }),
      new LocalMetrics().registry,
    );
    expect(none.find((w) => w.title === 'Lambda and queues')?.series.map((s) => [s.label, s.value])).toContainEqual([
      'Errors (none yet)',
      0,
    ]);
    expect(lambda.ordersPaid).toBe(2);
  });

  it('interpolates a quantile inside its bucket', () => {
    const buckets = [
      { le: 10, count: 0 },
      { le: 20, count: 10 },
      { le: Infinity, count: 10 },
    ];
    expect(quantile(0.5, buckets)).toBe(15);
    expect(quantile(0.5, [])).toBe(0);
  });
});

describe('telemetry server', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const telemetry = new Telemetry();
    server = await startTelemetryServer({ port: 0, telemetry, metrics: new LocalMetrics() });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it('serves the pages, their script and style with a CSP that allows nothing from elsewhere', async () => {
    for (const [path, type] of [
      ['/', 'text/html'],
      ['/dashboard', 'text/html'],
      ['/ui/traces.js', 'text/javascript'],
      ['/ui/dashboard.js', 'text/javascript'],
      ['/ui/page.css', 'text/css'],
    ] as const) {
      const answer = await fetch(`${base}${path}`);
      expect(answer.status, path).toBe(200);
      expect(answer.headers.get('content-type')).toContain(type);
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('content-security-policy')).toBe(PAGE_CONTENT_SECURITY_POLICY);
      const text = await answer.text();
      // Nothing the CSP would block: no inline script or style, no other origin.
      expect(text).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
      if (type === 'text/html') expect(text).not.toMatch(/<script>|<style|style="/);
    }
    expect(PAGE_CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(PAGE_CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  it('answers /api/dashboard with no widgets without a template, and 421 to another host name', async () => {
    expect(await (await fetch(`${base}/api/dashboard`)).json()).toEqual({ widgets: [] });
    // fetch() would not send another Host: a rebound name reaches 127.0.0.1 with its own.
    const status = await new Promise((resolve, reject) =>
      request(`${base}/api/correlations`, { headers: { host: 'attacker.example' } }, (answer) => {
        answer.resume();
        resolve(answer.statusCode);
      })
        .on('error', reject)
        .end(),
    );
    expect(status).toBe(421);
    expect((await fetch(`${base}/ui/../recorder.ts`)).status).toBe(404);
  });
});
