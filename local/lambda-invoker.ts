// Invokes functions through serverless-offline's Lambda invoke port (what `aws lambda invoke` does on AWS).
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Invoker } from './sqs-poller.js';

export function lambdaInvoker(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, region: string): Invoker {
  const lambda = new LambdaClient({ endpoint, region, credentials, maxAttempts: 1 });
  return async (functionName, event) => {
    try {
      const response = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }));
      const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
      const payload: unknown = text === '' ? null : JSON.parse(text);
      if (response.FunctionError) {
        const message = (payload as { errorMessage?: string } | null)?.errorMessage ?? response.FunctionError;
        return { ok: false, error: message };
      }
      return { ok: true, payload };
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  };
}
