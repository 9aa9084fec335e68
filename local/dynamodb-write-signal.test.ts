import { describe, expect, it } from 'vitest';
import { tablesWritten } from './dynamodb-write-signal.js';

const body = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('tablesWritten (which stream pollers a write wakes)', () => {
  it('names the table of a single-item write, by name or by ARN', () => {
    expect(tablesWritten('PutItem', body({ TableName: 'orders', Item: {} }))).toEqual(['orders']);
    expect(tablesWritten('UpdateItem', body({ TableName: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders', Key: {} }))).toEqual([
      'orders',
    ]);
  });

  it('names every table of a batch and of a transaction, each once', () => {
    expect(tablesWritten('BatchWriteItem', body({ RequestItems: { users: [], orders: [] } }))).toEqual(['users', 'orders']);
    const transaction = {
      TransactItems: [
        { Update: { TableName: 'catalogs', Key: {} } },
        { Put: { TableName: 'catalogs', Item: {} } },
        { ConditionCheck: { TableName: 'users', Key: {} } },
      ],
    };
    expect(tablesWritten('TransactWriteItems', body(transaction))).toEqual(['catalogs', 'users']);
  });

  it('says it cannot tell for a PartiQL statement or an unreadable body (every poller is woken then)', () => {
    expect(tablesWritten('ExecuteStatement', body({ Statement: "UPDATE orders SET a = 1 WHERE pk = 'x'" }))).toBeUndefined();
    expect(tablesWritten('PutItem', Buffer.from('not json'))).toBeUndefined();
  });
});
