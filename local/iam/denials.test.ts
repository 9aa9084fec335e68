// Each denial is checked for its shape, then handed to the SDK client the functions use, which must raise the error
// a function meets on AWS (its name, message and HTTP status).
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { denialMessage, denialResponse, type DenialReason, type DenialResponse } from './denials.js';
import { captureSdkRequest, signedAs } from './sdk-capture.js';

const SESSION = 'arn:aws:sts::000000000000:assumed-role/ecommerce-local-UsersSignUpRole/ecommerce-local-signUp';
const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/ecommerce-local-users';
const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:ecommerce-local-inbox';
const policy = (action: string, resource: string, decision: 'ExplicitDeny' | 'ImplicitDeny' = 'ImplicitDeny'): DenialReason => ({
  kind: 'policy',
  principalArn: SESSION,
  action,
  resource,
  decision,
});
const sdkError = async (response: DenialResponse, send: (endpoint: string) => Promise<unknown>) =>
  (await captureSdkRequest(send, { status: response.status, headers: response.headers, body: response.body })).error as {
    name: string;
    message: string;
    $metadata: { httpStatusCode: number };
  };

describe('denial messages', () => {
  it("an implicit deny: AWS's wording with the session, action and resource", () => {
    expect(denialMessage('dynamodb', policy('dynamodb:Scan', TABLE))).toBe(
      `User: ${SESSION} is not authorized to perform: dynamodb:Scan on resource: ${TABLE} because no identity-based policy allows the dynamodb:Scan action`,
    );
  });

  it('an explicit deny says so', () => {
    expect(denialMessage('dynamodb', policy('dynamodb:Scan', TABLE, 'ExplicitDeny'))).toBe(
      `User: ${SESSION} is not authorized to perform: dynamodb:Scan on resource: ${TABLE} with an explicit deny in an identity-based policy`,
    );
  });

  it('SQS names the action in lower case', () => {
    expect(denialMessage('sqs', policy('sqs:SendMessage', QUEUE))).toBe(
      `User: ${SESSION} is not authorized to perform: sqs:sendmessage on resource: ${QUEUE} because no identity-based policy allows the sqs:sendmessage action`,
    );
  });

  it('an unknown or missing access key id, and a request the check cannot authorize, say why', () => {
    expect(denialMessage('dynamodb', { kind: 'unknown-caller', accessKeyId: 'test' })).toMatch(
      /^User: test is not authorized: the access key id "test" is neither the local stack's own \("local"\) nor the name of a function of the template/,
    );
    expect(denialMessage('dynamodb', { kind: 'unknown-caller', accessKeyId: undefined })).toMatch(
      /^User: anonymous is not authorized: the request is not signed/,
    );
    expect(
      denialMessage('dynamodb', { kind: 'unsupported-request', principalArn: SESSION, reason: 'the PartiQL operation ExecuteStatement' }),
    ).toBe(`User: ${SESSION} is not authorized: the local IAM check cannot authorize the PartiQL operation ExecuteStatement`);
  });
});

describe('denial responses, as the SDK reads them', () => {
  it('DynamoDB: 400 AccessDeniedException (JSON 1.0, com.amazon.coral.service)', async () => {
    const response = denialResponse('dynamodb', policy('dynamodb:Scan', TABLE), { requestId: 'r1' });
    expect(response).toEqual({
      status: 400,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'r1' },
      body: JSON.stringify({
        __type: 'com.amazon.coral.service#AccessDeniedException',
        Message: denialMessage('dynamodb', policy('dynamodb:Scan', TABLE)),
      }),
    });
    const error = await sdkError(response, (endpoint) =>
      new DynamoDBClient({ endpoint, ...signedAs('x') }).send(new ScanCommand({ TableName: 't' })),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(denialMessage('dynamodb', policy('dynamodb:Scan', TABLE)));
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('SQS JSON protocol: 403 with x-amzn-query-error AccessDenied;Sender, which the SDK reports as AccessDenied', async () => {
    const response = denialResponse('sqs', policy('sqs:SendMessage', QUEUE), { requestId: 'r2' });
    expect(response.status).toBe(403);
    expect(response.headers).toEqual({
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-query-error': 'AccessDenied;Sender',
      'x-amzn-requestid': 'r2',
    });
    expect(JSON.parse(response.body)).toEqual({
      __type: 'com.amazon.coral.service#AccessDeniedException',
      Message: denialMessage('sqs', policy('sqs:SendMessage', QUEUE)),
    });
    const error = await sdkError(response, (endpoint) =>
      new SQSClient({ endpoint, ...signedAs('x') }).send(
        new SendMessageCommand({ QueueUrl: `${endpoint}/000000000000/q`, MessageBody: 'm' }),
      ),
    );
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toMatch(/is not authorized to perform: sqs:sendmessage on resource/);
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it('SQS query protocol: 403 and the XML ErrorResponse', () => {
    const response = denialResponse('sqs', policy('sqs:SendMessage', QUEUE), { protocol: 'query', requestId: 'r3' });
    expect(response.status).toBe(403);
    expect(response.headers['content-type']).toBe('text/xml');
    expect(response.body).toBe(
      '<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>AccessDenied</Code>' +
        `<Message>${denialMessage('sqs', policy('sqs:SendMessage', QUEUE))}</Message><Detail/></Error><RequestId>r3</RequestId></ErrorResponse>`,
    );
    expect(
      denialResponse('sqs', { kind: 'unsupported-request', principalArn: '<x>', reason: 'a & b' }, { protocol: 'query' }).body,
    ).toContain('User: &lt;x&gt; is not authorized: the local IAM check cannot authorize a &amp; b');
  });

  it('EventBridge: 400 AccessDeniedException (JSON 1.1)', async () => {
    const reason = policy('events:PutEvents', 'arn:aws:events:us-east-1:000000000000:event-bus/ecommerce-local');
    const response = denialResponse('events', reason);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(response.body)).toEqual({ __type: 'AccessDeniedException', Message: denialMessage('events', reason) });
    const error = await sdkError(response, (endpoint) =>
      new EventBridgeClient({ endpoint, ...signedAs('x') }).send(
        new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }),
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(denialMessage('events', reason));
  });

  it('Lambda: 403 with x-amzn-ErrorType AccessDeniedException', async () => {
    const reason = policy('lambda:InvokeFunction', 'arn:aws:lambda:us-east-1:000000000000:function:ecommerce-local-userOrders');
    const response = denialResponse('lambda', reason);
    expect(response.status).toBe(403);
    expect(response.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    expect(JSON.parse(response.body)).toEqual({ Message: denialMessage('lambda', reason) });
    const error = await sdkError(response, (endpoint) =>
      new LambdaClient({ endpoint, ...signedAs('x') }).send(new InvokeCommand({ FunctionName: 'ecommerce-local-userOrders' })),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(denialMessage('lambda', reason));
    expect(error.$metadata.httpStatusCode).toBe(403);
  });
});
