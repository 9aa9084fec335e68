/**
 * The UserRegistered outbox: a sign-up over HTTP writes the user; the users table's stream (read
 * here from DynamoDB Local) carries keys only; the real relay turns the user's insert into a
 * contract-valid UserRegistered on an EventBridge endpoint (a local bus started by this test, so
 * the events it receives can be inspected).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LocalEventBus } from '../../local/eventbridge/local-event-bus.js';
import { dynamoDocumentClient } from '../../functions/shared/dynamodb.js';
import { parseEvent } from '../../functions/shared/events/contracts.js';
import { EventBridgePublisher } from '../../functions/shared/events/event-publisher.js';
import { DynamoDbUserRepository } from '../../functions/users/adapters/dynamodb-user-repository.js';
import { createHandler } from '../../functions/users/handlers/publish-user-events.js';
import { userRegisteredOf } from '../../functions/users/wiring.js';
import { describeLocal, stage } from '../support/env.js';
import { api } from '../support/http.js';
import { lambdaContext } from '../support/lambda.js';

const credentials = {
  accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
};
const region = process.env.AWS_REGION ?? 'us-east-1';
const table = () => `ecommerce-${stage()}-users`;
const bus = () => `ecommerce-${stage()}`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Every record currently in the table's stream (all shards, from the start). */
async function streamRecords(): Promise<_Record[]> {
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB as string;
  const dynamodb = new DynamoDBClient({ endpoint, region, credentials });
  const streams = new DynamoDBStreamsClient({ endpoint, region, credentials });
  const arn = (await dynamodb.send(new DescribeTableCommand({ TableName: table() }))).Table?.LatestStreamArn as string;
  const records: _Record[] = [];
  for (const shard of (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription?.Shards ?? []) {
    let iterator = (
      await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))
    ).ShardIterator;
    for (let i = 0; iterator && i < 100; i++) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      records.push(...(page.Records ?? []));
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return records;
}

describeLocal('UserRegistered from the users table stream', () => {
  let localBus: LocalEventBus;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    localBus = new LocalEventBus({
      port,
      region,
      accountId: '000000000000',
      eventBuses: [bus()],
      rules: [],
      sqs: new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS as string, region, credentials }),
      queueUrl: (name) => name,
    });
    await localBus.start();
  });
  afterAll(async () => localBus?.stop());

  it('announces a stored user once per insert, with keys only in the stream', async () => {
    const email = `outbox-${randomUUID()}@example.com`;
    const correlationId = `corr-${randomUUID()}`;
    const created = await api('POST', '/users', {
      body: { email, name: 'Outbox Olga', pwd: 'correct horse battery' },
      headers: { 'x-correlation-id': correlationId },
    });
    expect(created.status).toBe(201);
    const userId = created.body.userId as string;

    const records = (await streamRecords()).filter(
      (r) => JSON.stringify(r.dynamodb?.Keys).includes(userId) || JSON.stringify(r.dynamodb?.Keys).includes(email),
    );
    expect(records.length).toBeGreaterThanOrEqual(2); // the claim (insert, then completion) and the user
    for (const record of records) {
      expect(record.dynamodb?.NewImage).toBeUndefined(); // KEYS_ONLY: no hash travels in the stream
      expect(record.dynamodb?.OldImage).toBeUndefined();
    }

    const repository = new DynamoDbUserRepository(dynamoDocumentClient(), table());
    const publisher = new EventBridgePublisher(new EventBridgeClient({ endpoint: `http://127.0.0.1:${port}`, region, credentials }), bus());
    const relay = createHandler(
      userRegisteredOf(() => repository),
      () => publisher,
    );
    const event = {
      Records: records.map(
        (r) =>
          ({ eventName: r.eventName, dynamodb: { Keys: r.dynamodb?.Keys, SequenceNumber: r.dynamodb?.SequenceNumber } }) as DynamoDBRecord,
      ),
    };
    expect(await relay(event, lambdaContext)).toEqual({ batchItemFailures: [] });

    const announced = localBus.recent.filter((e) => e['detail-type'] === 'UserRegistered' && JSON.stringify(e.detail).includes(userId));
    expect(announced).toHaveLength(1);
    expect(announced[0]?.source).toBe('ecommerce.users');
    const envelope = parseEvent('UserRegistered', announced[0]?.detail);
    expect(envelope.data).toEqual({ userId, email, name: 'Outbox Olga' });
    expect(envelope.metadata).toMatchObject({ eventId: `${userId}:UserRegistered`, correlationId });
    expect(JSON.stringify(announced)).not.toMatch(/scrypt|argon2|password|pwd/i);
  });
});
