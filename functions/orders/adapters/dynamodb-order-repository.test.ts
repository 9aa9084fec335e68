// The list's page tokens, below DynamoDB: what a token may hold, and that it never leaves the caller's partition.
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { InvalidPageTokenError } from '../../shared/domain-errors.js';
import { newOrderId } from '../domain/order-id.js';
import type { Order } from '../domain/order.js';
import { DynamoDbOrderRepository, USER_ORDERS_INDEX, orderItemOf } from './dynamodb-order-repository.js';

const CALLER = 'user-1';
const order = (minute: number): Order => ({
  orderId: newOrderId(Date.UTC(2026, 2, 1, 10, minute), new Uint8Array(10).fill(minute)),
  userId: CALLER,
  productId: 'CATALOG-001',
  qty: 1,
  status: 'PENDING',
  createdAt: new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString(),
  correlationId: 'corr-1',
});

/** Answers every Query with `items` (as the index would, newest first) and keeps what it was asked. */
function setup(items: Order[] = []) {
  const queries: QueryCommandInput[] = [];
  const client = {
    send: async (command: { input: QueryCommandInput }) => {
      queries.push(command.input);
      return { Items: items.map(orderItemOf) };
    },
  } as unknown as DynamoDBDocumentClient;
  return { queries, repository: new DynamoDbOrderRepository(client, 'orders') };
}

const tokenOf = (cursor: unknown) => Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');

describe('DynamoDbOrderRepository.list page tokens', () => {
  it("hands out a token after the page's last order, and continues from it in the caller's partition", async () => {
    const [newest, middle, oldest] = [order(3), order(2), order(1)];
    const first = setup([newest, middle, oldest]);
    const page = await first.repository.list(CALLER, 2);
    expect(page.items.map((o) => o.orderId)).toEqual([newest.orderId, middle.orderId]);
    expect(page.nextToken).toBe(tokenOf({ orderId: middle.orderId }));

    const next = setup([oldest]);
    expect(await next.repository.list(CALLER, 2, page.nextToken)).toEqual({ items: [oldest] });
    expect(next.queries[0]).toMatchObject({
      IndexName: USER_ORDERS_INDEX,
      ExpressionAttributeValues: { ':user': `USER#${CALLER}` },
      ExclusiveStartKey: { pk: `ORDER#${middle.orderId}`, sk: 'ORDER', gsi1pk: `USER#${CALLER}`, gsi1sk: `ORDER#${middle.orderId}` },
    });
  });

  it("keeps a token that names another user's order in the caller's partition", async () => {
    const { queries, repository } = setup();
    const theirs = order(5).orderId;
    await repository.list(CALLER, 20, tokenOf({ orderId: theirs }));
    expect(queries[0]?.ExpressionAttributeValues).toEqual({ ':user': `USER#${CALLER}` });
    expect(queries[0]?.ExclusiveStartKey).toMatchObject({ gsi1pk: `USER#${CALLER}` });
  });

  it.each([
    ['garbage', '%%%'],
    ['the old layout (pk/sk in the user partition)', tokenOf({ pk: 'USER#user-2', sk: `ORDER#${order(1).orderId}` })],
    ['an orderId that is not an order id', tokenOf({ orderId: 'USER#user-2' })],
    ['a numeric orderId', tokenOf({ orderId: 42 })],
    ['an extra key', tokenOf({ orderId: order(1).orderId, gsi1pk: 'USER#user-2' })],
  ])('refuses %s as InvalidPageTokenError, and reads nothing', async (_name, nextToken) => {
    const { queries, repository } = setup();
    await expect(repository.list(CALLER, 20, nextToken)).rejects.toBeInstanceOf(InvalidPageTokenError);
    expect(queries).toEqual([]);
  });
});
