// The orders port's contract against its DynamoDB adapter on DynamoDB Local: each case on an empty copy of
// the stack's orders table (its indexes included), so the sweep and the stuck list see only the case's orders.
import { DynamoDbOrderRepository } from '../../functions/orders/adapters/dynamodb-order-repository.js';
import { describeOrderRepositoryContract } from '../../functions/orders/adapters/order-repository.contract.js';
import { dynamoDocumentClient } from '../../functions/shared/dynamodb.js';
import { describeLocal, stage } from '../support/env.js';
import { emptyCopyOf } from '../support/fresh-tables.js';

describeLocal('order repository on DynamoDB Local', () => {
  describeOrderRepositoryContract(
    'DynamoDB',
    async () => new DynamoDbOrderRepository(dynamoDocumentClient(), await emptyCopyOf(`ecommerce-${stage()}-orders`)),
  );
});
