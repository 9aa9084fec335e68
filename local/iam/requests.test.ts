// Requests are captured from the AWS SDK clients the functions use (sdk-capture.ts), then parsed.
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ExecuteStatementCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import {
  accessKeyIdOf,
  functionArnOf,
  parseRequest,
  UnsupportedRequestError,
  type RequestOptions,
  type ServiceRequest,
} from './requests.js';
import { captureSdkRequest, signedAs } from './sdk-capture.js';

const AS = 'ecommerce-local-signUp';
const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/users';
const QUEUE_URL = 'http://127.0.0.1:9324/000000000000/inbox';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:inbox';
const KEYS: Record<string, string> = { users: 'pk', 'users/ByEmail': 'email', orders: 'orderId' };
const OPTIONS: RequestOptions = {
  region: 'us-east-1',
  accountId: '000000000000',
  partitionKeyOf: (table, index) => KEYS[index ? `${table}/${index}` : table],
};

const dynamodb = (endpoint: string) => new DynamoDBClient({ endpoint, ...signedAs(AS) });
// The SDK's send is generic per command: any command of the client will do here.
type DynamoDbCommand = any;
const viaDynamoDb = async (command: DynamoDbCommand) => {
  const request = await captureSdkRequest((endpoint) => dynamodb(endpoint).send(command));
  return parseRequest('dynamodb', request, OPTIONS);
};
const leading = (value: string) => ({ 'dynamodb:LeadingKeys': [value] });

