// Composition root of the orders context: wires the domain service to its DynamoDB adapter once per instance.
import { requiredEnv } from '../shared/config.js';
import { dynamoDocumentClient } from '../shared/dynamodb.js';
import { DynamoDbOrderRepository } from './adapters/dynamodb-order-repository.js';
import { OrderService } from './domain/order-service.js';

export const orderService = new OrderService(new DynamoDbOrderRepository(dynamoDocumentClient(), requiredEnv('ORDERS_TABLE_NAME')));
