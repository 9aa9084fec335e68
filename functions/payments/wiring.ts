/**
 * The payments context's composition root: each builder makes its part once per function instance, on
 * first use. Plain functions, so a handler's bundle keeps only the builders it calls (tree-shaking).
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { requiredEnv } from '../shared/config.js';
import { dynamoDocumentClient } from '../shared/dynamodb.js';
import { DynamoDbPaymentRepository } from './adapters/dynamodb-payment-repository.js';
import { DynamoDbPaymentSimulator } from './adapters/payment-simulator.js';
import { paymentOfStreamRecord } from './adapters/payment-stream.js';
import { paymentEvent } from './domain/payment-events.js';
import { PaymentService } from './domain/payment-service.js';

let payments: PaymentService | undefined;
export const paymentService = () => {
  if (payments) return payments;
  const tableName = requiredEnv('PAYMENTS_TABLE_NAME');
  // The simulator keeps its ledger in the payments table (adapters/payment-simulator.ts); a real provider's adapter goes here.
  payments = new PaymentService(
    new DynamoDbPaymentRepository(dynamoDocumentClient(), tableName),
    new DynamoDbPaymentSimulator(dynamoDocumentClient(), tableName),
  );
  return payments;
};

/** The outbox's mapping for the payments table's stream: a stored payment image -> the event of its state. */
export const paymentEventOf = (record: DynamoDBRecord) => {
  const payment = paymentOfStreamRecord(record);
  return payment && paymentEvent(payment);
};
