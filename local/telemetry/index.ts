/**
 * The local stack's tracing and metrics plane (what X-Ray and CloudWatch are on AWS): one recorder for every hook, the
 * metrics fed from its spans and from the functions' EMF lines, the OTLP exporter when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set, and the telemetry HTTP server.
 */
import type { Server } from 'node:http';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CfnTemplate, QueueSpec } from '../cloudformation.js';
import { dashboardWidgets } from './dashboard.js';
import { OtlpExporter } from './exporter.js';
import { LocalMetrics } from './metrics.js';
import { Telemetry } from './recorder.js';
import { startTelemetryServer } from './server.js';

/** Jaeger's UI port, the one a tracing user already knows. */
export const TELEMETRY_BASE_PORT = 16686;

/** The telemetry port of a stack's ports: its own, or 16686 plus the offset of `http` from 3000. */
export function telemetryPortOf(ports: { http: number; telemetry?: number }): number {
  return ports.telemetry ?? TELEMETRY_BASE_PORT + (ports.http - 3000);
}

export function startTelemetry(options: { file?: string } = {}) {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const exporter = endpoint ? new OtlpExporter(endpoint) : undefined;
  let metrics: LocalMetrics | undefined;
  const recorder = new Telemetry({
    ...(options.file ? { file: options.file } : {}),
    onSpan: [(span) => metrics?.span(span), ...(exporter ? [(span: Parameters<OtlpExporter['add']>[0]) => exporter.add(span)] : [])],
    onJsonLine: [(line) => metrics?.emfLine(line)],
  });
  return {
    recorder,
    /**
     * Starts the server; queue depths are read from `sqs` when /metrics is scraped. The compiled template gives the
     * dashboard's widgets, and its queues (as the stack already read them) their dead-letter rules (the redrive spans).
     */
    async serve(
      port: number,
      sqs: SQSClient,
      queueUrls: Map<string, string>,
      template?: { template: CfnTemplate; queues: QueueSpec[]; region: string; accountId: string; stackName: string },
    ): Promise<Server> {
      for (const queue of template?.queues ?? []) {
        if (!queue.redrive) continue;
        recorder.queueRedrives.set(queue.name, {
          deadLetterQueue: queue.redrive.deadLetterQueueName,
          maxReceiveCount: queue.redrive.maxReceiveCount,
          visibilityTimeoutSeconds: Number(queue.attributes.VisibilityTimeout ?? 30),
        });
      }
      metrics = new LocalMetrics(() =>
        Promise.all(
          [...queueUrls].map(async ([queue, url]) => {
            const attributes =
              (
                await sqs.send(
                  new GetQueueAttributesCommand({
                    QueueUrl: url,
                    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
                  }),
                )
              ).Attributes ?? {};
            return {
              queue,
              visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
              inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
            };
          }),
        ),
      );
      return startTelemetryServer({
        port,
        telemetry: recorder,
        metrics,
        ...(template ? { dashboard: dashboardWidgets(template.template, template) } : {}),
      });
    },
    async stop(): Promise<void> {
      await exporter?.flush();
      await recorder.close();
    },
  };
}
