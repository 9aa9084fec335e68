// The catalogs context's adapters, each built once per function instance and only when a handler asks.
import { requiredEnv } from '../shared/config.js';
import { dynamoDocumentClient } from '../shared/dynamodb.js';
import { EventBridgePublisher } from '../shared/events/event-publisher.js';
import { once } from '../shared/once.js';
import { DynamoDbCatalogRepository } from './adapters/dynamodb-catalog-repository.js';
import { CatalogService } from './domain/catalog-service.js';

export const catalogService = once(
  () => new CatalogService(new DynamoDbCatalogRepository(dynamoDocumentClient(), requiredEnv('CATALOGS_TABLE_NAME'))),
);
export const eventPublisher = once(() => new EventBridgePublisher());
