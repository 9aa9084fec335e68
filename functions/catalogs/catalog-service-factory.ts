// Composition root of the catalogs context: wires the domain service to its DynamoDB adapter once per instance.
import { requiredEnv } from '../shared/config.js';
import { dynamoDocumentClient } from '../shared/dynamodb.js';
import { DynamoDbCatalogRepository } from './adapters/dynamodb-catalog-repository.js';
import { CatalogService } from './domain/catalog-service.js';

export const catalogService = new CatalogService(
  new DynamoDbCatalogRepository(dynamoDocumentClient(), requiredEnv('CATALOGS_TABLE_NAME')),
);