describe('the caller: the SigV4 access key id', () => {
  it('is read from the Authorization header the SDK signs with', async () => {
    const request = await captureSdkRequest((endpoint) => dynamodb(endpoint).send(new ListTablesCommand({})));
    expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ecommerce-local-signUp\//);
    expect(accessKeyIdOf(request)).toBe(AS);
    expect(parseRequest('dynamodb', request, OPTIONS)).toMatchObject({ accessKeyId: AS, contexts: [{ principal: AS }] });
  });

  it("is read from a presigned URL's X-Amz-Credential", () => {
    expect(
      accessKeyIdOf({ headers: {}, path: '/?X-Amz-Credential=local%2F20260101%2Fus-east-1%2Fsqs%2Faws4_request&X-Amz-Signature=x' }),
    ).toBe('local');
  });

  it('is undefined for an unsigned request (anonymous), which gets no principal', () => {
    const request: ServiceRequest = { path: '/', headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables' }, body: '{}' };
    expect(accessKeyIdOf(request)).toBeUndefined();
    expect(parseRequest('dynamodb', request, OPTIONS)).toEqual({
      accessKeyId: undefined,
      operation: 'ListTables',
      contexts: [{ action: 'dynamodb:ListTables', resource: '*', conditionKeys: {} }],
    });
    expect(accessKeyIdOf({ path: '/', headers: { authorization: 'Bearer abc' } })).toBeUndefined();
  });
});

describe('DynamoDB (X-Amz-Target DynamoDB_20120810.<Operation>)', () => {
  it('item operations: the table ARN and the partition key of the Key or Item as dynamodb:LeadingKeys', async () => {
    const key = { pk: { S: 'USER#1' }, sk: { S: 'PROFILE' } };
    expect((await viaDynamoDb(new GetItemCommand({ TableName: 'users', Key: key }))).contexts).toEqual([
      { principal: AS, action: 'dynamodb:GetItem', resource: TABLE_ARN, conditionKeys: leading('USER#1') },
    ]);
    expect((await viaDynamoDb(new PutItemCommand({ TableName: 'users', Item: { ...key, name: { S: 'n' } } }))).contexts[0]).toMatchObject({
      action: 'dynamodb:PutItem',
      conditionKeys: leading('USER#1'),
    });
    expect(
      (
        await viaDynamoDb(
          new UpdateItemCommand({
            TableName: 'users',
            Key: key,
            UpdateExpression: 'SET a = :a',
            ExpressionAttributeValues: { ':a': { S: 'x' } },
          }),
        )
      ).contexts[0],
    ).toMatchObject({
      action: 'dynamodb:UpdateItem',
      conditionKeys: leading('USER#1'),
    });
    expect((await viaDynamoDb(new DeleteItemCommand({ TableName: 'users', Key: key }))).contexts[0]).toMatchObject({
      action: 'dynamodb:DeleteItem',
    });
  });

  it('a number key is carried as its text; a table given by ARN is that ARN', async () => {
    expect(
      (await viaDynamoDb(new GetItemCommand({ TableName: TABLE_ARN.replace('users', 'orders'), Key: { orderId: { N: '42' } } })))
        .contexts[0],
    ).toEqual({
      principal: AS,
      action: 'dynamodb:GetItem',
      resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders',
      conditionKeys: leading('42'),
    });
  });

  it('Query: the partition key equality of KeyConditionExpression, either way round, beside a sort key condition', async () => {
    const query = (KeyConditionExpression: string) =>
      viaDynamoDb(
        new QueryCommand({
          TableName: 'users',
          KeyConditionExpression,
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
          ExpressionAttributeValues: { ':pk': { S: 'USER#7' }, ':sk': { S: 'ORDER#' }, ':lo': { S: 'a' } },
        }),
      );
    for (const expression of ['#pk = :pk AND begins_with(#sk, :sk)', '(:pk=#pk) and #sk >= :lo', '#sk <= :lo AND pk = :pk']) {
      expect((await query(expression)).contexts).toEqual([
        { principal: AS, action: 'dynamodb:Query', resource: TABLE_ARN, conditionKeys: leading('USER#7') },
      ]);
    }
  });

  it('Query on an index: the index ARN, and the index partition key', async () => {
    const parsed = await viaDynamoDb(
      new QueryCommand({
        TableName: 'users',
        IndexName: 'ByEmail',
        KeyConditionExpression: 'email = :e',
        ExpressionAttributeValues: { ':e': { S: 'a@b.c' } },
      }),
    );
    expect(parsed.contexts[0]).toMatchObject({ resource: `${TABLE_ARN}/index/ByEmail`, conditionKeys: leading('a@b.c') });
  });

  it('Query with the legacy KeyConditions', async () => {
    const parsed = await viaDynamoDb(
      new QueryCommand({ TableName: 'users', KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'USER#2' }] } } }),
    );
    expect(parsed.contexts[0]).toMatchObject({ conditionKeys: leading('USER#2') });
  });

  it('Scan: the table or index ARN, no dynamodb:LeadingKeys', async () => {
    expect((await viaDynamoDb(new ScanCommand({ TableName: 'users' }))).contexts).toEqual([
      { principal: AS, action: 'dynamodb:Scan', resource: TABLE_ARN, conditionKeys: {} },
    ]);
    expect((await viaDynamoDb(new ScanCommand({ TableName: 'users', IndexName: 'ByEmail' }))).contexts[0]?.resource).toBe(
      `${TABLE_ARN}/index/ByEmail`,
    );
  });

  it('TransactWriteItems: one authorization per item, with the item action', async () => {
    const parsed = await viaDynamoDb(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: 'users', Item: { pk: { S: 'EMAIL#a@b.c' }, sk: { S: 'x' } } } },
          {
            Update: {
              TableName: 'users',
              Key: { pk: { S: 'USER#1' }, sk: { S: 'x' } },
              UpdateExpression: 'SET a = :a',
              ExpressionAttributeValues: { ':a': { N: '1' } },
            },
          },
          { Delete: { TableName: 'orders', Key: { orderId: { S: 'O1' } } } },
          {
            ConditionCheck: {
              TableName: 'users',
              Key: { pk: { S: 'USER#2' }, sk: { S: 'x' } },
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
        ],
      }),
    );
    expect(parsed.operation).toBe('TransactWriteItems');
    expect(parsed.contexts.map(({ action, resource, conditionKeys }) => [action, resource, conditionKeys])).toEqual([
      ['dynamodb:PutItem', TABLE_ARN, leading('EMAIL#a@b.c')],
      ['dynamodb:UpdateItem', TABLE_ARN, leading('USER#1')],
      ['dynamodb:DeleteItem', 'arn:aws:dynamodb:us-east-1:000000000000:table/orders', leading('O1')],
      ['dynamodb:ConditionCheckItem', TABLE_ARN, leading('USER#2')],
    ]);
  });

  it('TransactGetItems: GetItem per item', async () => {
    const parsed = await viaDynamoDb(
      new TransactGetItemsCommand({
        TransactItems: [
          { Get: { TableName: 'users', Key: { pk: { S: 'USER#1' }, sk: { S: 'x' } } } },
          { Get: { TableName: 'orders', Key: { orderId: { S: 'O1' } } } },
        ],
      }),
    );
    expect(parsed.contexts.map((context) => [context.action, context.conditionKeys])).toEqual([
      ['dynamodb:GetItem', leading('USER#1')],
      ['dynamodb:GetItem', leading('O1')],
    ]);
  });

  it('BatchGetItem and BatchWriteItem: their own action, per item', async () => {
    const get = await viaDynamoDb(
      new BatchGetItemCommand({
        RequestItems: {
          users: {
            Keys: [
              { pk: { S: 'USER#1' }, sk: { S: 'x' } },
              { pk: { S: 'USER#2' }, sk: { S: 'x' } },
            ],
          },
        },
      }),
    );
    expect(get.contexts.map((context) => [context.action, context.conditionKeys])).toEqual([
      ['dynamodb:BatchGetItem', leading('USER#1')],
      ['dynamodb:BatchGetItem', leading('USER#2')],
    ]);
    const write = await viaDynamoDb(
      new BatchWriteItemCommand({
        RequestItems: {
          users: [{ PutRequest: { Item: { pk: { S: 'USER#3' }, sk: { S: 'x' } } } }],
          orders: [{ DeleteRequest: { Key: { orderId: { S: 'O9' } } } }],
        },
      }),
    );
    expect(write.contexts.map((context) => [context.action, context.resource, context.conditionKeys])).toEqual([
      ['dynamodb:BatchWriteItem', TABLE_ARN, leading('USER#3')],
      ['dynamodb:BatchWriteItem', 'arn:aws:dynamodb:us-east-1:000000000000:table/orders', leading('O9')],
    ]);
  });

  it('table-level and account-level operations: the table ARN, or *', async () => {
    expect((await viaDynamoDb(new DescribeTableCommand({ TableName: 'users' }))).contexts[0]).toMatchObject({
      action: 'dynamodb:DescribeTable',
      resource: TABLE_ARN,
    });
    expect((await viaDynamoDb(new ListTablesCommand({}))).contexts[0]).toMatchObject({ action: 'dynamodb:ListTables', resource: '*' });
  });

  const refusals: Array<[string, DynamoDbCommand, RegExp]> = [
    ['PartiQL', new ExecuteStatementCommand({ Statement: 'SELECT * FROM users' }), /PartiQL operation ExecuteStatement/],
    [
      'a table the stack does not know',
      new GetItemCommand({ TableName: 'other', Key: { id: { S: '1' } } }),
      /partition key of table other is unknown/,
    ],
    [
      'an item without its partition key',
      new GetItemCommand({ TableName: 'users', Key: { sk: { S: '1' } } }),
      /without its partition key pk/,
    ],
    [
      'a Query without a partition key equality',
      new QueryCommand({
        TableName: 'users',
        KeyConditionExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': { S: 'U' } },
      }),
      /without an equality on its partition key pk/,
    ],
  ];
  it.each(refusals)('refuses %s with UnsupportedRequestError', async (_name, command, message) => {
    const request = await captureSdkRequest((endpoint) => dynamodb(endpoint).send(command));
    expect(() => parseRequest('dynamodb', request, OPTIONS)).toThrow(UnsupportedRequestError);
    expect(() => parseRequest('dynamodb', request, OPTIONS)).toThrow(message);
  });

  it('refuses a body that is not JSON and an unknown target', () => {
    expect(() =>
      parseRequest('dynamodb', { path: '/', headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem' }, body: 'nope' }, OPTIONS),
    ).toThrow(/not a JSON object/);
    expect(() => parseRequest('dynamodb', { path: '/', headers: {}, body: '{}' }, OPTIONS)).toThrow(/DynamoDB target null/);
  });
});

