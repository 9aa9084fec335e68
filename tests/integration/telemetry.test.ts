/**
 * The local stack's traces and metrics (local/telemetry/): one order placed over HTTP with a correlation id is found
 * hop by hop at /api/traces?correlationId=, in causal order, as several traces linked as AWS links them (a stream
 * batch starts a new root; a queue batch a new trace linked to its producers); placeOrder's log lines carry the first
 * trace's id; /metrics parses as Prometheus text and counts what the run did. A poisoned message (a valid envelope whose
 * data breaks the contract) shows each failed delivery, and its move to the DLQ, under its own correlation id, and the
 * DLQ's depth in /metrics.
 */
import { randomUUID } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, expect, it } from 'vitest';
import { documentClient, sqsClient } from '../support/aws.js';
import { describeLocal, queueUrl } from '../support/env.js';
import { TEST_PORTS } from '../support/ports.js';
import { telemetryPortOf } from '../../local/telemetry/index.js';
import { busEventBody, createProduct, names, queueDepth } from './saga-helpers.js';
import { newSession, placeOrder, settledOrder, type Session } from '../e2e/orders-support.js';

const telemetryUrl = `http://127.0.0.1:${telemetryPortOf(TEST_PORTS)}`;

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  status: { code: number };
  links: Array<{ traceId: string; spanId: string }>;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

async function spansOf(correlationId: string): Promise<OtlpSpan[]> {
  const answer = await fetch(`${telemetryUrl}/api/traces?correlationId=${encodeURIComponent(correlationId)}`);
  expect(answer.status).toBe(200);
  const otlp = (await answer.json()) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
  return otlp.resourceSpans
    .flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans))
    .sort((a, b) => Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)));
}

/** Prometheus text exposition: `name{labels} value` samples (a small parser of the format; comments skipped). */
function parsePrometheus(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    samples.push({ name: match[1] as string, labels: labels as Record<string, string>, value: Number(match[3]) });
  }
  return samples;
}

const nanos = (span: OtlpSpan) => Number(BigInt(span.startTimeUnixNano) / 1000n); // microseconds

