// DynamoDB adapter helpers shared by the contexts' repositories (adapters only: domain code never imports this).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import type { KeyedPage, PageCursor } from './pagination.js';

let documentClient: DynamoDBDocumentClient | undefined;

/** One client per function instance; the endpoint comes from AWS_ENDPOINT_URL_DYNAMODB locally. */
export function dynamoDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

/**
 * Scans with a filter and returns exactly `limit` matches plus a cursor only when more exist.
 * DynamoDB applies Limit before the filter, so one Scan call can return fewer matches than asked
 * (or a LastEvaluatedKey with nothing after it); this keeps reading until it knows.
 */
export async function scanExactPage<T extends object>(
  client: DynamoDBDocumentClient,
  input: Omit<ScanCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  limit: number,
  keyNames: readonly string[],
  start?: PageCursor,
): Promise<KeyedPage<T>> {
  const items: T[] = [];
  let exclusiveStartKey: Record<string, unknown> | undefined = start;
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
  const last = pageItems[pageItems.length - 1] as T;
  return {
    items: pageItems,
    next: Object.fromEntries(keyNames.map((k) => [k, (last as Record<string, unknown>)[k] as string | number])),
  };
}
