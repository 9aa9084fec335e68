// The orders context's adapters, each built once per function instance and only when a handler asks.
import { requiredEnv } from '../shared/config.js';
import { dynamoDocumentClient } from '../shared/dynamodb.js';
import { once } from '../shared/once.js';
import { DynamoDbOrderRepository } from './adapters/dynamodb-order-repository.js';
import { OrderService } from './domain/order-service.js';

export const orderService = once(
  () => new OrderService(new DynamoDbOrderRepository(dynamoDocumentClient(), requiredEnv('ORDERS_TABLE_NAME'))),
);
