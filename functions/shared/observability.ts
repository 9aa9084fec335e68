/**
 * One Logger and one Metrics per function instance, and the one wrapper every handler goes through
 * (`lambdaHandler`; HTTP handlers through httpHandler, which builds on it): the Lambda context in every
 * log line, metrics flushed after every invocation, a cold-start metric. The service name is the
 * bounded context (POWERTOOLS_SERVICE_NAME, set per function in functions/<context>/functions.yml).
 * Tracing is Lambda's and API Gateway's active tracing (serverless.yml provider.tracing), without the
 * X-Ray SDK in the bundles (docs/architecture.md, "Observability").
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { mapStackTracesLazily } from './stack-traces.js';

mapStackTracesLazily();

export const logger = new Logger({
  logLevel: (process.env.LOG_LEVEL ?? 'INFO') as 'INFO',
});
export const metrics = new Metrics({
  defaultDimensions: { stage: process.env.STAGE ?? 'unknown' },
});

/**
 * serverless offline does not set `_X_AMZN_TRACE_ID` as Lambda's runtime does: the local stack passes it (the
 * X-Amzn-Trace-Id header of an HTTP event, the client context's `traceHeader` of an invocation; local/telemetry/),
 * so the SDK forwards it and the log lines carry `xray_trace_id`. Not used on AWS.
 */
const localTrace = {
  before: ({ event, context }: { event: unknown; context: Context }) => {
    const headers = Object.entries((event as { headers?: Record<string, string> } | null)?.headers ?? {});
    const header = headers.find(([name]) => name.toLowerCase() === 'x-amzn-trace-id')?.[1];
    const trace = header ?? (context.clientContext as { custom?: { traceHeader?: string } } | undefined)?.custom?.traceHeader;
    if (trace) metrics.addMetadata('xray_trace_id', /Root=([^;]+)/.exec(trace)?.[1] ?? trace);
    if (trace) process.env._X_AMZN_TRACE_ID = trace;
    else delete process.env._X_AMZN_TRACE_ID;
  },
};

export function lambdaHandler<TEvent, TResult>(handler: (event: TEvent, context: Context) => Promise<TResult>) {
  const wrapped = middy<TEvent, TResult>(handler);
  // First, so the trace id is set before the logger reads it. On every stage but local the bundler knows IS_OFFLINE
  // is unset (serverless.yml, esbuildDefine) and drops this line and the hook: nothing of it reaches Lambda.
  if (process.env.IS_OFFLINE) wrapped.use(localTrace);
  return (
    wrapped
      // Never log whole events (whatever POWERTOOLS_LOGGER_LOG_EVENT says): they carry passwords
      // (POST /users, /login) and bearer tokens.
      .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
      .use(logMetrics(metrics, { captureColdStartMetric: true }))
  );
}
