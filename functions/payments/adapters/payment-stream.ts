// Reads a record of the payments table's stream (NEW_IMAGE): which payment record its new image is, if it is one.
import type { DynamoDBRecord } from 'aws-lambda';
import { newImageOf } from '../../shared/events/stream-image.js';
import type { Payment } from '../domain/payment.js';
import { toPayment } from './dynamodb-payment-repository.js';

/** The payment in a stream record's new image; undefined for removals and other items (the simulator's ledger). */
export function paymentOfStreamRecord(record: DynamoDBRecord): Payment | undefined {
  const item = newImageOf(record);
  return item?.entity === 'PAYMENT' ? toPayment(item) : undefined;
}