describeLocal('traces and metrics of the local stack', () => {
  const n = names();
  const correlationId = `telemetry-${randomUUID()}`;
  let session: Session;
  let spans: OtlpSpan[] = [];

  beforeAll(async () => {
    session = await newSession('telemetry');
    const productId = `TELEMETRY-${randomUUID()}`;
    await createProduct(documentClient(), n.catalogsTable, { productId, stock: 5, unitPrice: 300 });
    const placed = await placeOrder(session, { productId, qty: 1, unitPrice: 1 }, { 'x-correlation-id': correlationId });
    expect(placed.status).toBe(201);
    await settledOrder(session, placed.body.orderId as string);
    // settleOrders' invocation ends just before its answer is read: wait for its span.
    const deadline = Date.now() + 20_000;
    do {
      spans = await spansOf(correlationId);
      if (spans.some((span) => span.name === 'settleOrders')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    } while (Date.now() < deadline);
  });

  it('finds every hop of the saga, each starting at or after its parent or linked producer', () => {
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const first = (name: string | RegExp, after = -1) => {
      const found = spans.find((span) => (typeof name === 'string' ? span.name === name : name.test(span.name)) && nanos(span) >= after);
      if (!found) throw new Error(`no span ${String(name)} among ${spans.map((span) => span.name).join(', ')}`);
      return found;
    };
    const gateway = first(/^POST \/users\/\{userId\}\/orders$/);
    const hops = [
      gateway,
      first('placeOrder'),
      first(/^DynamoDB TransactWriteItems|^DynamoDB PutItem/),
      first(/orders stream -> publishOrderEvents$/),
      first('publishOrderEvents'),
      first(/^PutEvents .*OrderPlaced/),
      first(/catalogs-inbox -> reserveStock$/),
      first('reserveStock'),
      first(/^PutEvents .*Stock(Reserved|Rejected)/),
      first(/orders-inbox -> settleOrders$/),
      first('settleOrders'),
    ];
    for (let i = 1; i < hops.length; i++)
      expect(nanos(hops[i] as OtlpSpan), `${hops[i]?.name} after ${hops[i - 1]?.name}`).toBeGreaterThanOrEqual(
        nanos(hops[i - 1] as OtlpSpan),
      );
    for (const span of spans) {
      const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
      if (parent) expect(nanos(span)).toBeGreaterThanOrEqual(nanos(parent));
      for (const link of span.links) {
        const producer = byId.get(link.spanId);
        if (producer) expect(nanos(span), `${span.name} after its producer ${producer.name}`).toBeGreaterThanOrEqual(nanos(producer));
      }
    }
    // The DynamoDB call is local-only (X-Ray would not show it without an SDK in the bundle); placeOrder is the gateway's child.
    expect(hops[2]?.attributes).toContainEqual({ key: 'local.only', value: { boolValue: true } });
    expect(hops[1]?.parentSpanId).toBe(gateway.spanId);
  });

  it('has at least four traces, the stream batch a new root and each queue batch linked to the PutEvents that sent it', () => {
    const traces = new Set(spans.map((span) => span.traceId));
    expect(traces.size).toBeGreaterThanOrEqual(4);
    const stream = spans.find((span) => /orders stream -> publishOrderEvents$/.test(span.name));
    expect(stream?.parentSpanId).toBeUndefined();
    expect(stream?.links).toEqual([]);
    for (const [queue, event] of [
      [/catalogs-inbox -> reserveStock$/, /^PutEvents .*OrderPlaced/],
      [/orders-inbox -> settleOrders$/, /^PutEvents .*Stock/],
    ] as const) {
      const batch = spans.find((span) => queue.test(span.name));
      const producer = spans.find((span) => event.test(span.name));
      expect(batch?.links.map((link) => link.spanId)).toContain(producer?.spanId);
      expect(batch?.traceId).not.toBe(producer?.traceId);
      expect(batch?.attributes.map((a) => a.key)).toContain('aws.sqs.queue_wait_ms');
    }
  });

  it("carries the first trace's id in placeOrder's log lines (xray_trace_id, as Lambda's runtime sets it)", async () => {
    const gateway = spans[0] as OtlpSpan;
    const xrayId = `1-${gateway.traceId.slice(0, 8)}-${gateway.traceId.slice(8)}`;
    const logs = (await (await fetch(`${telemetryUrl}/api/logs?traceId=${xrayId}`)).json()) as {
      logs: Array<{ line: Record<string, unknown> }>;
    };
    expect(logs.logs.length).toBeGreaterThan(0);
    expect(logs.logs.map((record) => record.line.service)).toContain('orders');
    const zipkin = (await (await fetch(`${telemetryUrl}/api/traces/${xrayId}?format=zipkin`)).json()) as Array<{ traceId: string }>;
    expect(zipkin.every((span) => span.traceId === gateway.traceId)).toBe(true);
  });

  it('serves Prometheus text that counts what the run did', async () => {
    const answer = await fetch(`${telemetryUrl}/metrics`);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    const samples = parsePrometheus(await answer.text());
    const value = (name: string, labels: Record<string, string>) =>
      samples
        .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0);
    expect(value('aws_apigateway_count', { method: 'POST', resource: '/users/{userId}/orders' })).toBeGreaterThanOrEqual(1);
    for (const fn of ['placeOrder', 'publishOrderEvents', 'reserveStock', 'settleOrders'])
      expect(value('aws_lambda_invocations', { function_name: fn }), fn).toBeGreaterThanOrEqual(1);
    expect(value('ecommerce_http2xx', { service: 'orders' })).toBeGreaterThanOrEqual(1);
    expect(samples.some((s) => s.name === 'aws_sqs_approximate_number_of_messages_visible' && s.labels.queue_name === n.ordersDlq)).toBe(
      true,
    );
  });

  it('shows a poisoned message: each failed delivery, its move to the DLQ, and the DLQ depth in /metrics', async () => {
    const sqs = sqsClient();
    const poisonId = `telemetry-poison-${randomUUID()}`;
    // A valid envelope whose data breaks OrderPlaced's contract: reserveStock fails it on every receive.
    const body = busEventBody({
      source: 'ecommerce.orders',
      detailType: 'OrderPlaced',
      detail: {
        metadata: { eventId: randomUUID(), correlationId: poisonId, occurredAt: new Date().toISOString(), version: 1 },
        data: { orderId: 42 },
      },
    });
    const dlqBefore = await queueDepth(sqs, queueUrl(n.catalogsDlq));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(n.catalogsInbox), MessageBody: body }));
    // Three receives, a visibility timeout apart (12 s on the local stage), then the queue moves it.
    const redrive = `${n.catalogsInbox} -> ${n.catalogsDlq} (redrive)`;
    let poisoned: OtlpSpan[] = [];
    const deadline = Date.now() + 80_000;
    while (Date.now() < deadline && !poisoned.some((span) => span.name === redrive)) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      poisoned = await spansOf(poisonId);
    }
    const batches = poisoned.filter((span) => span.name === `${n.catalogsInbox} -> reserveStock`);
    expect(batches.length, poisoned.map((span) => span.name).join(', ')).toBeGreaterThanOrEqual(3);
    for (const batch of batches) {
      expect(batch.status.code, 'a delivery whose message failed is an error').toBe(2);
      expect(poisoned.some((span) => span.name === 'reserveStock' && span.parentSpanId === batch.spanId)).toBe(true);
    }
    const move = poisoned.find((span) => span.name === redrive);
    const last = batches.at(-1) as OtlpSpan;
    expect(move?.parentSpanId).toBe(last.spanId);
    expect(move?.attributes).toContainEqual({ key: 'aws.sqs.receive_count', value: { intValue: '3' } });
    // The invocations' log lines say why (the consumer's error line), joined on their traces.
    const xrayId = `1-${last.traceId.slice(0, 8)}-${last.traceId.slice(8)}`;
    const logs = (await (await fetch(`${telemetryUrl}/api/logs?traceId=${xrayId}`)).json()) as {
      logs: Array<{ line: Record<string, unknown> }>;
    };
    expect(logs.logs.map((record) => record.line.level)).toContain('ERROR');

    const dlqDepth = async () =>
      parsePrometheus(await (await fetch(`${telemetryUrl}/metrics`)).text()).find(
        (s) => s.name === 'aws_sqs_approximate_number_of_messages_visible' && s.labels.queue_name === n.catalogsDlq,
      )?.value;
    let depth = await dlqDepth();
    for (let i = 0; i < 20 && (depth ?? 0) <= dlqBefore; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      depth = await dlqDepth();
    }
    expect(depth).toBe(dlqBefore + 1);

    // The suites after this one find the DLQ as it was.
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(n.catalogsDlq), MaxNumberOfMessages: 10 }));
    for (const message of received.Messages ?? [])
      if (message.Body?.includes(poisonId))
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl(n.catalogsDlq), ReceiptHandle: message.ReceiptHandle }));
  }, 120_000);
});
