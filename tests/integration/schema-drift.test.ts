// A table kept in the local DynamoDB data from an older template, against DynamoDB Local (the stack's): provisioning
// adds what the template added in place (a global index, filled from the items already there; TTL; the stream), and
// stops with what to do, changing nothing, when the template changed what DynamoDB cannot change (the keys).
import { randomUUID } from 'node:crypto';
import {
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TableSpec } from '../../local/cloudformation.js';
import { ensureTable, TableSchemaDriftError } from '../../local/provision.js';
import { describeLocal } from '../support/env.js';

/** A table as the template defines it today: keys, a user index, a sweep index added later, a stream and TTL. */
function current(tableName: string): TableSpec {
  return {
    logicalId: 'DriftTable',
    properties: {
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'sweepShard', AttributeType: 'S' },
        { AttributeName: 'sweepAt', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        { IndexName: 'UserIndex', KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
        {
          IndexName: 'SweepIndex',
          KeySchema: [
            { AttributeName: 'sweepShard', KeyType: 'HASH' },
            { AttributeName: 'sweepAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    },
  };
}

/** The same table as an older template made it: no sweep index, no stream, no TTL. */
function older(tableName: string): TableSpec {
  const spec = current(tableName);
  const p = spec.properties;
  p.AttributeDefinitions = (p.AttributeDefinitions as Array<{ AttributeName: string }>).filter((d) => !d.AttributeName.startsWith('sweep'));
  p.GlobalSecondaryIndexes = (p.GlobalSecondaryIndexes as Array<{ IndexName: string }>).filter((i) => i.IndexName === 'UserIndex');
  delete p.StreamSpecification;
  delete p.TimeToLiveSpecification;
  return spec;
}

describeLocal('local tables against a changed template', () => {
  let client: DynamoDBClient;
  const created: string[] = [];
  const newTable = () => {
    const name = `schema-drift-${randomUUID().slice(0, 8)}`;
    created.push(name);
    return name;
  };

  beforeAll(() => {
    client = new DynamoDBClient({});
  });
  afterAll(async () => {
    for (const name of created) await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
    client.destroy();
  });

  it('adds an index the template added (filled from the items already there), the stream and TTL', async () => {
    const name = newTable();
    expect(await ensureTable(client, older(name))).toBe('created');
    await client.send(
      new PutItemCommand({
        TableName: name,
        Item: {
          pk: { S: 'ORDER#1' },
          sk: { S: 'ORDER' },
          gsi1pk: { S: 'USER#1' },
          sweepShard: { S: 'SWEEP#0' },
          sweepAt: { S: '2026-01-01' },
        },
      }),
    );

    expect(await ensureTable(client, current(name))).toBe(
      'migrated (index SweepIndex added; stream (NEW_IMAGE) turned on; TTL on expiresAt turned on)',
    );

    const table = (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
    expect(table?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.IndexStatus]).sort()).toEqual([
      ['SweepIndex', 'ACTIVE'],
      ['UserIndex', 'ACTIVE'],
    ]);
    expect(table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    expect((await client.send(new DescribeTimeToLiveCommand({ TableName: name }))).TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
    const swept = await client.send(
      new QueryCommand({
        TableName: name,
        IndexName: 'SweepIndex',
        KeyConditionExpression: 'sweepShard = :shard',
        ExpressionAttributeValues: { ':shard': { S: 'SWEEP#0' } },
      }),
    );
    expect(swept.Items?.map((item) => item.pk?.S)).toEqual(['ORDER#1']);

    // Once migrated, the next start finds nothing to do.
    expect(await ensureTable(client, current(name))).toBe('existing');
  });

  it('stops with what to do, and changes nothing, when the template changed the keys', async () => {
    const name = newTable();
    const keyedOnPkOnly = older(name);
    const p = keyedOnPkOnly.properties;
    p.KeySchema = [{ AttributeName: 'pk', KeyType: 'HASH' }];
    p.AttributeDefinitions = (p.AttributeDefinitions as Array<{ AttributeName: string }>).filter((d) => d.AttributeName !== 'sk');
    await ensureTable(client, keyedOnPkOnly);

    const failure = await ensureTable(client, current(name), { dataDir: '.local/' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TableSchemaDriftError);
    expect((failure as Error).message).toBe(
      `Table ${name} in the local DynamoDB data differs from the template: its key schema is pk (HASH, S); ` +
        "the template's is pk (HASH, S), sk (RANGE, S). DynamoDB cannot change this in place. " +
        "Start with `npm start -- --in-memory`, or delete this table's data (delete the data directory `.local/` or use `--data-dir` elsewhere).",
    );
    // Nothing half-done: the index the template also added was not.
    const table = (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
    expect(table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['UserIndex']);
    expect(table?.StreamSpecification?.StreamEnabled ?? false).toBe(false);
  });
});
