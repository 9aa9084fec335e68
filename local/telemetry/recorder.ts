/**
 * The recorder the local stack's hooks call: spans into a bounded ring buffer (and, for a persistent stack, appended
 * to `<data dir>/telemetry/traces.jsonl`), the functions' log lines joined on their X-Ray trace id, and the current
 * trace carried across awaits (AsyncLocalStorage), so an invocation made while a span is open becomes its child.
 *
 * Telemetry never breaks nor slows a request path: every entry point is guarded (an error is swallowed and counted in
 * `errors`), nothing is awaited on the request path, and nothing runs while the stack is idle (no timers; the file is
 * written as spans end).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { RingBuffer } from './ring-buffer.js';
import {
  newSpanId,
  newTraceId,
  traceHeader,
  type AttributeValue,
  type Span,
  type SpanKind,
  type SpanLink,
  type TraceContext,
} from './span.js';

const SPAN_CAPACITY = 20_000;
const LOG_CAPACITY = 20_000;
const CORRELATION_MEMORY = 20_000;

export interface SpanInit {
  name: string;
  kind: SpanKind;
  service: string;
  /** The trace and parent span: `null` starts a new trace; undefined continues the current one (or starts one). */
  parent?: TraceContext | null;
  links?: SpanLink[];
  attributes?: Record<string, AttributeValue | undefined>;
  correlationIds?: Array<string | undefined>;
  localOnly?: boolean;
  startTime?: number;
}

export interface ActiveSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** The X-Amzn-Trace-Id value that makes the next hop's spans this span's children. */
  header(): string;
  set(attributes: Record<string, AttributeValue | undefined>): void;
  correlate(ids: Array<string | undefined>): void;
  end(status?: 'ok' | 'error', attributes?: Record<string, AttributeValue | undefined>): void;
}

/** What the hooks get when telemetry is off or failed: does nothing. */
export const NO_SPAN: ActiveSpan = {
  traceId: '',
  spanId: '',
  header: () => '',
  set: () => undefined,
  correlate: () => undefined,
  end: () => undefined,
};

/** A queue's dead-letter rule (its RedrivePolicy) and its visibility timeout, from the template. */
export interface QueueRedrive {
  deadLetterQueue: string;
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
}

/** A function's log line with its trace id (Powertools' `xray_trace_id`). */
export interface LogRecord {
  time: number;
  traceId: string;
  line: Record<string, unknown>;
}

export interface TelemetryOptions {
  /** traces.jsonl: each ended span, one JSON line (undefined: memory only). */
  file?: string;
  /** Called with each ended span (the OTLP exporter, the metrics). */
  onSpan?: Array<(span: Span) => void>;
  /** Called with each JSON line of the functions' output (the EMF metrics). */
  onJsonLine?: Array<(line: Record<string, unknown>) => void>;
  now?: () => number;
}

export class Telemetry {
  /** Errors telemetry swallowed (a hook that threw): never the request's. */
  errors = 0;
  /** Each queue's dead-letter rule, by queue name (the stack fills it from the template): the redrive spans need it. */
  readonly queueRedrives = new Map<string, QueueRedrive>();
  private readonly spans = new RingBuffer<Span>(SPAN_CAPACITY);
  private readonly logs = new RingBuffer<LogRecord>(LOG_CAPACITY);
  private readonly correlationOfTrace = new Map<string, string>();
  private readonly current = new AsyncLocalStorage<TraceContext>();
  private file: WriteStream | undefined;
  private readonly now: () => number;

  constructor(private readonly options: TelemetryOptions = {}) {
    this.now = options.now ?? (() => performance.timeOrigin + performance.now());
  }

  /** Runs `fn`; a throw is counted and `fallback` returned instead. */
  guard<T>(fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch {
      this.errors++;
      return fallback;
    }
  }

  /** Runs `fn` with `span` as the current span (invocations made inside become its children). */
  within<T>(span: ActiveSpan, fn: () => T): T {
    if (span === NO_SPAN) return fn();
    return this.current.run({ traceId: span.traceId, parentSpanId: span.spanId }, fn);
  }

  start(init: SpanInit): ActiveSpan {
    return this.guard(() => this.open(init), NO_SPAN);
  }

  /** Ended spans, oldest first. */
  all(): Span[] {
    return this.spans.toArray();
  }

