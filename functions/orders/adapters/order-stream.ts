// Reads a record of the orders table's stream (NEW_IMAGE): which stored order its new image is, if it is one.
import type { DynamoDBRecord } from 'aws-lambda';
import { newImageOf } from '../../shared/events/stream-image.js';
import type { StoredOrderImage } from '../domain/order-events.js';
import { imageOf } from './dynamodb-order-repository.js';

/** The order in a stream record's new image; undefined for removals and for other items (idempotency claims). */
export function orderImageOfStreamRecord(record: DynamoDBRecord): StoredOrderImage | undefined {
  const item = newImageOf(record);
  return item?.entity === 'ORDER' ? imageOf(item) : undefined;
}
