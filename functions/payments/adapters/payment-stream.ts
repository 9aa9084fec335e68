// Reads a record of the payments table's stream (NEW_IMAGE): which payment record its new image is, if it is one.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Payment } from '../domain/payment.js';
import { toPayment } from './dynamodb-payment-repository.js';

/** The payment in a stream record's new image; undefined for removals and other items (the simulator's ledger). */
export function paymentOfStreamRecord(record: DynamoDBRecord): Payment | undefined {
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return undefined;
  const image = record.dynamodb?.NewImage;
  if (!image) throw new Error(`stream record ${record.dynamodb?.SequenceNumber} has no new image: the stream must include NEW_IMAGE`);
  const item = unmarshall(image as Record<string, AttributeValue>);
  return item.entity === 'PAYMENT' ? toPayment(item) : undefined;
}
