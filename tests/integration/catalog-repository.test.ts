// The catalog port's contract against its DynamoDB adapter on DynamoDB Local: each case on empty copies of
// the stack's two catalog tables (products, ledger), so the product list holds only the case's own items.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbCatalogRepository, productKey } from '../../functions/catalogs/adapters/dynamodb-catalog-repository.js';
import { describeCatalogRepositoryContract } from '../../functions/catalogs/adapters/catalog-repository.contract.js';
import { dynamoDocumentClient } from '../../functions/shared/dynamodb.js';
import { describeLocal, stage } from '../support/env.js';
import { emptyCopyOf } from '../support/fresh-tables.js';

const tablesOf = new WeakMap<DynamoDbCatalogRepository, string>();

describeLocal('catalog repository on DynamoDB Local', () => {
  describeCatalogRepositoryContract('DynamoDB', {
    repository: async () => {
      const [products, ledger] = await Promise.all([
        emptyCopyOf(`ecommerce-${stage()}-catalogs`),
        emptyCopyOf(`ecommerce-${stage()}-catalogs-ledger`),
      ]);
      const repository = new DynamoDbCatalogRepository(dynamoDocumentClient(), products, ledger);
      tablesOf.set(repository, products);
      return repository;
    },
    setProduct: async (repository, product) => {
      await dynamoDocumentClient().send(
        new PutCommand({
          TableName: tablesOf.get(repository as DynamoDbCatalogRepository),
          Item: { ...productKey(product.productId), entity: 'PRODUCT', ...product },
        }),
      );
    },
  });
});
