// SDK clients for the emulators of the local stack this test run started (env from global-setup).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';

export const sqsClient = () => new SQSClient({});
export const eventBridgeClient = (endpoint?: string) => new EventBridgeClient(endpoint ? { endpoint } : {});
export const documentClient = () => DynamoDBDocumentClient.from(new DynamoDBClient({}));

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
