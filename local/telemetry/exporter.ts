/**
 * Sends the spans to an OTLP/HTTP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT: a user's own collector or Jaeger), as
 * OTLP/JSON, in batches, best effort: a failed send is dropped. A timer runs only while spans wait.
 */
import { toOtlp } from './formats.js';
import type { Span } from './span.js';

const BATCH = 200;
const FLUSH_AFTER_MS = 1000;

export class OtlpExporter {
  private queue: Span[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly url: string;

  constructor(endpoint: string) {
    this.url = endpoint.replace(/\/+$/, '').endsWith('/v1/traces') ? endpoint : `${endpoint.replace(/\/+$/, '')}/v1/traces`;
  }

  add(span: Span): void {
    this.queue.push(span);
    if (this.queue.length >= BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_AFTER_MS).unref();
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const spans = this.queue.splice(0);
    if (spans.length === 0) return;
    try {
      await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(toOtlp(spans)),
        signal: AbortSignal.timeout(5000),
      });
    } catch {
      // best effort: the batch is dropped
    }
  }
}
