/**
 * IAM enforced by the local stack (local/iam/): every call a function makes is signed with its own identity
 * (access key id = its deployed name) and the local endpoints evaluate that function's role from the
 * compiled template before serving it, answering a denial as AWS does. Any SDK can reproduce one: here the
 * real clients, signed as the functions. And a bus event with a forged source changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { documentClient, sqsClient } from '../support/aws.js';
import { describeLocal, queueUrl, stage } from '../support/env.js';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { busEventBody, createProduct, names, orderItem, storeOrder, waitUntilDrained } from './saga-helpers.js';
import { newOrderId } from '../../functions/orders/domain/order-id.js';

const fn = (name: string) => `ecommerce-${stage()}-${name}`;
const as = (name: string) => ({ accessKeyId: fn(name), secretAccessKey: 'any' });
const USERS_FUNCTIONS = [
  'signUp',
  'login',
  'listUsers',
  'getUser',
  'jwks',
  'authorizer',
  'publishUserEvents',
  'refreshToken',
  'logout',
  'revokeSessions',
];

/** The error a call ends in (undefined when it succeeded), with the HTTP status of the answer. */
async function outcome(call: () => Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string } | undefined> {
  try {
    await call();
    return undefined;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
}

describeLocal('IAM enforced by the local stack', () => {
  const n = names();
  const dynamo = (name: string) => new DynamoDBClient({ credentials: as(name), maxAttempts: 1 });

  describe('DynamoDB', () => {
    it('a Scan of the users table signed as signUp answers 400 AccessDeniedException naming the principal, action and resource', async () => {
      const denied = await outcome(() => dynamo('signUp').send(new ScanCommand({ TableName: `ecommerce-${stage()}-users` })));
      expect(denied).toMatchObject({ name: 'AccessDeniedException', status: 400 });
      expect(denied?.message).toContain(`/${fn('signUp')} is not authorized to perform: dynamodb:Scan on resource: arn:aws:dynamodb:`);
      expect(denied?.message).toContain(`:table/ecommerce-${stage()}-users`);
    });

    it('a GetItem on the catalogs table: allowed signed as getCatalog, denied signed as signUp', async () => {
      const key = { pk: { S: 'PRODUCT#CATALOG-001' }, sk: { S: 'PRODUCT' } };
      const read = (name: string) => dynamo(name).send(new GetItemCommand({ TableName: n.catalogsTable, Key: key }));
      expect(await outcome(() => read('getCatalog'))).toBeUndefined();
      expect(await outcome(() => read('signUp'))).toMatchObject({ name: 'AccessDeniedException', status: 400 });
    });

    it('dynamodb:LeadingKeys holds: getCatalog may read a product, not a key of another prefix', async () => {
      const read = (pk: string) =>
        dynamo('getCatalog').send(new GetItemCommand({ TableName: n.catalogsTable, Key: { pk: { S: pk }, sk: { S: 'PRODUCT' } } }));
      expect(await outcome(() => read('PRODUCT#anything'))).toBeUndefined();
      expect(await outcome(() => read('RESERVATION#x'))).toMatchObject({ name: 'AccessDeniedException' });
    });

    it('an identity that is no function of the template is denied; the stack’s own credentials are not checked', async () => {
      const scan = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
        new DynamoDBClient({ credentials, maxAttempts: 1 }).send(new ScanCommand({ TableName: n.catalogsTable, Limit: 1 }));
      expect(await outcome(() => scan({ accessKeyId: 'ecommerce-nobody', secretAccessKey: 'x' }))).toMatchObject({
        name: 'AccessDeniedException',
      });
      expect(await outcome(() => scan({ accessKeyId: 'local', secretAccessKey: 'local' }))).toBeUndefined();
    });
  });

  describe('EventBridge', () => {
    const put = (name: string, source: string, detailType: string) =>
      new EventBridgeClient({ credentials: as(name), maxAttempts: 1 }).send(
        new PutEventsCommand({ Entries: [{ EventBusName: n.bus, Source: source, DetailType: detailType, Detail: '{}' }] }),
      );

    it.each(USERS_FUNCTIONS)('PutEvents as the catalogs (StockReserved) signed as %s is denied', async (name) => {
      expect(await outcome(() => put(name, 'ecommerce.catalogs', 'StockReserved'))).toMatchObject({
        name: 'AccessDeniedException',
        status: 400,
      });
    });

    it('control: publishUserEvents may put UserRegistered as ecommerce.users, and nothing else', async () => {
      expect(await outcome(() => put('publishUserEvents', 'ecommerce.users', 'UserRegistered'))).toBeUndefined();
      expect(await outcome(() => put('publishUserEvents', 'ecommerce.users', 'OrderPlaced'))).toMatchObject({
        name: 'AccessDeniedException',
      });
    });
  });

  describe('Lambda', () => {
    const invoke = (name: string) =>
      new LambdaClient({ credentials: as(name), maxAttempts: 1 }).send(
        new InvokeCommand({ FunctionName: fn('userOrders'), Payload: Buffer.from(JSON.stringify({ userId: randomUUID() })) }),
      );

    it('getUser may invoke userOrders; signUp may not (403 AccessDeniedException)', async () => {
      expect(await outcome(() => invoke('getUser'))).toBeUndefined();
      expect(await outcome(() => invoke('signUp'))).toMatchObject({ name: 'AccessDeniedException', status: 403 });
    });
  });

  describe('a forged event', () => {
    it('a StockReserved from another source than the catalogs is dropped by settleOrders; the same from the catalogs confirms the order', async () => {
      const sqs = sqsClient();
      const doc = documentClient();
      // A product the catalog cannot answer for (its stock is not a number): the order stays PENDING.
      const productId = `FORGED-${randomUUID().slice(0, 8)}`;
      await createProduct(doc, n.catalogsTable, { productId, stock: 1, unitPrice: 1 });
      try {
        await doc.send(
          new UpdateCommand({
            TableName: n.catalogsTable,
            Key: { pk: `PRODUCT#${productId}`, sk: 'PRODUCT' },
            UpdateExpression: 'SET stock = :s',
            ExpressionAttributeValues: { ':s': 'one' },
          }),
        );
        const order = {
          orderId: newOrderId(Date.now()),
          userId: `forged-${randomUUID()}`,
          productId,
          qty: 1,
          status: 'PENDING' as const,
          createdAt: new Date().toISOString(),
          correlationId: 'forged',
        };
        await storeOrder(doc, n.ordersTable, order);
        const answer = (source: string) =>
          busEventBody({
            source,
            detailType: 'StockReserved',
            detail: {
              metadata: {
                eventId: `${order.orderId}:StockReserved`,
                correlationId: 'forged',
                occurredAt: new Date().toISOString(),
                version: '1',
              },
              data: { orderId: order.orderId, productId, qty: 1, unitPrice: 1 },
            },
          });
        // Straight into the orders inbox, as anyone who could send to the queue (or put on the bus) would.
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(n.ordersInbox), MessageBody: answer('ecommerce.users') }));
        await waitUntilDrained(sqs, [queueUrl(n.ordersInbox)]);
        expect((await orderItem(doc, n.ordersTable, order.orderId))?.status).toBe('PENDING');

        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(n.ordersInbox), MessageBody: answer('ecommerce.catalogs') }));
        await waitUntilDrained(sqs, [queueUrl(n.ordersInbox)]);
        expect(await orderItem(doc, n.ordersTable, order.orderId)).toMatchObject({
          // CONFIRMED, or already PAID when the test stack's short grace period is over.
          status: expect.stringMatching(/^(CONFIRMED|PAID)$/),
          unitPrice: 1,
        });
      } finally {
        // The product answerable again (a number), whatever happened above: GET /catalogs of later suites must find a
        // well-formed catalog.
        await doc.send(
          new UpdateCommand({
            TableName: n.catalogsTable,
            Key: { pk: `PRODUCT#${productId}`, sk: 'PRODUCT' },
            UpdateExpression: 'SET stock = :s',
            ExpressionAttributeValues: { ':s': 1 },
          }),
        );
      }
    });
  });
});