describe('DynamoDB Streams (DynamoDBStreams_20120810.<Operation>)', () => {
  const streams = (endpoint: string) => new DynamoDBStreamsClient({ endpoint, ...signedAs(AS) });
  const localArn = 'arn:aws:dynamodb:ddblocal:000000000000:table/users/stream/2026-01-01T00:00:00.000';

  it("the stream ARN (DynamoDB Local's ddblocal region rewritten to the stack's)", async () => {
    const request = await captureSdkRequest((endpoint) => streams(endpoint).send(new DescribeStreamCommand({ StreamArn: localArn })));
    expect(parseRequest('dynamodb', request, OPTIONS).contexts).toEqual([
      { principal: AS, action: 'dynamodb:DescribeStream', resource: `${TABLE_ARN}/stream/2026-01-01T00:00:00.000`, conditionKeys: {} },
    ]);
  });

  it('GetRecords: the stream its shard iterator names', async () => {
    const request = await captureSdkRequest((endpoint) =>
      streams(endpoint).send(new GetRecordsCommand({ ShardIterator: `${localArn}|1|AAAA` })),
    );
    expect(parseRequest('dynamodb', request, OPTIONS).contexts[0]).toMatchObject({
      action: 'dynamodb:GetRecords',
      resource: `${TABLE_ARN}/stream/2026-01-01T00:00:00.000`,
    });
  });
});

