/**
 * The orders context's composition root: each builder makes its part once per function instance, on
 * first use. Plain functions, so a handler's bundle keeps only the builders it calls (tree-shaking).
 */
import { requiredEnv } from '../shared/config.js';
import { dynamoDocumentClient } from '../shared/dynamodb.js';
import { DynamoDbOrderRepository } from './adapters/dynamodb-order-repository.js';
import { OrderService } from './domain/order-service.js';

let orders: OrderService | undefined;
export const orderService = () =>
  (orders ??= new OrderService(new DynamoDbOrderRepository(dynamoDocumentClient(), requiredEnv('ORDERS_TABLE_NAME'))));
