/**
 * The orders context's composition root: each builder makes its part once per function instance, on
 * first use. Plain functions, so a handler's bundle keeps only the builders it calls (tree-shaking).
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { requiredEnv } from '../shared/config.js';
import { dynamoDocumentClient } from '../shared/dynamodb.js';
import { DynamoDbOrderRepository } from './adapters/dynamodb-order-repository.js';
import { orderOfStreamRecord } from './adapters/order-stream.js';
import { orderEvent } from './domain/order-events.js';
import { OrderService } from './domain/order-service.js';

let orders: OrderService | undefined;
export const orderService = () =>
  (orders ??= new OrderService(new DynamoDbOrderRepository(dynamoDocumentClient(), requiredEnv('ORDERS_TABLE_NAME'))));

/** The outbox's mapping for the orders table's stream: a stored order image -> the event of its state. */
export const orderEventOf = (record: DynamoDBRecord) => {
  const order = orderOfStreamRecord(record);
  return order && orderEvent(order);
};