  trace(traceId: string): Span[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  /**
   * Every span of every trace that served `correlationId` (a trace with any span carrying it: the gateway's, a stream
   * batch's or a queue batch's, which read it from the records), oldest first.
   */
  correlated(correlationId: string): Span[] {
    const all = this.spans.toArray();
    const traces = new Set(all.filter((span) => span.correlationIds.includes(correlationId)).map((span) => span.traceId));
    return all.filter((span) => traces.has(span.traceId)).sort((a, b) => a.startTime - b.startTime);
  }

  /** Recent correlation ids, newest first, with their first span's start and trace. */
  recentCorrelations(limit = 50): Array<{ correlationId: string; startTime: number; traceId: string; name: string }> {
    const seen = new Map<string, { correlationId: string; startTime: number; traceId: string; name: string }>();
    for (const span of this.spans.toArray()) {
      for (const id of span.correlationIds) {
        const known = seen.get(id);
        if (!known || span.startTime < known.startTime)
          seen.set(id, { correlationId: id, startTime: span.startTime, traceId: span.traceId, name: span.name });
      }
    }
    return [...seen.values()].sort((a, b) => b.startTime - a.startTime).slice(0, limit);
  }

  /** One line of the functions' output (serverless offline's): kept when it carries a trace id, passed to the EMF reader. */
  line(text: string): void {
    this.guard(() => {
      const trimmed = text.trim();
      if (!trimmed.startsWith('{')) return;
      const parsed = JSON.parse(trimmed) as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return;
      const line = parsed as Record<string, unknown>;
      const traceId = typeof line.xray_trace_id === 'string' ? line.xray_trace_id : undefined;
      if (traceId) this.logs.push({ time: this.now(), traceId, line });
      for (const consumer of this.options.onJsonLine ?? []) consumer(line);
    }, undefined);
  }

  logsOf(traceId: string): LogRecord[] {
    return this.logs.filter((record) => record.traceId === traceId);
  }

  close(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    return new Promise((resolve) => (file ? file.end(() => resolve()) : resolve()));
  }

  private open(init: SpanInit): ActiveSpan {
    const startTime = init.startTime ?? this.now();
    const parent = init.parent === null ? undefined : (init.parent ?? this.current.getStore());
    const traceId = parent?.traceId ?? newTraceId(startTime);
    const spanId = newSpanId();
    const attributes: Record<string, AttributeValue> = {};
    const correlationIds: string[] = [];
    const set = (more: Record<string, AttributeValue | undefined> | undefined) => {
      for (const [key, value] of Object.entries(more ?? {})) if (value !== undefined) attributes[key] = value;
    };
    const correlate = (ids: Array<string | undefined> | undefined) => {
      for (const id of ids ?? []) if (id && !correlationIds.includes(id)) correlationIds.push(id);
      if (correlationIds[0]) this.remember(traceId, correlationIds[0]);
    };
    set(init.attributes);
    correlate(init.correlationIds);
    let ended = false;
    return {
      traceId,
      spanId,
      header: () => traceHeader({ traceId, parentSpanId: spanId }),
      set: (more) => this.guard(() => set(more), undefined),
      correlate: (ids) => this.guard(() => correlate(ids), undefined),
      end: (status = 'ok', more) =>
        this.guard(() => {
          if (ended) return;
          ended = true;
          set(more);
          this.record({
            traceId,
            spanId,
            ...(parent?.parentSpanId ? { parentSpanId: parent.parentSpanId } : {}),
            name: init.name,
            kind: init.kind,
            service: init.service,
            startTime,
            endTime: Math.max(startTime, this.now()),
            status,
            attributes,
            links: init.links ?? [],
            correlationIds,
            ...(init.localOnly ? { localOnly: true } : {}),
          });
        }, undefined),
    };
  }

  /** Keeps an ended span; its trace's correlation id fills in a span that has none (a DynamoDB call, an invocation). */
  record(span: Span): void {
    this.guard(() => {
      const known = this.correlationOfTrace.get(span.traceId);
      if (span.correlationIds.length === 0 && known) span.correlationIds.push(known);
      else if (span.correlationIds[0]) this.remember(span.traceId, span.correlationIds[0]);
      if (span.correlationIds[0]) span.attributes['correlation_id'] = span.correlationIds.join(',');
      this.spans.push(span);
      this.append(span);
      for (const consumer of this.options.onSpan ?? []) consumer(span);
    }, undefined);
  }

  private remember(traceId: string, correlationId: string): void {
    if (this.correlationOfTrace.has(traceId)) return;
    this.correlationOfTrace.set(traceId, correlationId);
    if (this.correlationOfTrace.size > CORRELATION_MEMORY)
      this.correlationOfTrace.delete(this.correlationOfTrace.keys().next().value as string);
  }

  private append(span: Span): void {
    if (!this.options.file) return;
    if (!this.file) {
      mkdirSync(dirname(this.options.file), { recursive: true });
      this.file = createWriteStream(this.options.file, { flags: 'a' });
      this.file.on('error', () => {
        this.errors++;
        this.options.file = undefined;
      });
    }
    this.file.write(`${JSON.stringify(span)}\n`);
  }
}
