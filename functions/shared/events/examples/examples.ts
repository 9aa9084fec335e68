// Test support (never bundled into a function): the committed example events and how a queue delivers them.
import { readFileSync } from 'node:fs';
import type { SQSRecord } from 'aws-lambda';
import type { EventType, OutgoingEvent } from '../contracts.js';

export const EXAMPLE_TYPES = [
  'OrderPlaced',
  'OrderConfirmed',
  'OrderRejected',
  'StockReserved',
  'StockRejected',
  'ProductCreated',
  'ProductPriceChanged',
  'StockAdjusted',
  'StockReleased',
  'PaymentRequested',
  'PaymentSucceeded',
  'PaymentDeclined',
  'PaymentRefunded',
  'PaymentCancelled',
  'OrderPaid',
  'OrderCancelled',
  'OrderShipped',
] as const;

export function exampleEvent<T extends EventType>(type: T): OutgoingEvent<T> {
  return JSON.parse(readFileSync(new URL(`./${type}.json`, import.meta.url), 'utf8')) as OutgoingEvent<T>;
}

/** The event as an EventBridge rule's SQS target receives it: the bus's event JSON as the message body. */
export function asSqsRecord(event: OutgoingEvent, messageId = 'message-1'): SQSRecord {
  const busEvent = {
    version: '0',
    id: `bus-${messageId}`,
    'detail-type': event.detailType,
    source: event.source,
    account: '000000000000',
    time: '2026-03-01T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: event.detail,
  };
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body: JSON.stringify(busEvent),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'events.amazonaws.com',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:queue',
    awsRegion: 'us-east-1',
  };
}
