/**
 * The spans in the standard formats: OTLP/JSON (what an OpenTelemetry collector, Jaeger and most tools take: one
 * resourceSpans per service, links kept) and Zipkin v2 JSON (which has no links: they become `link.<n>` tags).
 */
import { w3cTraceId, type AttributeValue, type Span, type SpanKind } from './span.js';

const OTLP_KIND: Record<SpanKind, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const SCOPE = { name: 'ecommerce-local-stack', version: '1' };

type OtlpValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };

function otlpValue(value: AttributeValue): OtlpValue {
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { stringValue: value };
}

function otlpAttributes(attributes: Record<string, AttributeValue>) {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: otlpValue(value) }));
}

const nanos = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** An OTLP/JSON ExportTraceServiceRequest (ids in hex, as OTLP/JSON has them). */
export function toOtlp(spans: Span[]) {
  const byService = new Map<string, Span[]>();
  for (const span of spans) byService.set(span.service, [...(byService.get(span.service) ?? []), span]);
  return {
    resourceSpans: [...byService].map(([service, own]) => ({
      resource: { attributes: otlpAttributes({ 'service.name': service, 'cloud.provider': 'aws', 'deployment.environment': 'local' }) },
      scopeSpans: [
        {
          scope: SCOPE,
          spans: own.map((span) => ({
            traceId: w3cTraceId(span.traceId),
            spanId: span.spanId,
            ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
            name: span.name,
            kind: OTLP_KIND[span.kind],
            startTimeUnixNano: nanos(span.startTime),
            endTimeUnixNano: nanos(span.endTime),
            attributes: otlpAttributes({
              ...span.attributes,
              'aws.xray.trace_id': span.traceId,
              ...(span.localOnly ? { 'local.only': true } : {}),
            }),
            links: span.links.map((link) => ({
              traceId: w3cTraceId(link.traceId),
              spanId: link.spanId,
              attributes: otlpAttributes(link.attributes ?? {}),
            })),
            status: { code: span.status === 'error' ? 2 : 1 },
          })),
        },
      ],
    })),
  };
}

const ZIPKIN_KIND: Partial<Record<SpanKind, string>> = { server: 'SERVER', client: 'CLIENT', producer: 'PRODUCER', consumer: 'CONSUMER' };

/** Zipkin v2 spans (timestamps and durations in microseconds). */
export function toZipkin(spans: Span[]) {
  return spans.map((span) => {
    const tags: Record<string, string> = Object.fromEntries(Object.entries(span.attributes).map(([key, value]) => [key, String(value)]));
    span.links.forEach((link, i) => (tags[`link.${i}`] = `${w3cTraceId(link.traceId)}:${link.spanId}`));
    if (span.localOnly) tags['local.only'] = 'true';
    if (span.status === 'error') tags.error = 'true';
    tags['aws.xray.trace_id'] = span.traceId;
    const kind = ZIPKIN_KIND[span.kind];
    return {
      traceId: w3cTraceId(span.traceId),
      id: span.spanId,
      ...(span.parentSpanId ? { parentId: span.parentSpanId } : {}),
      name: span.name,
      ...(kind ? { kind } : {}),
      timestamp: Math.round(span.startTime * 1000),
      duration: Math.max(1, Math.round((span.endTime - span.startTime) * 1000)),
      localEndpoint: { serviceName: span.service },
      tags,
    };
  });
}