describe('SQS', () => {
  const sqs = (endpoint: string) => new SQSClient({ endpoint, ...signedAs(AS) });
  const viaSqs = async (command: any, options = OPTIONS) =>
    parseRequest('sqs', await captureSdkRequest((endpoint) => sqs(endpoint).send(command)), options);

  it('JSON protocol: sqs:<Operation> on the queue ARN from the QueueUrl', async () => {
    expect(await viaSqs(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: 'x' }))).toEqual({
      accessKeyId: AS,
      operation: 'SendMessage',
      contexts: [{ principal: AS, action: 'sqs:SendMessage', resource: QUEUE_ARN, conditionKeys: {} }],
    });
    expect((await viaSqs(new ReceiveMessageCommand({ QueueUrl: QUEUE_URL }))).contexts[0]).toMatchObject({
      action: 'sqs:ReceiveMessage',
      resource: QUEUE_ARN,
    });
  });

  it('batch operations are authorized as their single action', async () => {
    expect(
      (await viaSqs(new SendMessageBatchCommand({ QueueUrl: QUEUE_URL, Entries: [{ Id: '1', MessageBody: 'x' }] }))).contexts[0]?.action,
    ).toBe('sqs:SendMessage');
    expect(
      (
        await viaSqs(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: QUEUE_URL,
            Entries: [{ Id: '1', ReceiptHandle: 'r', VisibilityTimeout: 0 }],
          }),
        )
      ).contexts[0]?.action,
    ).toBe('sqs:ChangeMessageVisibility');
  });

  it('GetQueueUrl names the queue by name; ListQueues has no resource', async () => {
    expect((await viaSqs(new GetQueueUrlCommand({ QueueName: 'inbox' }))).contexts[0]).toMatchObject({
      action: 'sqs:GetQueueUrl',
      resource: QUEUE_ARN,
    });
    expect((await viaSqs(new ListQueuesCommand({}))).contexts[0]).toMatchObject({ action: 'sqs:ListQueues', resource: '*' });
  });

  it("takes the caller's queueArnOf", async () => {
    const parsed = await viaSqs(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: 'x' }), {
      ...OPTIONS,
      queueArnOf: () => 'arn:aws:sqs:eu-west-1:111111111111:q',
    });
    expect(parsed.contexts[0]?.resource).toBe('arn:aws:sqs:eu-west-1:111111111111:q');
  });

  it('query protocol: Action and QueueUrl in the form body, or the queue URL as the path', () => {
    const form = (body: string, path = '/') =>
      parseRequest('sqs', { method: 'POST', path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, OPTIONS);
    expect(form(`Action=SendMessageBatch&QueueUrl=${encodeURIComponent(QUEUE_URL)}&Version=2012-11-05`)).toMatchObject({
      operation: 'SendMessageBatch',
      contexts: [{ action: 'sqs:SendMessage', resource: QUEUE_ARN }],
    });
    expect(form('Action=DeleteMessage&ReceiptHandle=r', '/000000000000/inbox').contexts[0]).toMatchObject({
      action: 'sqs:DeleteMessage',
      resource: QUEUE_ARN,
    });
    expect(() => form('Version=2012-11-05')).toThrow(/neither X-Amz-Target nor Action/);
    expect(() => form('Action=SendMessage&MessageBody=x')).toThrow(/without a QueueUrl/);
  });
});

