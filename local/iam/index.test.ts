import {
  DynamoDBClient,
  ExecuteStatementCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../cloudformation.js';
import { createIamEnforcer, UnsupportedPolicyError, type IamEnforcer, type ServiceRequest } from './index.js';
import { captureSdkRequest, signedAs } from './sdk-capture.js';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const QUEUE_URL = 'http://127.0.0.1:9324/000000000000/shop-local-inbox';
const role = (statements: unknown[], extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }],
    Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
    ...extra,
  },
});
const fn = (name: string, roleId: string) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { FunctionName: name, Role: { 'Fn::GetAtt': [roleId, 'Arn'] } },
});
const TABLE_ARN = { 'Fn::GetAtt': ['UsersTable', 'Arn'] };

function shopTemplate(signUpStatements: unknown[] = []): CfnTemplate {
  return {
    Resources: {
      UsersTable: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          TableName: 'shop-local-users',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [{ IndexName: 'UsersIndex', KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }] }],
        },
      },
      OrdersTable: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { TableName: 'shop-local-orders', KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }] },
      },
      EventBus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'shop-local' } },
      InboxQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'shop-local-inbox' } },
      SignUpRole: role([
        {
          Effect: 'Allow',
          Action: 'dynamodb:PutItem',
          Resource: TABLE_ARN,
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EMAIL#*', 'USER#*'] } },
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:DeleteItem',
          Resource: TABLE_ARN,
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EMAIL#*'] } },
        },
        { Effect: 'Allow', Action: 'dynamodb:Query', Resource: { 'Fn::Sub': '${UsersTable.Arn}/index/UsersIndex' } },
        {
          Effect: 'Allow',
          Action: 'events:PutEvents',
          Resource: { 'Fn::GetAtt': ['EventBus', 'Arn'] },
          Condition: { StringEquals: { 'events:source': 'shop.users', 'events:detail-type': 'UserRegistered' } },
        },
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': ['UserOrdersFunction', 'Arn'] } },
        { Effect: 'Deny', Action: 'dynamodb:*', Resource: TABLE_ARN, Condition: { StringLike: { 'dynamodb:LeadingKeys': 'ADMIN#*' } } },
        ...signUpStatements,
      ]),
      OrdersRole: role([
        { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Scan'], Resource: { 'Fn::GetAtt': ['OrdersTable', 'Arn'] } },
        { Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: { 'Fn::GetAtt': ['InboxQueue', 'Arn'] } },
      ]),
      SignUpFunction: fn('shop-local-signUp', 'SignUpRole'),
      UserOrdersFunction: fn('shop-local-userOrders', 'OrdersRole'),
    },
  };
}

const OPTIONS = { region: REGION, accountId: ACCOUNT, stackName: 'shop-local' };
const SIGN_UP_SESSION = 'arn:aws:sts::000000000000:assumed-role/shop-local-SignUpRole/shop-local-signUp';
const USERS_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/shop-local-users';

const dynamodbRequest = (as: string, command: any) =>
  captureSdkRequest((endpoint) => new DynamoDBClient({ endpoint, ...signedAs(as) }).send(command));
const messageOf = (outcome: ReturnType<IamEnforcer['authorize']>) =>
  outcome.allowed ? undefined : (JSON.parse(outcome.response.body) as { Message: string }).Message;

