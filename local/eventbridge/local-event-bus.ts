/**
 * A local EventBridge: answers `PutEvents` (the JSON protocol the AWS SDK speaks) and delivers each
 * entry to the SQS queues whose rules match it, using the rules compiled into the template.
 * Written here because serverless-offline-aws-eventbridge only invokes Lambda targets, never SQS.
 * Delivery happens before the response, so a test that reads the queues right after sees the result.
 */
import { randomUUID } from 'node:crypto';
import { admitted, readBody, type Authorize } from '../iam-gate.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RuleSpec } from '../cloudformation.js';
import { putEventsSpan } from '../telemetry/hooks.js';
import type { Telemetry } from '../telemetry/recorder.js';
import { assertValidEventPattern, matchesEventPattern, type EventPattern } from './event-pattern.js';

export interface EventBusOptions {
  port: number;
  region: string;
  accountId: string;
  eventBuses: string[];
  rules: RuleSpec[];
  sqs: SQSClient;
  queueUrl: (queueName: string) => string;
  /** Called after a message was sent to a queue (the stack wakes that queue's poller). */
  onDelivered?: (queueName: string) => void;
  log?: (message: string) => void;
  /** IAM as the caller's role allows (local/iam/: events:PutEvents with events:source and events:detail-type); undefined: not enforced. */
  authorize?: Authorize;
  /** A span per PutEvents call (local/telemetry/); none without it. */
  telemetry?: Telemetry;
}

interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
  Time?: unknown;
}

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** The event as EventBridge hands it to targets (and as rule patterns see it). */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

const MAX_ENTRIES = 10;
const MAX_ENTRY_BYTES = 256 * 1024;

export class LocalEventBus {
  private server: Server | undefined;
  private readonly rules: Array<RuleSpec & { pattern: EventPattern }>;
  /** Every accepted event, newest last (bounded); handy for tests and debugging. */
  readonly recent: BusEvent[] = [];

  constructor(private readonly options: EventBusOptions) {
    this.rules = options.rules
      .filter((rule) => rule.enabled)
      .map((rule) => {
        assertValidEventPattern(rule.eventPattern);
        return { ...rule, pattern: rule.eventPattern };
      });
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.options.port, '127.0.0.1', () => resolve());
    });
  }

  /** The port it listens on (useful when started with port 0). */
  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Routes one event to every matching rule's queues; returns the queue names it reached. */
  async route(busName: string, event: BusEvent, traceHeader?: string): Promise<string[]> {
    const reached: string[] = [];
    for (const rule of this.rules) {
      if (rule.eventBusName !== busName || !matchesEventPattern(rule.pattern, event as unknown as Record<string, unknown>)) continue;
      for (const target of rule.targets) {
        await this.options.sqs.send(
          new SendMessageCommand({
            QueueUrl: this.options.queueUrl(target.queueName),
            MessageBody: JSON.stringify(event),
            // EventBridge passes the caller's trace on to SQS as the AWSTraceHeader system attribute.
            ...(traceHeader ? { MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: traceHeader } } } : {}),
          }),
        );
        reached.push(target.queueName);
        this.options.onDelivered?.(target.queueName);
      }
    }
    return reached;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(body));
    };
    try {
      const target = req.headers['x-amz-target'];
      const body = await readBody(req);
      if (!admitted(this.options.authorize, 'events', req, body, res)) return;
      if (target !== 'AWSEvents.PutEvents') {
        send(400, { __type: 'UnknownOperationException', message: `Local event bus supports only PutEvents, not ${String(target)}` });
        return;
      }
      const input = JSON.parse(body.toString('utf8')) as { Entries?: PutEventsEntry[] };
      const entries = input.Entries ?? [];
      if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
        send(400, { __type: 'ValidationException', message: `Entries must hold 1 to ${MAX_ENTRIES} entries` });
        return;
      }
      const callerTrace = headerOf(req, 'x-amzn-trace-id');
      const span = putEventsSpan(this.options.telemetry, callerTrace, body);
      const traceHeader = span.header() || callerTrace;
      const results: EntryResult[] = [];
      for (const entry of entries) results.push(await this.putEntry(entry, traceHeader));
      span.end(results.some((r) => 'ErrorCode' in r) ? 'error' : 'ok');
      send(200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
    } catch (error) {
      this.options.log?.(`local event bus: ${(error as Error).message}`);
      send(500, { __type: 'InternalException', message: (error as Error).message });
    }
  }

  private async putEntry(entry: PutEventsEntry, traceHeader?: string): Promise<EntryResult> {
    const busName =
      typeof entry.EventBusName === 'string' && entry.EventBusName !== '' ? (entry.EventBusName.split('/').pop() ?? '') : 'default';
    if (busName !== 'default' && !this.options.eventBuses.includes(busName)) {
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: `Event bus ${busName} does not exist.` };
    }
    if (typeof entry.Source !== 'string' || entry.Source === '') return invalid('Parameter Source is not valid.');
    if (typeof entry.DetailType !== 'string' || entry.DetailType === '') return invalid('Parameter DetailType is not valid.');
    if (typeof entry.Detail !== 'string') return invalid('Parameter Detail is not valid.');
    if (Buffer.byteLength(JSON.stringify(entry), 'utf8') > MAX_ENTRY_BYTES) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Entry size exceeds 256 KB.' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.options.accountId,
      time: toEventTime(entry.Time),
      region: this.options.region,
      resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
      detail: detail as Record<string, unknown>,
    };
    await this.route(busName, event, traceHeader);
    this.recent.push(event);
    if (this.recent.length > 1000) this.recent.shift();
    return { EventId: event.id };
  }
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function invalid(message: string): EntryResult {
  return { ErrorCode: 'InvalidArgument', ErrorMessage: message };
}

/** The SDK sends `Time` as epoch seconds; EventBridge stamps events to the second, in UTC. */
function toEventTime(time: unknown): string {
  const date = typeof time === 'number' ? new Date(time * 1000) : new Date();
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
