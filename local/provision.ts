// Creates the template's tables and queues in the local emulators (idempotent: existing ones are kept).
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueSpec, TableSpec } from './cloudformation.js';

/** CloudFormation table properties -> CreateTable input (dropping what DynamoDB Local ignores or rejects). */
export function createTableInput(table: TableSpec): CreateTableCommandInput {
  const p = table.properties as Record<string, unknown> & { StreamSpecification?: { StreamViewType: string } };
  const input: Record<string, unknown> = {
    TableName: p.TableName,
    KeySchema: p.KeySchema,
    AttributeDefinitions: p.AttributeDefinitions,
    BillingMode: p.BillingMode ?? 'PAY_PER_REQUEST',
  };
  if (p.ProvisionedThroughput) input.ProvisionedThroughput = p.ProvisionedThroughput;
  if (p.GlobalSecondaryIndexes) input.GlobalSecondaryIndexes = p.GlobalSecondaryIndexes;
  if (p.LocalSecondaryIndexes) input.LocalSecondaryIndexes = p.LocalSecondaryIndexes;
  if (p.StreamSpecification) input.StreamSpecification = { StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType };
  if (typeof input.TableName !== 'string') throw new Error(`${table.logicalId}: TableName must be a literal string`);
  return input as unknown as CreateTableCommandInput;
}

export async function ensureTable(dynamodb: DynamoDBClient, table: TableSpec): Promise<'created' | 'existing'> {
  const input = createTableInput(table);
  try {
    await dynamodb.send(new DescribeTableCommand({ TableName: input.TableName }));
    return 'existing';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await dynamodb.send(new CreateTableCommand(input));
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: input.TableName });
  const ttl = table.properties.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
  if (ttl?.Enabled) {
    await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: input.TableName, TimeToLiveSpecification: ttl }));
  }
  return 'created';
}

/** Creates queues, dead-letter queues first; returns each queue's URL by name. */
export async function ensureQueues(sqs: SQSClient, queues: QueueSpec[], queueArn: (name: string) => string): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  const ordered = [...queues].sort((a, b) => Number(a.redrive !== undefined) - Number(b.redrive !== undefined));
  for (const queue of ordered) {
    const attributes = { ...queue.attributes };
    if (queue.redrive) {
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: queueArn(queue.redrive.deadLetterQueueName),
        maxReceiveCount: queue.redrive.maxReceiveCount,
      });
    }
    const created = await sqs.send(new CreateQueueCommand({ QueueName: queue.name, Attributes: attributes }));
    urls.set(queue.name, created.QueueUrl as string);
  }
  return urls;
}
