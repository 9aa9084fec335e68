/**
 * The spans of each hop the local stack mediates, as AWS would make them, for the hooks in the stack's files (each
 * one or two lines there). Every function here is guarded: what it cannot read, it leaves out; it never throws.
 */
import { NO_SPAN, type ActiveSpan, type Telemetry } from './recorder.js';
import { parseTraceHeader, type SpanLink } from './span.js';

export const SERVICES = {
  gateway: 'AWS::ApiGateway::Stage',
  lambda: 'AWS::Lambda::Function',
  events: 'AWS::Events::EventBus',
  sqs: 'AWS::SQS::Queue',
  stream: 'AWS::DynamoDB::Stream',
  dynamodb: 'AWS::DynamoDB::Table',
} as const;

/** `ecommerce-local-placeOrder` -> `placeOrder`. */
export function shortFunctionName(functionName: string): string {
  return /^[^-]+-[^-]+-(.+)$/.exec(functionName)?.[1] ?? functionName;
}

/** The correlation id an event carries in `metadata.correlationId` (the bus's events, in an SQS body or a PutEvents Detail). */
function correlationOfEvent(text: unknown): string | undefined {
  if (typeof text !== 'string' || !text.includes('correlationId')) return undefined;
  const parsed = JSON.parse(text) as { detail?: { metadata?: { correlationId?: unknown } }; metadata?: { correlationId?: unknown } };
  const id = parsed.detail?.metadata?.correlationId ?? parsed.metadata?.correlationId;
  return typeof id === 'string' ? id : undefined;
}

/** A Lambda invocation the stack makes (pollers, scheduler, authorizer) or passes on: a child of the current span. */
export function invocationSpan(telemetry: Telemetry | undefined, functionName: string, parentHeader?: string): ActiveSpan {
  if (!telemetry) return NO_SPAN;
  return telemetry.start({
    name: shortFunctionName(functionName),
    kind: 'server',
    service: SERVICES.lambda,
    ...(parentHeader ? { parent: parseTraceHeader(parentHeader) ?? null } : {}),
    attributes: { 'faas.name': shortFunctionName(functionName), 'aws.lambda.function_name': functionName },
  });
}

interface QueueRecord {
  body: string;
  attributes: { AWSTraceHeader?: string; SentTimestamp?: string };
}

/** A queue batch: a new trace linked to the traces that sent its messages (their AWSTraceHeader), as AWS links them. */
export function queueBatchSpan(
  telemetry: Telemetry | undefined,
  queueArn: string,
  functionName: string,
  records: QueueRecord[],
): ActiveSpan {
  if (!telemetry) return NO_SPAN;
  return telemetry.guard(() => {
    const now = Date.now();
    const links: SpanLink[] = [];
    const waits: number[] = [];
    const correlations: Array<string | undefined> = [];
    for (const record of records) {
      const producer = parseTraceHeader(record.attributes.AWSTraceHeader);
      if (producer?.parentSpanId)
        links.push({ traceId: producer.traceId, spanId: producer.parentSpanId, attributes: { 'messaging.link': 'producer' } });
      const sent = Number(record.attributes.SentTimestamp);
      if (Number.isFinite(sent)) waits.push(Math.max(0, now - sent));
      correlations.push(telemetry.guard(() => correlationOfEvent(record.body), undefined));
    }
    const queue = queueArn.split(':').pop();
    const longestWait = waits.length > 0 ? Math.max(...waits) : undefined;
    return telemetry.start({
      name: `${queue} -> ${shortFunctionName(functionName)}`,
      kind: 'consumer',
      service: SERVICES.sqs,
      parent: null,
      links,
      correlationIds: correlations,
      attributes: {
        'messaging.system': 'aws_sqs',
        'messaging.destination.name': queue,
        'messaging.batch.message_count': records.length,
        'aws.sqs.queue_wait_ms': longestWait,
      },
      // The span starts when the oldest message was sent: its length shows the wait in the queue.
      ...(longestWait !== undefined ? { startTime: now - longestWait } : {}),
    });
  }, NO_SPAN);
}

interface StreamRecord {
  dynamodb?: { NewImage?: Record<string, { S?: string } | undefined>; OldImage?: Record<string, { S?: string } | undefined> };
}

/** A stream batch: a new root (a stream carries no trace context on AWS), marked as the break it is. */
export function streamBatchSpan(
  telemetry: Telemetry | undefined,
  tableName: string,
  functionName: string,
  records: StreamRecord[],
): ActiveSpan {
  if (!telemetry) return NO_SPAN;
  return telemetry.guard(
    () =>
      telemetry.start({
        name: `${tableName} stream -> ${shortFunctionName(functionName)}`,
        kind: 'consumer',
        service: SERVICES.stream,
        parent: null,
        correlationIds: records.map((record) => (record.dynamodb?.NewImage ?? record.dynamodb?.OldImage)?.correlationId?.S),
        attributes: { 'aws.dynamodb.table_names': tableName, 'aws.stream.break': true, 'messaging.batch.message_count': records.length },
      }),
    NO_SPAN,
  );
}

/** A PutEvents call on the local bus: a child of the caller's invocation (its X-Amzn-Trace-Id). */
export function putEventsSpan(telemetry: Telemetry | undefined, traceHeader: string | undefined, body: Buffer): ActiveSpan {
  if (!telemetry) return NO_SPAN;
  return telemetry.guard(() => {
    const entries = (
      (JSON.parse(body.toString('utf8')) as { Entries?: Array<{ DetailType?: unknown; Detail?: unknown }> }).Entries ?? []
    ).slice(0, 10);
    return telemetry.start({
      name: `PutEvents ${[...new Set(entries.map((entry) => String(entry.DetailType)))].join(',')}`,
      kind: 'producer',
      service: SERVICES.events,
      parent: parseTraceHeader(traceHeader) ?? null,
      correlationIds: entries.map((entry) => telemetry.guard(() => correlationOfEvent(entry.Detail), undefined)),
      attributes: { 'rpc.method': 'PutEvents', 'aws.events.entry_count': entries.length },
    });
  }, NO_SPAN);
}

