/**
 * The catalogs context's composition root: each builder makes its part once per function instance, on
 * first use. Plain functions, so a handler's bundle keeps only the builders it calls (tree-shaking).
 */
import { requiredEnv } from '../shared/config.js';
import { dynamoDocumentClient } from '../shared/dynamodb.js';
import { DynamoDbCatalogRepository } from './adapters/dynamodb-catalog-repository.js';
import { CatalogService } from './domain/catalog-service.js';

let catalogs: CatalogService | undefined;
export const catalogService = () =>
  (catalogs ??= new CatalogService(
    new DynamoDbCatalogRepository(dynamoDocumentClient(), requiredEnv('CATALOGS_TABLE_NAME'), process.env.CATALOGS_LEDGER_TABLE_NAME),
  ));