describe('createIamEnforcer', () => {
  let iam: IamEnforcer;
  beforeAll(() => {
    iam = createIamEnforcer(shopTemplate(), OPTIONS);
  });

  it("lets the stack's own calls (access key id local) through unchecked, even ones it could not authorize", async () => {
    expect(iam.authorize('dynamodb', await dynamodbRequest('local', new ScanCommand({ TableName: 'shop-local-users' })))).toEqual({
      allowed: true,
      caller: 'stack',
    });
    expect(
      iam.authorize('dynamodb', await dynamodbRequest('local', new ExecuteStatementCommand({ Statement: 'SELECT * FROM x' }))),
    ).toEqual({
      allowed: true,
      caller: 'stack',
    });
    const custom = createIamEnforcer(shopTemplate(), { ...OPTIONS, stackAccessKeyId: 'stack' });
    expect(custom.authorize('dynamodb', await dynamodbRequest('stack', new ScanCommand({ TableName: 'x' }))).allowed).toBe(true);
    expect(custom.authorize('dynamodb', await dynamodbRequest('local', new ScanCommand({ TableName: 'x' }))).allowed).toBe(false);
  });

  it('allows what the role allows, per dynamodb:LeadingKeys from the partition key the template declares', async () => {
    const put = (pk: string) =>
      dynamodbRequest('shop-local-signUp', new PutItemCommand({ TableName: 'shop-local-users', Item: { pk: { S: pk }, sk: { S: 'x' } } }));
    expect(iam.authorize('dynamodb', await put('EMAIL#a@b.c'))).toEqual({ allowed: true, caller: { functionName: 'shop-local-signUp' } });
    const denied = iam.authorize('dynamodb', await put('SESSION#1'));
    expect(denied.allowed).toBe(false);
    expect(messageOf(denied)).toBe(
      `User: ${SIGN_UP_SESSION} is not authorized to perform: dynamodb:PutItem on resource: ${USERS_ARN} because no identity-based policy allows the dynamodb:PutItem action`,
    );
  });

  it("denies what the role does not grant with DynamoDB's 400 AccessDeniedException", async () => {
    const outcome = iam.authorize(
      'dynamodb',
      await dynamodbRequest('shop-local-signUp', new ScanCommand({ TableName: 'shop-local-users' })),
    );
    expect(outcome).toMatchObject({
      allowed: false,
      reason: { kind: 'policy', principalArn: SIGN_UP_SESSION, action: 'dynamodb:Scan', resource: USERS_ARN, decision: 'ImplicitDeny' },
      response: { status: 400, headers: { 'content-type': 'application/x-amz-json-1.0' } },
    });
    expect(JSON.parse((outcome as { response: { body: string } }).response.body).__type).toBe(
      'com.amazon.coral.service#AccessDeniedException',
    );
  });

  it('an explicit deny wins and says so', async () => {
    const outcome = iam.authorize(
      'dynamodb',
      await dynamodbRequest(
        'shop-local-signUp',
        new PutItemCommand({ TableName: 'shop-local-users', Item: { pk: { S: 'ADMIN#1' }, sk: { S: 'x' } } }),
      ),
    );
    expect(outcome).toMatchObject({ allowed: false, reason: { decision: 'ExplicitDeny' } });
    expect(messageOf(outcome)).toMatch(/with an explicit deny in an identity-based policy$/);
  });

  it('a Query on an index: the index partition key (from the template) and the index ARN', async () => {
    const query = await dynamodbRequest(
      'shop-local-signUp',
      new QueryCommand({
        TableName: 'shop-local-users',
        IndexName: 'UsersIndex',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'USERS' } },
      }),
    );
    expect(iam.authorize('dynamodb', query).allowed).toBe(true);
  });

  it('a transaction is denied if any item is, naming that item', async () => {
    const outcome = iam.authorize(
      'dynamodb',
      await dynamodbRequest(
        'shop-local-signUp',
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: 'shop-local-users', Item: { pk: { S: 'EMAIL#a' }, sk: { S: 'x' } } } },
            { Delete: { TableName: 'shop-local-users', Key: { pk: { S: 'USER#1' }, sk: { S: 'x' } } } },
          ],
        }),
      ),
    );
    expect(outcome).toMatchObject({ allowed: false, reason: { action: 'dynamodb:DeleteItem', resource: USERS_ARN } });
  });

  it("a role's action on another context's table is denied", async () => {
    const outcome = iam.authorize(
      'dynamodb',
      await dynamodbRequest('shop-local-signUp', new GetItemCommand({ TableName: 'shop-local-orders', Key: { orderId: { S: 'O1' } } })),
    );
    expect(outcome).toMatchObject({
      allowed: false,
      reason: { action: 'dynamodb:GetItem', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/shop-local-orders' },
    });
    const own = await dynamodbRequest(
      'shop-local-userOrders',
      new GetItemCommand({ TableName: 'shop-local-orders', Key: { orderId: { S: 'O1' } } }),
    );
    expect(iam.authorize('dynamodb', own).allowed).toBe(true);
  });

  it('PutEvents: allowed with its own source and detail-type, denied with another', async () => {
    const put = (Source: string, DetailType = 'UserRegistered') =>
      captureSdkRequest((endpoint) =>
        new EventBridgeClient({ endpoint, ...signedAs('shop-local-signUp') }).send(
          new PutEventsCommand({ Entries: [{ EventBusName: 'shop-local', Source, DetailType, Detail: '{}' }] }),
        ),
      );
    expect(iam.authorize('events', await put('shop.users')).allowed).toBe(true);
    const forged = iam.authorize('events', await put('shop.catalogs', 'StockReserved'));
    expect(forged).toMatchObject({ allowed: false, response: { status: 400 } });
    expect(JSON.parse((forged as { response: { body: string } }).response.body)).toEqual({
      __type: 'AccessDeniedException',
      Message: `User: ${SIGN_UP_SESSION} is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:000000000000:event-bus/shop-local because no identity-based policy allows the events:PutEvents action`,
    });
  });

  it('SQS: allowed on its own queue; denied otherwise with 403 AccessDenied (JSON), or the XML of the query protocol', async () => {
    const sqs = (as: string, command: any) => captureSdkRequest((endpoint) => new SQSClient({ endpoint, ...signedAs(as) }).send(command));
    expect(iam.authorize('sqs', await sqs('shop-local-userOrders', new ReceiveMessageCommand({ QueueUrl: QUEUE_URL }))).allowed).toBe(true);
    const json = iam.authorize(
      'sqs',
      await sqs('shop-local-userOrders', new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: 'm' })),
    );
    expect(json).toMatchObject({ allowed: false, response: { status: 403, headers: { 'x-amzn-query-error': 'AccessDenied;Sender' } } });
    const query: ServiceRequest = {
      method: 'POST',
      path: '/',
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=shop-local-userOrders/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: `Action=SendMessage&QueueUrl=${encodeURIComponent(QUEUE_URL)}&MessageBody=m`,
    };
    const xml = iam.authorize('sqs', query);
    expect(xml).toMatchObject({ allowed: false, response: { status: 403, headers: { 'content-type': 'text/xml' } } });
    expect((xml as { response: { body: string } }).response.body).toContain('<Code>AccessDenied</Code>');
  });

  it('Lambda: invoking the function its role names is allowed, any other is denied with 403', async () => {
    const invoke = (FunctionName: string) =>
      captureSdkRequest((endpoint) =>
        new LambdaClient({ endpoint, ...signedAs('shop-local-signUp') }).send(new InvokeCommand({ FunctionName })),
      );
    expect(iam.authorize('lambda', await invoke('shop-local-userOrders')).allowed).toBe(true);
    expect(iam.authorize('lambda', await invoke('shop-local-signUp'))).toMatchObject({
      allowed: false,
      response: { status: 403, headers: { 'x-amzn-errortype': 'AccessDeniedException' } },
    });
  });

  it('denies a caller that is neither the stack nor a function of the template, and an unsigned one, saying so', async () => {
    const unknown = iam.authorize('dynamodb', await dynamodbRequest('test', new ScanCommand({ TableName: 'shop-local-users' })));
    expect(unknown).toMatchObject({ allowed: false, reason: { kind: 'unknown-caller', accessKeyId: 'test' }, response: { status: 400 } });
    expect(messageOf(unknown)).toMatch(
      /the access key id "test" is neither the local stack's own \("local"\) nor the name of a function of the template/,
    );
    const unsigned = iam.authorize('dynamodb', { path: '/', headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables' }, body: '{}' });
    expect(unsigned).toMatchObject({ allowed: false, reason: { kind: 'unknown-caller', accessKeyId: undefined } });
  });

  it('denies a request it cannot authorize faithfully, saying why', async () => {
    const outcome = iam.authorize(
      'dynamodb',
      await dynamodbRequest('shop-local-signUp', new ExecuteStatementCommand({ Statement: 'SELECT * FROM x' })),
    );
    expect(outcome).toMatchObject({ allowed: false, reason: { kind: 'unsupported-request', principalArn: SIGN_UP_SESSION } });
    expect(messageOf(outcome)).toMatch(/the local IAM check cannot authorize the PartiQL operation ExecuteStatement/);
  });

  it('evaluate() decides one authorization, with the global condition keys set', () => {
    const enforcer = createIamEnforcer(
      shopTemplate([
        {
          Effect: 'Allow',
          Action: 'dynamodb:GetItem',
          Resource: '*',
          Condition: {
            Bool: { 'aws:SecureTransport': 'true' },
            ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:role/shop-local-SignUpRole' },
            StringEquals: { 'aws:RequestedRegion': 'us-east-1', 'aws:PrincipalAccount': '000000000000' },
            DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' },
          },
        },
      ]),
      { ...OPTIONS, now: () => new Date('2026-06-01T00:00:00Z') },
    );
    expect(
      enforcer.evaluate('shop-local-signUp', {
        action: 'dynamodb:GetItem',
        resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/x',
        conditionKeys: {},
      }).decision,
    ).toBe('Allow');
    expect(() => enforcer.evaluate('nobody', { action: 'a:b', resource: '*' })).toThrow(/not a function of the template/);
  });

  it('exposes each function with its role session', () => {
    expect(iam.functions.get('shop-local-signUp')).toMatchObject({ roleName: 'shop-local-SignUpRole', sessionArn: SIGN_UP_SESSION });
  });
});

