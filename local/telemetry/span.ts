/**
 * The span model of the local stack's traces, in AWS X-Ray's terms: a trace id `1-<8 hex epoch seconds>-<24 hex>`
 * (its 32 hex digits are also the W3C/OpenTelemetry trace id), 16-hex span ids, a parent inside the trace and links
 * to other traces (a queue batch links to the traces that sent its messages, as AWS links them). `localOnly` marks
 * what X-Ray would not show on AWS (a DynamoDB call without an SDK in the bundle).
 */
import { randomBytes } from 'node:crypto';

export type SpanKind = 'server' | 'client' | 'producer' | 'consumer' | 'internal';
export type AttributeValue = string | number | boolean;

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes?: Record<string, AttributeValue>;
}

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  /** The AWS service that plays this hop (X-Ray's segment origin): `AWS::ApiGateway::Stage`, `AWS::Lambda::Function`, ... */
  service: string;
  /** Epoch milliseconds (fractions allowed). */
  startTime: number;
  endTime: number;
  status: 'ok' | 'error';
  attributes: Record<string, AttributeValue>;
  links: SpanLink[];
  /** The correlation ids this span served (a queue batch may serve several). */
  correlationIds: string[];
  localOnly?: boolean;
}

const HEX = /^[0-9a-f]+$/;

export function newSpanId(): string {
  return randomBytes(8).toString('hex');
}

/** An X-Ray trace id started at `nowMs`. */
export function newTraceId(nowMs = Date.now()): string {
  const seconds = Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0');
  return `1-${seconds}-${randomBytes(12).toString('hex')}`;
}

export function isTraceId(value: string): boolean {
  return /^1-[0-9a-f]{8}-[0-9a-f]{24}$/.test(value);
}

/** The W3C trace id (32 hex) of an X-Ray trace id. */
export function w3cTraceId(traceId: string): string {
  return traceId.slice(2).replace('-', '');
}

/** The X-Ray trace id of a W3C one (32 hex). */
export function xrayTraceId(w3c: string): string {
  return `1-${w3c.slice(0, 8)}-${w3c.slice(8)}`;
}

export interface TraceContext {
  traceId: string;
  /** The span the next hop's spans are children of. */
  parentSpanId?: string;
}

/** `Root=1-...;Parent=<16 hex>;Sampled=1`, as Lambda's runtime and AWS's services pass it on. */
export function traceHeader(context: TraceContext): string {
  return `Root=${context.traceId}${context.parentSpanId ? `;Parent=${context.parentSpanId}` : ''};Sampled=1`;
}

/** The trace context of an X-Amzn-Trace-Id header (or AWSTraceHeader attribute); undefined when it has no valid Root. */
export function parseTraceHeader(header: string | undefined): TraceContext | undefined {
  if (!header) return undefined;
  const fields = new Map(
    header.split(';').map((field) => {
      const [key = '', value = ''] = field.split('=');
      return [key.trim(), value.trim()] as const;
    }),
  );
  const traceId = fields.get('Root') ?? '';
  if (!isTraceId(traceId)) return undefined;
  const parent = fields.get('Parent');
  return parent && parent.length === 16 && HEX.test(parent) ? { traceId, parentSpanId: parent } : { traceId };
}