describe('EventBridge PutEvents', () => {
  it('one authorization per entry: the bus ARN (name, ARN or default) and events:source, events:detail-type', async () => {
    const request = await captureSdkRequest((endpoint) =>
      new EventBridgeClient({ endpoint, ...signedAs(AS) }).send(
        new PutEventsCommand({
          Entries: [
            { EventBusName: 'ecommerce-local', Source: 'ecommerce.users', DetailType: 'UserRegistered', Detail: '{}' },
            {
              EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/other',
              Source: 'ecommerce.catalogs',
              DetailType: 'StockReserved',
              Detail: '{}',
            },
            { Source: 's', DetailType: 'd', Detail: '{}' },
          ],
        }),
      ),
    );
    expect(parseRequest('events', request, OPTIONS).contexts).toEqual([
      {
        principal: AS,
        action: 'events:PutEvents',
        resource: 'arn:aws:events:us-east-1:000000000000:event-bus/ecommerce-local',
        conditionKeys: { 'events:source': 'ecommerce.users', 'events:detail-type': 'UserRegistered' },
      },
      {
        principal: AS,
        action: 'events:PutEvents',
        resource: 'arn:aws:events:us-east-1:000000000000:event-bus/other',
        conditionKeys: { 'events:source': 'ecommerce.catalogs', 'events:detail-type': 'StockReserved' },
      },
      {
        principal: AS,
        action: 'events:PutEvents',
        resource: 'arn:aws:events:us-east-1:000000000000:event-bus/default',
        conditionKeys: { 'events:source': 's', 'events:detail-type': 'd' },
      },
    ]);
  });

  it('no entries still needs events:PutEvents (on the default bus, without keys)', () => {
    const parsed = parseRequest(
      'events',
      { path: '/', headers: { 'x-amz-target': 'AWSEvents.PutEvents' }, body: '{"Entries":[]}' },
      OPTIONS,
    );
    expect(parsed.contexts).toEqual([
      { action: 'events:PutEvents', resource: 'arn:aws:events:us-east-1:000000000000:event-bus/default', conditionKeys: {} },
    ]);
  });
});

describe('Lambda Invoke (POST /2015-03-31/functions/<name or ARN>/invocations)', () => {
  const viaLambda = async (FunctionName: string, Qualifier?: string) =>
    parseRequest(
      'lambda',
      await captureSdkRequest((endpoint) =>
        new LambdaClient({ endpoint, ...signedAs(AS) }).send(
          new InvokeCommand({ FunctionName, ...(Qualifier ? { Qualifier } : {}), Payload: Buffer.from('{}') }),
        ),
      ),
      OPTIONS,
    );
  const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:ecommerce-local-userOrders';

  it('lambda:InvokeFunction on the function ARN, from a name, an ARN or a partial ARN', async () => {
    expect(await viaLambda('ecommerce-local-userOrders')).toEqual({
      accessKeyId: AS,
      operation: 'Invoke',
      contexts: [{ principal: AS, action: 'lambda:InvokeFunction', resource: FUNCTION_ARN, conditionKeys: {} }],
    });
    expect((await viaLambda(FUNCTION_ARN)).contexts[0]?.resource).toBe(FUNCTION_ARN);
    expect((await viaLambda('000000000000:function:ecommerce-local-userOrders')).contexts[0]?.resource).toBe(FUNCTION_ARN);
  });

  it('a qualified invocation (name:alias, or Qualifier) is authorized on the qualified ARN', async () => {
    expect((await viaLambda('ecommerce-local-userOrders:live')).contexts[0]?.resource).toBe(`${FUNCTION_ARN}:live`);
    expect((await viaLambda('ecommerce-local-userOrders', '3')).contexts[0]?.resource).toBe(`${FUNCTION_ARN}:3`);
    expect(functionArnOf('arn:aws:lambda:eu-west-1:111111111111:function:f:7', undefined, OPTIONS)).toBe(
      'arn:aws:lambda:eu-west-1:111111111111:function:f:7',
    );
  });

  it('refuses any other Lambda path', () => {
    expect(() => parseRequest('lambda', { method: 'GET', path: '/2015-03-31/functions/f', headers: {} }, OPTIONS)).toThrow(
      /the Lambda request GET \/2015-03-31\/functions\/f \(only Invoke/,
    );
  });
});