describe('createIamEnforcer refuses to start on what it cannot enforce', () => {
  const refusals: Array<[string, unknown, RegExp]> = [
    [
      'a condition key of the service it does not compute',
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: '*',
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['a'] } },
      },
      /condition key dynamodb:attributes on dynamodb requests \(not computed locally/,
    ],
    [
      'a global key it does not set',
      { Effect: 'Deny', Action: '*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
      /condition operator NotIpAddress/,
    ],
    [
      'a global key it does not set (with a supported operator)',
      { Effect: 'Allow', Action: 'sqs:*', Resource: '*', Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } } },
      /condition key aws:sourcevpc on sqs requests/,
    ],
    [
      'an unsupported operator',
      { Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringMaybe: { 'aws:x': 'y' } } },
      /unknown condition operator StringMaybe/,
    ],
    [
      'a policy variable',
      { Effect: 'Allow', Action: 'dynamodb:*', Resource: 'arn:aws:dynamodb:*:*:table/${aws:username}' },
      /policy variable/,
    ],
  ];
  it.each(refusals)('%s', (_name, statement, message) => {
    expect(() => createIamEnforcer(shopTemplate([statement]), OPTIONS)).toThrow(UnsupportedPolicyError);
    expect(() => createIamEnforcer(shopTemplate([statement]), OPTIONS)).toThrow(message);
  });

  it("accepts other services' condition keys, which are missing on AWS too (the login role's kms:ViaService)", () => {
    const kms = {
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } },
    };
    const broad = { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 'x' } } };
    expect(() => createIamEnforcer(shopTemplate([kms, broad]), OPTIONS)).not.toThrow();
  });

  it('accepts the computed keys as templates spell them (dynamodb:LeadingKeys, events:detail-type: condition keys are case-insensitive)', () => {
    const leading = {
      Effect: 'Allow',
      Action: 'dynamodb:GetItem',
      Resource: TABLE_ARN,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#*'] } },
    };
    const events = {
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Resource: '*',
      Condition: { StringEquals: { 'Events:Source': 'a', 'events:detail-type': 'b' } },
    };
    expect(() => createIamEnforcer(shopTemplate([leading, events]), OPTIONS)).not.toThrow();
  });
});
