// The orders port's contract against its DynamoDB adapter on DynamoDB Local: each case on an empty copy of
// the stack's orders table (its indexes included), so the sweep and the stuck list see only the case's orders.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbOrderRepository, orderKey } from '../../functions/orders/adapters/dynamodb-order-repository.js';
import { describeOrderRepositoryContract } from '../../functions/orders/adapters/order-repository.contract.js';
import { dynamoDocumentClient } from '../../functions/shared/dynamodb.js';
import { describeLocal, stage } from '../support/env.js';
import { emptyCopyOf } from '../support/fresh-tables.js';

describeLocal('order repository on DynamoDB Local', () => {
  describeOrderRepositoryContract('DynamoDB', async () => {
    const client = dynamoDocumentClient();
    const table = await emptyCopyOf(`ecommerce-${stage()}-orders`);
    return {
      repo: new DynamoDbOrderRepository(client, table),
      stored: async (orderId: string) =>
        (await client.send(new GetCommand({ TableName: table, Key: orderKey(orderId), ConsistentRead: true }))).Item,
    };
  });
});