/** A DynamoDB call through the pass-through: local only (X-Ray shows it on AWS only with an SDK in the bundle). */
export function dynamoDbSpan(
  telemetry: Telemetry | undefined,
  traceHeader: string | undefined,
  operation: string,
  body: Buffer,
): ActiveSpan {
  if (!telemetry) return NO_SPAN;
  const parent = parseTraceHeader(traceHeader);
  if (!parent) return NO_SPAN; // the stack's own calls (stream readers, provisioning) are not a request's
  return telemetry.guard(() => {
    const table = (JSON.parse(body.toString('utf8')) as { TableName?: unknown }).TableName;
    return telemetry.start({
      name: `DynamoDB ${operation}`,
      kind: 'client',
      service: SERVICES.dynamodb,
      parent,
      localOnly: true,
      attributes: { 'rpc.method': operation, 'aws.dynamodb.table_names': typeof table === 'string' ? table : undefined },
    });
  }, NO_SPAN);
}

/** The gateway's request span (a new trace, or the client's when it sends X-Amzn-Trace-Id) and its integration's invocation. */
export function gatewaySpans(
  telemetry: Telemetry | undefined,
  request: { method: string; path: string; route?: string; functionName?: string; traceHeader?: string; correlationId?: string },
): { request: ActiveSpan; invocation: ActiveSpan } {
  if (!telemetry) return { request: NO_SPAN, invocation: NO_SPAN };
  return telemetry.guard(
    () => {
      const span = telemetry.start({
        name: `${request.method} ${request.route ?? request.path}`,
        kind: 'server',
        service: SERVICES.gateway,
        parent: parseTraceHeader(request.traceHeader) ?? null,
        correlationIds: [request.correlationId],
        attributes: { 'http.request.method': request.method, 'url.path': request.path, 'http.route': request.route },
      });
      const invocation = request.functionName
        ? telemetry.within(span, () => invocationSpan(telemetry, request.functionName as string))
        : NO_SPAN;
      return { request: span, invocation };
    },
    { request: NO_SPAN, invocation: NO_SPAN },
  );
}

/**
 * A Lambda Invoke's ClientContext (base64 JSON) with `custom.traceHeader` set to `span`'s header, kept beside what the
 * caller put there: the shared handler wrapper sets `_X_AMZN_TRACE_ID` from it under offline. Undefined without a span.
 */
export function clientContextWithTrace(
  telemetry: Telemetry | undefined,
  existing: string | undefined,
  span: ActiveSpan,
): string | undefined {
  if (!telemetry || span === NO_SPAN) return existing;
  return telemetry.guard(() => {
    const context = existing ? (JSON.parse(Buffer.from(existing, 'base64').toString('utf8')) as { custom?: Record<string, unknown> }) : {};
    const withTrace = { ...context, custom: { ...context.custom, traceHeader: span.header() } };
    return Buffer.from(JSON.stringify(withTrace)).toString('base64');
  }, existing);
}

interface BatchRecord {
  messageId: string;
  body: string;
  attributes: { ApproximateReceiveCount?: string };
}

/**
 * Ends a queue batch's span: an error when any message failed (it returns to the queue; Lambda's invocation itself
 * succeeded, as AWS counts it). A failed message on its last allowed receive gets a span for its move to the DLQ, a
 * child of the batch, which ends when the queue moves it (its visibility timeout later).
 */
export function endQueueBatch(
  telemetry: Telemetry | undefined,
  span: ActiveSpan,
  queueArn: string,
  records: BatchRecord[],
  outcome: { invoked: boolean; failedIds: string[] },
): void {
  if (!telemetry || span === NO_SPAN) return;
  const failed = new Set(outcome.failedIds);
  span.end(outcome.invoked && failed.size === 0 ? 'ok' : 'error', {
    'aws.sqs.received_counts': records.map((record) => record.attributes.ApproximateReceiveCount ?? '1').join(','),
    'aws.sqs.failed_count': failed.size,
  });
  const queue = queueArn.split(':').pop() ?? queueArn;
  const redrive = telemetry.queueRedrives.get(queue);
  if (!redrive) return;
  telemetry.guard(() => {
    for (const record of records) {
      if (!failed.has(record.messageId) || Number(record.attributes.ApproximateReceiveCount ?? 1) < redrive.maxReceiveCount) continue;
      const move = telemetry.start({
        name: `${queue} -> ${redrive.deadLetterQueue} (redrive)`,
        kind: 'producer',
        service: SERVICES.sqs,
        parent: { traceId: span.traceId, parentSpanId: span.spanId },
        correlationIds: [telemetry.guard(() => correlationOfEvent(record.body), undefined)],
        attributes: {
          'messaging.system': 'aws_sqs',
          'messaging.operation': 'send',
          'messaging.destination.name': redrive.deadLetterQueue,
          'messaging.message.id': record.messageId,
          'aws.sqs.receive_count': Number(record.attributes.ApproximateReceiveCount),
          'aws.sqs.max_receive_count': redrive.maxReceiveCount,
        },
      });
      setTimeout(() => move.end('error'), redrive.visibilityTimeoutSeconds * 1000).unref();
    }
  }, undefined);
}
