/**
 * The local stack's metrics as Prometheus text: the series AWS would give (API Gateway count, latency, 4xx and 5xx
 * per route; Lambda invocations, errors and duration per function; SQS queue depth, DLQs included, read when scraped)
 * and the functions' own EMF metrics (CloudWatch embedded metric format lines from their output), summed per
 * metric and dimensions. Nothing is computed while nobody scrapes.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SERVICES } from './hooks.js';
import type { Span } from './span.js';

const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000];
const EMF_LABELS = ['namespace', 'service', 'stage', 'function_name'] as const;

export interface QueueDepth {
  queue: string;
  visible: number;
  inFlight: number;
}

export class LocalMetrics {
  readonly registry = new Registry();
  private readonly apiCount: Counter;
  private readonly api4xx: Counter;
  private readonly api5xx: Counter;
  private readonly apiLatency: Histogram;
  private readonly invocations: Counter;
  private readonly lambdaErrors: Counter;
  private readonly duration: Histogram;
  private readonly emf = new Map<string, Counter>();

  constructor(queueDepths?: () => Promise<QueueDepth[]>) {
    const registers = [this.registry];
    this.apiCount = new Counter({
      name: 'aws_apigateway_count',
      help: 'API Gateway: requests per route (Count)',
      labelNames: ['method', 'resource'],
      registers,
    });
    this.api4xx = new Counter({
      name: 'aws_apigateway_4xx',
      help: 'API Gateway: 4XXError per route',
      labelNames: ['method', 'resource'],
      registers,
    });
    this.api5xx = new Counter({
      name: 'aws_apigateway_5xx',
      help: 'API Gateway: 5XXError per route',
      labelNames: ['method', 'resource'],
      registers,
    });
    this.apiLatency = new Histogram({
      name: 'aws_apigateway_latency_milliseconds',
      help: 'API Gateway: Latency per route',
      labelNames: ['method', 'resource'],
      buckets: LATENCY_BUCKETS_MS,
      registers,
    });
    this.invocations = new Counter({
      name: 'aws_lambda_invocations',
      help: 'Lambda: Invocations per function',
      labelNames: ['function_name'],
      registers,
    });
    this.lambdaErrors = new Counter({
      name: 'aws_lambda_errors',
      help: 'Lambda: Errors per function',
      labelNames: ['function_name'],
      registers,
    });
    this.duration = new Histogram({
      name: 'aws_lambda_duration_milliseconds',
      help: 'Lambda: Duration per function',
      labelNames: ['function_name'],
      buckets: LATENCY_BUCKETS_MS,
      registers,
    });
    if (queueDepths) {
      const visible = new Gauge({
        name: 'aws_sqs_approximate_number_of_messages_visible',
        help: 'SQS: ApproximateNumberOfMessagesVisible per queue (DLQs included), read when scraped',
        labelNames: ['queue_name'],
        registers,
        async collect() {
          const depths = await queueDepths().catch(() => []);
          this.reset();
          for (const depth of depths) visible.set({ queue_name: depth.queue }, depth.visible);
          for (const depth of depths) inFlight.set({ queue_name: depth.queue }, depth.inFlight);
        },
      });
      const inFlight = new Gauge({
        name: 'aws_sqs_approximate_number_of_messages_not_visible',
        help: 'SQS: ApproximateNumberOfMessagesNotVisible per queue (in flight), read when scraped',
        labelNames: ['queue_name'],
        registers,
      });
    }
  }

  /** Counts an ended span that stands for a request or an invocation. */
  span(span: Span): void {
    const duration = span.endTime - span.startTime;
    if (span.service === SERVICES.gateway) {
      const labels = {
        method: String(span.attributes['http.request.method'] ?? ''),
        resource: String(span.attributes['http.route'] ?? 'unmatched'),
      };
      const status = Number(span.attributes['http.response.status_code'] ?? 0);
      this.apiCount.inc(labels);
      if (status >= 400 && status < 500) this.api4xx.inc(labels);
      if (status >= 500) this.api5xx.inc(labels);
      this.apiLatency.observe(labels, duration);
    } else if (span.service === SERVICES.lambda) {
      const labels = { function_name: String(span.attributes['faas.name'] ?? span.name) };
      this.invocations.inc(labels);
      if (span.status === 'error') this.lambdaErrors.inc(labels);
      this.duration.observe(labels, duration);
    }
  }

  /** One JSON line of a function's output: an EMF document adds its metrics' values. */
  emfLine(line: Record<string, unknown>): void {
    const aws = line._aws as { CloudWatchMetrics?: Array<{ Namespace?: string; Metrics?: Array<{ Name?: string }> }> } | undefined;
    for (const directive of aws?.CloudWatchMetrics ?? []) {
      for (const metric of directive.Metrics ?? []) {
        if (!metric.Name) continue;
        const raw = line[metric.Name];
        const values = (Array.isArray(raw) ? raw : [raw]).map(Number).filter(Number.isFinite);
        const labels: Record<string, string> = { namespace: directive.Namespace ?? '' };
        for (const label of EMF_LABELS.slice(1)) if (typeof line[label] === 'string') labels[label] = line[label];
        const counter = this.emfCounter(directive.Namespace ?? 'emf', metric.Name);
        for (const value of values) counter.inc(labels, value);
      }
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  private emfCounter(namespace: string, name: string): Counter {
    const promName = `${namespace}_${name}`.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/^([^a-zA-Z_:])/, '_$1');
    let counter = this.emf.get(promName);
    if (!counter) {
      counter = new Counter({
        name: promName,
        help: `EMF metric ${name} (namespace ${namespace}), summed`,
        labelNames: [...EMF_LABELS],
        registers: [this.registry],
      });
      this.emf.set(promName, counter);
    }
    return counter;
  }
}
