/**
 * The local stack stopped mid-saga and started again: every stored order settles, none is oversold.
 *
 * Its own stack (own ports, DynamoDB files in a temporary directory). What a stop loses is what the
 * local stack keeps in memory: queued messages (the SQS emulator) and events in flight on the local
 * bus. What survives is what AWS keeps durably too: the tables and the stream position (checkpoints).
 * After the restart the stream resumes from its checkpoint, and the sweeper (scheduled every minute; invoked
 * here, with this stack's schedules off, so the test decides when) re-announces the orders
 * whose messages were lost; the consumers' idempotency makes every repeat harmless.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, startLocalStack, type RunningStack } from '../../local/stack.js';
import { describeLocal } from '../support/env.js';
import { TEST_PORTS } from '../support/ports.js';
import {
  SAGA_FUNCTIONS,
  createProduct,
  invokeFunction,
  names,
  ordersOfUser,
  reservationOf,
  sleep,
  stockOf,
  warmUp,
} from './saga-helpers.js';

const PORTS = Object.fromEntries(Object.entries(TEST_PORTS).map(([name, port]) => [name, port + 5])) as typeof TEST_PORTS;

async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

describeLocal('orders saga across a stop and restart of the local stack', () => {
  it('every order stored before the stop settles after the restart; stock is taken once per confirmed order', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'orders-restart-'));
    // Schedules off: this test invokes the sweeper itself, at the moment it checks.
    const start = () => startLocalStack({ dataDir, ports: PORTS, schedules: false, log: () => undefined });
    const n = names('local');
    const productId = `RESTART-${randomUUID().slice(0, 8)}`;
    let stack: RunningStack | undefined = await start();
    const client = (s: RunningStack) =>
      DynamoDBDocumentClient.from(
        new DynamoDBClient({ endpoint: s.endpoints.dynamodb, region: 'us-east-1', credentials: LOCAL_CREDENTIALS }),
      );
    try {
      let doc = client(stack);
      await createProduct(doc, n.catalogsTable, { productId, stock: 30, unitPrice: 990 });
      await warmUp(
        SAGA_FUNCTIONS.map((name) => n.fn(name)),
        stack.endpoints.lambda,
      );
      const email = `restart-${randomUUID()}@example.com`;
      expect((await call(stack.baseUrl, 'POST', '/users', { email, name: 'Restart', pwd: 'restart-password' })).status).toBe(201);
      const { userId, token } = (await call(stack.baseUrl, 'POST', '/login', { email, password: 'restart-password' })).body;

      // 40 orders for a stock of 30, ten requests in flight; the stack is stopped as soon as the last is stored.
      const base = stack.baseUrl;
      let next = 0;
      const placed: string[] = [];
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          while (next < 40) {
            next++;
            const res = await call(base, 'POST', `/users/${userId}/orders`, { productId, qty: 1 }, token);
            expect(res.status).toBe(201);
            placed.push(res.body.orderId as string);
          }
        }),
      );
      const pendingAtStop = (await ordersOfUser(doc, n.ordersTable, userId)).filter((o) => o.status === 'PENDING').length;
      await stack.stop();
      stack = undefined;
      // Mid-saga indeed: some orders had not settled when the stack went down.
      expect(pendingAtStop).toBeGreaterThan(0);

      stack = await start();
      doc = client(stack);
      expect((await ordersOfUser(doc, n.ordersTable, userId)).map((o) => o.orderId).sort()).toEqual([...placed].sort());
      await warmUp(
        SAGA_FUNCTIONS.map((name) => n.fn(name)),
        stack.endpoints.lambda,
      );
      // What the resumed stream alone settles, then what the sweeper brings back.
      await sleep(3000);
      const settledByStream = (await ordersOfUser(doc, n.ordersTable, userId)).filter((o) => o.status !== 'PENDING').length;
      const sweep = await invokeFunction<{ reannounced: string[]; stuck: string[] }>(
        n.fn('sweepPendingOrders'),
        { olderThanSeconds: 0 },
        stack.endpoints.lambda,
      );
      expect(sweep.stuck).toEqual([]);

      let orders: Array<Record<string, any>> = [];
      for (let i = 0; i < 150; i++) {
        orders = await ordersOfUser(doc, n.ordersTable, userId);
        if (orders.every((o) => o.status !== 'PENDING')) break;
        await sleep(200);
      }
      console.log(
        `[restart] ${placed.length} orders; PENDING at the stop: ${pendingAtStop}; settled 3 s after the restart: ${settledByStream}; ` +
          `re-announced by the sweeper: ${sweep.reannounced.length}`,
      );
      expect(orders.filter((o) => o.status === 'PENDING')).toEqual([]);
      const confirmed = orders.filter((o) => o.status === 'CONFIRMED');
      expect(confirmed).toHaveLength(30);
      expect(orders.filter((o) => o.status === 'REJECTED' && o.reason === 'OUT_OF_STOCK')).toHaveLength(10);
      for (const order of confirmed) expect(order).toMatchObject({ unitPrice: 990, totalPrice: 990 });
      expect(await stockOf(doc, n.catalogsTable, productId)).toBe(0);
      for (const order of orders) {
        expect((await reservationOf(doc, n.catalogsTable, order.orderId as string))?.status).toBe(
          order.status === 'CONFIRMED' ? 'RESERVED' : 'REJECTED',
        );
      }
    } finally {
      await stack?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 420_000);
});
