// The users side of the users -> orders query: what reaches clients is what the contract allows.
import { describe, expect, it } from 'vitest';
import type { LambdaInvokeClient } from './lambda-invoke-client.js';
import { lambdaOrdersSource } from './lambda-orders-source.js';

const ORDER = { orderId: 'o1', userId: 'u1', productId: 'CATALOG-001', qty: 2, status: 'PENDING', createdAt: '2026-05-01T00:00:00.000Z' };

/** A Lambda client that answers every Invoke with `payload` (and records what it was asked). */
function answering(payload: unknown, functionError?: string) {
  const asked: unknown[] = [];
  const client = {
    send: async (command: { input: { Payload: Uint8Array } }) => {
      asked.push(JSON.parse(Buffer.from(command.input.Payload).toString('utf8')));
      return { Payload: Buffer.from(JSON.stringify(payload)), FunctionError: functionError };
    },
  } as unknown as LambdaInvokeClient;
  return { client, asked };
}

describe('lambdaOrdersSource', () => {
  it('asks for the user and returns the orders the contract allows', async () => {
    const { client, asked } = answering({ items: [ORDER] });
    expect(await lambdaOrdersSource('userOrders', 20, client)('u1')).toEqual([ORDER]);
    expect(asked).toEqual([{ userId: 'u1', limit: 20 }]);
  });

  it.each([
    ['no items', {}],
    ['an order with an unknown status', { items: [{ ...ORDER, status: 'LOST' }] }],
    ['an order with a field the contract does not have', { items: [{ ...ORDER, passwordHash: 'x' }] }],
    ['not an object', null],
  ])('refuses an answer with %s (the breaker then serves no orders)', async (_name, payload) => {
    await expect(lambdaOrdersSource('userOrders', 20, answering(payload).client)('u1')).rejects.toThrow(/outside its contract/);
  });

  it('refuses a failed invocation', async () => {
    await expect(lambdaOrdersSource('userOrders', 20, answering({ errorMessage: 'x' }, 'Unhandled').client)('u1')).rejects.toThrow(
      /failed: Unhandled/,
    );
  });
});
