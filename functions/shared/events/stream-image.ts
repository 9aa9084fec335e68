// Reads a record of a table's stream (NEW_IMAGE), for the outbox relays' mappings: the stored item a write left.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/** The item as the write left it; undefined for a removal. A record without a new image is a misconfigured stream. */
export function newImageOf(record: DynamoDBRecord): Record<string, unknown> | undefined {
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return undefined;
  const image = record.dynamodb?.NewImage;
  if (!image) throw new Error(`stream record ${record.dynamodb?.SequenceNumber} has no new image: the stream must include NEW_IMAGE`);
  return unmarshall(image as Record<string, AttributeValue>);
}
