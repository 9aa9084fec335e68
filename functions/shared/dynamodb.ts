// DynamoDB adapter helpers shared by the contexts' repositories (adapters only: domain code never imports this).
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  ScanCommand,
  TransactWriteCommand,
  type ScanCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Page, PageTokens } from './pagination.js';

let documentClient: DynamoDBDocumentClient | undefined;

/** One client per function instance; the endpoint comes from AWS_ENDPOINT_URL_DYNAMODB locally. */
export function dynamoDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

/**
 * Scans with a filter and returns exactly `limit` matches plus a page token only when more exist.
 * DynamoDB applies Limit before the filter, so one Scan call can return fewer matches than asked
 * (or a LastEvaluatedKey with nothing after it); this keeps reading until it knows.
 */
export async function scanExactPage<T extends object>(
  client: DynamoDBDocumentClient,
  input: Omit<ScanCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  limit: number,
  tokens: PageTokens,
  nextToken?: string,
): Promise<Page<T>> {
  const items: T[] = [];
  let exclusiveStartKey: Record<string, unknown> | undefined = tokens.decode(nextToken);
  do {
    const page = await client.send(
      new ScanCommand({
        ...input,
        Limit: Math.max(limit + 1 - items.length, 10),
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    items.push(...((page.Items ?? []) as T[]));
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (items.length <= limit && exclusiveStartKey);

  if (items.length <= limit) return { items };
  const pageItems = items.slice(0, limit);
  return { items: pageItems, nextToken: tokens.after(pageItems[limit - 1] as T) };
}

/**
 * A write that kept meeting other transactions on its items through every retry: nothing was written, and
 * trying again later (the queue's redelivery) is the answer, not a DLQ. `retryable` tells the consumer so.
 */
export class WriteContentionError extends Error {
  override name = 'WriteContentionError';
  readonly retryable = true;
}

/** A first try and up to eight retries, 5-15 ms growing to 160-480 ms apart: about 1 s in all at most. */
const TRANSACTION_ATTEMPTS = 9;
const backoffMs = (attempt: number) => 5 * 2 ** Math.min(attempt - 1, 5) * (0.5 + Math.random());

/**
 * One TransactWriteItems. When DynamoDB cancels it, `onCancelled` gets the reason code of each item (in
 * order; 'None' for an item that was fine) and returns the caller's answer, or undefined; then a
 * cancellation caused by another transaction on the same items (TransactionConflict) is tried again
 * after a jittered backoff, and anything else is thrown. Each attempt carries its own
 * ClientRequestToken, so the SDK's own retries of one attempt are idempotent.
 */
export async function transactWrite<T>(
  client: DynamoDBDocumentClient,
  items: NonNullable<TransactWriteCommandInput['TransactItems']>,
  done: T,
  onCancelled: (codes: string[]) => T | undefined | Promise<T | undefined>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ ClientRequestToken: randomUUID(), TransactItems: items }));
      return done;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
      const answer = await onCancelled(codes);
      if (answer !== undefined) return answer;
      if (!codes.includes('TransactionConflict')) throw error;
      if (attempt >= TRANSACTION_ATTEMPTS)
        throw new WriteContentionError(`still conflicting with other transactions after ${attempt} attempts`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
    }
  }
}
