// The floor for bench/bundles.ts: the least a DynamoDB-backed function imports (a document client,
// nothing else). bench/bundles.ts bundles it with the esbuild options of serverless.yml and rates every
// function's import time against it.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async () => ({ region: await documentClient.config.region() });
