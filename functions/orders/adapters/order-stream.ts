// Reads a record of the orders table's stream (NEW_IMAGE): which stored order its new image is, if it is one.
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { StoredOrderImage } from '../domain/order-events.js';
import { imageOf } from './dynamodb-order-repository.js';

/** The order in a stream record's new image; undefined for removals and for other items (idempotency claims). */
export function orderImageOfStreamRecord(record: DynamoDBRecord): StoredOrderImage | undefined {
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return undefined;
  const image = record.dynamodb?.NewImage;
  if (!image) throw new Error(`stream record ${record.dynamodb?.SequenceNumber} has no new image: the stream must include NEW_IMAGE`);
  const item = unmarshall(image as Record<string, AttributeValue>);
  return item.entity === 'ORDER' ? imageOf(item) : undefined;
}
