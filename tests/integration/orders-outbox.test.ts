/**
 * The orders outbox and its safety net on the local stack, below HTTP: the table's stream announces
 * whatever is stored (even when nothing else publishes it), and the sweeper re-announces orders still
 * PENDING, which changes nothing twice; and it is the lifecycle's backstop: a CONFIRMED order whose payment
 * request was lost is charged, a cancelled order whose compensation went unanswered is compensated. Real DynamoDB Local, SQS emulator, local bus, functions run by
 * serverless-offline. (That the sweeper is what settles orders whose messages were lost is shown by
 * tests/integration/orders-restart.test.ts, which loses them by stopping the stack.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newOrderId } from '../../functions/orders/domain/order-id.js';
import type { Order } from '../../functions/orders/domain/order.js';
import { orderItemOf } from '../../functions/orders/adapters/dynamodb-order-repository.js';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../support/aws.js';
import { describeLocal } from '../support/env.js';
import {
  SAGA_FUNCTIONS,
  createProduct,
  invokeFunction,
  names,
  orderItem,
  reservationOf,
  stockOf,
  storeOrder,
  waitUntilSettled,
  warmUp,
} from './saga-helpers.js';

describeLocal('orders outbox (table stream -> bus) and sweeper', () => {
  const n = names();
  const doc = documentClient();
  const run = Date.now().toString(36);
  const product = `OUTBOX-${run}`;
  const userId = `outbox-user-${run}`;
  const read = (orderId: string) => orderItem(doc, n.ordersTable, orderId);

  beforeAll(async () => {
    await warmUp([...SAGA_FUNCTIONS, 'sweepPendingOrders'].map((name) => n.fn(name)));
    await createProduct(doc, n.catalogsTable, { productId: product, stock: 50, unitPrice: 1234 });
  });

  /**
   * A product of this run the catalog cannot answer for until `release()` (its stock is not a number): an order for
   * it stays PENDING, whatever the speed of the saga. Its refused announcements come back after the queue's
   * visibility timeout and are answered then.
   */
  async function heldProduct(tag: string, stock: number, unitPrice = 1234) {
    const productId = `${tag}-${run}`;
    const setStock = (value: unknown) =>
      doc.send(
        new UpdateCommand({
          TableName: n.catalogsTable,
          Key: { pk: `PRODUCT#${productId}`, sk: 'PRODUCT' },
          UpdateExpression: 'SET stock = :s',
          ExpressionAttributeValues: { ':s': value },
        }),
      );
    await createProduct(doc, n.catalogsTable, { productId, stock, unitPrice });
    await setStock('not a number');
    return { productId, release: () => setStock(stock) };
  }

  /** Stored as a write of this state would leave it, but `silent`: as if its announcement had been lost. */
  const storeUnannounced = (order: Order) =>
    doc.send(
      new PutCommand({
        TableName: n.ordersTable,
        Item: { ...orderItemOf(order), silent: true },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  /** The order's stored item once `done` says so (30 s at most). */
  const until = async (orderId: string, done: (item: Record<string, any> | undefined) => boolean) => {
    let item: Record<string, any> | undefined;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      item = await read(orderId);
      if (done(item)) return item;
    }
    throw new Error(`order ${orderId} never got there: ${JSON.stringify(item)}`);
  };

  const newOrder = (qty: number, createdAt = new Date()): Order => ({
    orderId: newOrderId(createdAt.getTime()),
    userId,
    productId: product,
    qty,
    status: 'PENDING',
    createdAt: createdAt.toISOString(),
    correlationId: `outbox-${run}`,
  });

  it('an order only written to the table (its writer gone before any publish) is still announced and settled', async () => {
    const order = newOrder(2);
    await storeOrder(doc, n.ordersTable, order); // exactly what placeOrder writes; nobody publishes
    const settled = (await waitUntilSettled(read, [order.orderId])).get(order.orderId);
    expect(settled).toMatchObject({ status: 'CONFIRMED', unitPrice: 1234, totalPrice: 2468, paymentDueAt: expect.any(String) });
    expect(await stockOf(doc, n.catalogsTable, product)).toBe(48);
  });

  it('the sweeper re-announces orders still PENDING; a re-announced order is settled once, its stock taken once', async () => {
    // Held: the catalog cannot answer for the product until the test says so, so every order is still PENDING when
    // the sweeper looks, however fast the saga runs. Each is announced twice: stored, and swept.
    const held = await heldProduct('HELD', 5);
    const orders = Array.from({ length: 5 }, () => ({ ...newOrder(1, new Date(Date.now() - 120_000)), productId: held.productId }));
    for (const order of orders) await storeOrder(doc, n.ordersTable, order);
    const sweep = await invokeFunction<{ reannounced: string[]; stuck: string[] }>(n.fn('sweepPendingOrders'), { olderThanSeconds: 60 });
    const ids = orders.map((o) => o.orderId);
    expect(sweep.reannounced.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());

    await held.release();
    const settled = await waitUntilSettled(read, ids);
    for (const id of ids) {
      expect(settled.get(id)).toMatchObject({ status: 'CONFIRMED', unitPrice: 1234, totalPrice: 1234 });
      expect(await reservationOf(doc, n.catalogsLedgerTable, id)).toMatchObject({ status: 'RESERVED', qty: 1 });
    }
    expect(await stockOf(doc, n.catalogsTable, held.productId)).toBe(0);
    // Settled orders are not announced as placed again (once their payment is due, the sweeper may ask for it).
    const again = await invokeFunction<{ reannounced: string[]; statuses: Record<string, string> }>(n.fn('sweepPendingOrders'), {
      olderThanSeconds: 0,
    });
    expect(again.reannounced.filter((id) => ids.includes(id) && again.statuses[id] === 'PENDING')).toEqual([]);
    expect(await stockOf(doc, n.catalogsTable, held.productId)).toBe(0);
  });

  it('the sweeper leaves orders younger than its age alone', async () => {
    // Held, so the order is still PENDING (and watched) when the sweeper looks.
    const held = await heldProduct('YOUNG', 1);
    const order = { ...newOrder(1, new Date(Date.now() - 60_000)), productId: held.productId };
    await storeOrder(doc, n.ordersTable, order);
    const sweep = await invokeFunction<{ reannounced: string[]; stuck: string[] }>(n.fn('sweepPendingOrders'), { olderThanSeconds: 3600 });
    expect(sweep.reannounced).not.toContain(order.orderId);
    expect(sweep.stuck).not.toContain(order.orderId);
    expect(await read(order.orderId)).toMatchObject({ status: 'PENDING', sweepShard: expect.stringMatching(/^SWEEP#/) });
    expect(await read(order.orderId)).not.toHaveProperty('announcements');

    // Control: old enough for the sweep's age, the same order is re-announced (and then settles).
    await held.release();
    const again = await invokeFunction<{ reannounced: string[] }>(n.fn('sweepPendingOrders'), { olderThanSeconds: 30 });
    expect(again.reannounced).toContain(order.orderId);
    expect((await waitUntilSettled(read, [order.orderId])).get(order.orderId)).toMatchObject({ status: 'CONFIRMED' });
  });

  it('an operator lists the stuck orders and re-drives one through the sweeper function; a bad input fails loudly', async () => {
    // Held, so the order stays PENDING.
    const held = await heldProduct('STUCK', 3, 50);
    const order = { ...newOrder(1), productId: held.productId };
    const stuckAt = new Date(Date.now() - 60_000).toISOString();
    await doc.send(
      new PutCommand({
        TableName: n.ordersTable,
        Item: { ...orderItemOf(order), sweepShard: 'STUCK', sweepAt: stuckAt, stuckAt, announcements: 10 },
      }),
    );
    const listed = await invokeFunction<{ stuck: Array<{ order: Order; announcements: number; stuckAt: string }> }>(
      n.fn('sweepPendingOrders'),
      {
        stuck: 'list',
        limit: 1000,
      },
    );
    expect(listed.stuck.find((s) => s.order.orderId === order.orderId)).toEqual({
      order: expect.objectContaining({ orderId: order.orderId, status: 'PENDING' }),
      announcements: 10,
      stuckAt,
    });

    expect(await invokeFunction(n.fn('sweepPendingOrders'), { redrive: [order.orderId] })).toEqual({
      redriven: [order.orderId],
      notStuck: [],
    });
    expect(await read(order.orderId)).toMatchObject({
      status: 'PENDING',
      announcements: 0,
      sweepShard: expect.stringMatching(/^SWEEP#[0-3]$/),
    });
    expect(await read(order.orderId)).not.toHaveProperty('stuckAt');
    expect(await invokeFunction(n.fn('sweepPendingOrders'), { redrive: [order.orderId] })).toEqual({
      redriven: [],
      notStuck: [order.orderId],
    });
    await expect(invokeFunction(n.fn('sweepPendingOrders'), { olderThan: 5 })).rejects.toThrow(/invalid sweeper input/);

    // The catalog can answer again: the re-driven order settles, its stock taken once.
    await held.release();
    await invokeFunction(n.fn('sweepPendingOrders'), { olderThanSeconds: 0 });
    expect((await waitUntilSettled(read, [order.orderId])).get(order.orderId)).toMatchObject({ status: 'CONFIRMED', unitPrice: 50 });
    expect(await stockOf(doc, n.catalogsTable, held.productId)).toBe(2);
  });

  describe('the backstop of the lifecycle (the catalog and payments answering through the stack)', () => {
    const sweep = () =>
      invokeFunction<{ reannounced: string[]; statuses: Record<string, string> }>(n.fn('sweepPendingOrders'), { olderThanSeconds: 60 });

    it('a CONFIRMED order overdue (its payment never requested) is requested by the sweeper, charged once, and PAID', async () => {
      const due = new Date(Date.now() - 120_000);
      const order: Order = {
        ...newOrder(1, new Date(due.getTime() - 5000)),
        status: 'CONFIRMED',
        paymentMethod: 'pm_card_visa',
        unitPrice: 1234,
        totalPrice: 1234,
        settledAt: new Date(due.getTime() - 3000).toISOString(),
        paymentDueAt: due.toISOString(),
      };
      await storeUnannounced(order);
      const swept = await sweep();
      expect(swept.reannounced).toContain(order.orderId);
      expect(swept.statuses[order.orderId]).toBe('CONFIRMED');
      const paid = await until(order.orderId, (item) => item?.status === 'PAID');
      expect(paid).toMatchObject({ paidAt: expect.any(String), paymentRequestedAt: expect.any(String), announcements: 1 });
      // Final: out of the sweep.
      expect(paid?.sweepShard).toBeUndefined();
      expect((await sweep()).reannounced).not.toContain(order.orderId);
    });

    it('a CANCELLED order whose compensation went unanswered is announced again; the catalog answers and it leaves the sweep, silently', async () => {
      const productId = `CANCELLED-${run}`;
      await createProduct(doc, n.catalogsTable, { productId, stock: 7, unitPrice: 99 });
      const cancelledAt = new Date(Date.now() - 120_000);
      const order: Order = {
        ...newOrder(2, new Date(cancelledAt.getTime() - 1000)),
        productId,
        status: 'CANCELLED',
        reason: 'BUYER_CANCELLED',
        cancelledFrom: 'PENDING',
        cancelledAt: cancelledAt.toISOString(),
      };
      await storeUnannounced(order);
      expect(await read(order.orderId)).toMatchObject({ sweepShard: expect.stringMatching(/^SWEEP#/) });
      const swept = await sweep();
      expect(swept.statuses[order.orderId]).toBe('CANCELLED');
      const compensated = await until(order.orderId, (item) => item?.stockReleasedAt !== undefined);
      expect(compensated).toMatchObject({ status: 'CANCELLED', silent: true });
      expect(compensated?.sweepShard).toBeUndefined();
      // The catalog never reserved anything for it: a tombstone, and the stock as it was.
      expect(await reservationOf(doc, n.catalogsLedgerTable, order.orderId)).toBeDefined();
      expect(await stockOf(doc, n.catalogsTable, productId)).toBe(7);
    });
  });
  describe('the routes that move an order, invoked as API Gateway invokes them, each under its own role', () => {
    /** A REST proxy event as the gateway passes it after our authorizer allowed `userId` (gateway mode). */
    const routeEvent = (path: string, pathParameters: Record<string, string>, userId: string, roles = '') => ({
      httpMethod: 'POST',
      path,
      resource: path,
      headers: {},
      pathParameters,
      queryStringParameters: null,
      body: null,
      isBase64Encoded: false,
      requestContext: { authorizer: { userId, tokenExpiresAt: String(Math.floor(Date.now() / 1000) + 600), roles } },
    });

    it('cancelOrder cancels a CONFIRMED order at once; the catalog and payments answer, and it ends compensated', async () => {
      const order: Order = {
        ...newOrder(1),
        status: 'CONFIRMED',
        paymentMethod: 'pm_card_visa',
        unitPrice: 1234,
        totalPrice: 1234,
        settledAt: new Date().toISOString(),
        paymentDueAt: new Date(Date.now() + 600_000).toISOString(),
      };
      await storeUnannounced(order);
      const path = `/users/${userId}/orders/${order.orderId}/cancel`;
      const response = await invokeFunction<{ statusCode: number; body: string }>(
        n.fn('cancelOrder'),
        routeEvent(path, { userId, orderId: order.orderId }, userId),
      );
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ status: 'CANCELLED', reason: 'BUYER_CANCELLED', cancelledAt: expect.any(String) });
      const compensated = await until(order.orderId, (item) => item?.stockReleasedAt !== undefined);
      expect(compensated).toMatchObject({ status: 'CANCELLED', cancelledFrom: 'CONFIRMED' });
      expect(compensated?.sweepShard).toBeUndefined();
      expect(compensated?.paidAt).toBeUndefined();
    });

    it('shipOrder ships a PAID order for an admin, and refuses the buyer', async () => {
      const order: Order = {
        ...newOrder(1),
        status: 'PAID',
        paymentMethod: 'pm_card_visa',
        unitPrice: 1234,
        totalPrice: 1234,
        paymentDueAt: new Date().toISOString(),
        paidAt: new Date().toISOString(),
      };
      await storeUnannounced(order);
      const path = `/orders/${order.orderId}/ship`;
      const asBuyer = await invokeFunction<{ statusCode: number }>(n.fn('shipOrder'), routeEvent(path, { orderId: order.orderId }, userId));
      expect(asBuyer.statusCode).toBe(403);
      const asAdmin = await invokeFunction<{ statusCode: number; body: string }>(
        n.fn('shipOrder'),
        routeEvent(path, { orderId: order.orderId }, `admin-${run}`, 'admin'),
      );
      expect(asAdmin.statusCode).toBe(200);
      expect(JSON.parse(asAdmin.body)).toMatchObject({ status: 'SHIPPED', shippedAt: expect.any(String) });
      expect(await read(order.orderId)).toMatchObject({ status: 'SHIPPED' });
    });
  });
});
