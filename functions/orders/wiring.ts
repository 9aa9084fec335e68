/**
 * The orders context's composition root: each builder makes its part once per function instance, on
 * first use. Plain functions, so a handler's bundle keeps only the builders it calls (tree-shaking).
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { requiredEnv } from '../shared/config.js';
import { dynamoDocumentClient } from '../shared/dynamodb.js';
import { DynamoDbOrderRepository } from './adapters/dynamodb-order-repository.js';
import { orderImageOfStreamRecord } from './adapters/order-stream.js';
import { announcementOf } from './domain/order-events.js';
import { OrderService } from './domain/order-service.js';

/** A non-negative number from the environment, else `fallback` (a function that does not need it has no such variable). */
export const numberFromEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
};

let orders: OrderService | undefined;
export const orderService = () =>
  (orders ??= new OrderService(
    new DynamoDbOrderRepository(dynamoDocumentClient(), requiredEnv('ORDERS_TABLE_NAME')),
    undefined,
    undefined,
    // Only settleOrders confirms orders, so only its environment names the grace period (param paymentGraceSeconds).
    { paymentGraceSeconds: numberFromEnv('PAYMENT_GRACE_SECONDS', 60) },
  ));

/** The outbox's mapping for the orders table's stream: a stored order image -> the event of its state (none for an acknowledgement). */
export const orderEventOf = (record: DynamoDBRecord) => {
  const image = orderImageOfStreamRecord(record);
  return image && announcementOf(image);
};
