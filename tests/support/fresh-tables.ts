// Empty copies of the local stack's tables (same keys, indexes, streams off), for suites that need a table
// with nothing in it but their own items: a port's contract run against its DynamoDB adapter.
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, type GlobalSecondaryIndex } from '@aws-sdk/client-dynamodb';

/** Creates an empty table with `source`'s key schema and global secondary indexes; returns its name. */
export async function emptyCopyOf(source: string, client = new DynamoDBClient({})): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: source }));
  if (!Table) throw new Error(`table ${source} not found`);
  const name = `${source}-copy-${randomUUID().slice(0, 8)}`;
  const indexes: GlobalSecondaryIndex[] | undefined = Table.GlobalSecondaryIndexes?.map((index) => ({
    IndexName: index.IndexName,
    KeySchema: index.KeySchema,
    Projection: index.Projection,
  }));
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: Table.AttributeDefinitions,
      KeySchema: Table.KeySchema,
      ...(indexes?.length ? { GlobalSecondaryIndexes: indexes } : {}),
    }),
  );
  return name;
}
