// Invokes functions through serverless-offline's Lambda invoke port (what `aws lambda invoke` does on AWS).
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Invoker } from './sqs-poller.js';
import { clientContextWithTrace, invocationSpan } from './telemetry/hooks.js';
import type { Telemetry } from './telemetry/recorder.js';

export function lambdaInvoker(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
  telemetry?: Telemetry,
): Invoker {
  const lambda = new LambdaClient({ endpoint, region, credentials, maxAttempts: 1 });
  return async (functionName, event) => {
    // Each invocation is a span (a child of the span open around the caller), its trace header passed as Lambda's runtime would.
    const span = invocationSpan(telemetry, functionName);
    const ClientContext = clientContextWithTrace(telemetry, undefined, span);
    try {
      const response = await lambda.send(
        new InvokeCommand({
          FunctionName: functionName,
          Payload: Buffer.from(JSON.stringify(event)),
          ...(ClientContext ? { ClientContext } : {}),
        }),
      );
      const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
      const payload: unknown = text === '' ? null : JSON.parse(text);
      if (response.FunctionError) {
        const message = (payload as { errorMessage?: string } | null)?.errorMessage ?? response.FunctionError;
        span.end('error', { 'error.message': message });
        return { ok: false, error: message };
      }
      span.end('ok');
      return { ok: true, payload };
    } catch (error) {
      span.end('error', { 'error.message': (error as Error).message });
      return { ok: false, error: (error as Error).message };
    }
  };
}
