// SDK clients for the emulators of the local stack this test run started (env from global-setup).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { baseUrl } from './env.js';
import { FUNCTION_AUTH_TEST_PORTS } from './ports.js';

export const sqsClient = () => new SQSClient({});
export const eventBridgeClient = (endpoint?: string) => new EventBridgeClient(endpoint ? { endpoint } : {});
export const documentClient = () => DynamoDBDocumentClient.from(new DynamoDBClient({}));

/**
 * An SDK client's config for the stack under test, in either lane. The `stack` project's set-up gives its workers the
 * SDK's environment; the `stack-function-auth` project's workers get only its base URL, so its endpoints are found
 * beside it, with the stack's own credentials (local/stack.ts LOCAL_CREDENTIALS): not checked against any role.
 */
export function stackClientConfig(service: 'dynamodb' | 'sqs' | 'lambda') {
  const onFunctionAuthStack = !process.env.AWS_ENDPOINT_URL_DYNAMODB && baseUrl() === `http://127.0.0.1:${FUNCTION_AUTH_TEST_PORTS.http}`;
  if (!onFunctionAuthStack) return service === 'lambda' ? { endpoint: process.env.LOCAL_LAMBDA_ENDPOINT } : {};
  return {
    endpoint: `http://127.0.0.1:${FUNCTION_AUTH_TEST_PORTS[service]}`,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
}

/** Polls `probe` until it returns a value (not undefined) or the attempts run out. */
export async function eventually<T>(probe: () => Promise<T | undefined>, { attempts = 100, delayMs = 100 } = {}): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  throw new Error(`condition not met after ${attempts} attempts${last ? `: ${(last as Error).message}` : ''}`);
}
