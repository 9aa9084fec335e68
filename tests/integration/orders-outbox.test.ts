/**
 * The orders outbox and its safety net on the local stack, below HTTP: the table's stream announces
 * whatever is stored (even when nothing else publishes it), and the sweeper re-announces orders left
 * PENDING. Real DynamoDB Local, SQS emulator, local bus, functions run by serverless-offline.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, expect, it } from 'vitest';
import { newOrderId } from '../../functions/orders/domain/order-id.js';
import type { Order } from '../../functions/orders/domain/order.js';
import { documentClient } from '../support/aws.js';
import { describeLocal } from '../support/env.js';
import { SAGA_FUNCTIONS, createProduct, invokeFunction, warmUp, names, orderItem, reservationOf, sleep, stockOf, waitUntilSettled } from './saga-helpers.js';

describeLocal('orders outbox (table stream -> bus) and sweeper', () => {
  const n = names();
  const doc = documentClient();
  const run = Date.now().toString(36);
  const product = `OUTBOX-${run}`;
  const userId = `outbox-user-${run}`;
  const read = (orderId: string) => orderItem(doc, n.ordersTable, userId, orderId);

  beforeAll(async () => {
    await warmUp([...SAGA_FUNCTIONS, 'sweepPendingOrders'].map((name) => n.fn(name)));
    await createProduct(doc, n.catalogsTable, { productId: product, stock: 50, unitPrice: 1234 });
  });

  const newOrder = (qty: number): Order => ({
    orderId: newOrderId(),
    userId,
    productId: product,
    qty,
    status: 'PENDING',
    createdAt: new Date().toISOString(),
    correlationId: `outbox-${run}`,
  });
  const orderItemOf = (order: Order) => ({ pk: `USER#${userId}`, sk: `ORDER#${order.orderId}`, entity: 'ORDER', ...order, pendingShard: 'PENDING#0' });
  const refItemOf = (order: Order) => ({ pk: `ORDER#${order.orderId}`, sk: 'REF', entity: 'ORDER_REF', orderId: order.orderId, userId });

  it('an order only written to the table (its writer gone before any publish) is still announced and settled', async () => {
    const order = newOrder(2);
    // Exactly the items placeOrder's transaction writes; nobody publishes anything.
    await doc.send(new PutCommand({ TableName: n.ordersTable, Item: orderItemOf(order) }));
    await doc.send(new PutCommand({ TableName: n.ordersTable, Item: refItemOf(order) }));
    const settled = (await waitUntilSettled(read, [order.orderId])).get(order.orderId);
    expect(settled).toMatchObject({ status: 'CONFIRMED', unitPrice: 1234, totalPrice: 2468 });
    expect(settled?.pendingShard).toBeUndefined();
    expect(await stockOf(doc, n.catalogsTable, product)).toBe(48);
  });

  it('the sweeper re-announces an order left PENDING, and it settles once its answer can be applied', async () => {
    // Without its reference item the catalog's answer cannot be applied (the answer fails, and ends in
    // the orders DLQ): the order stays PENDING, as it would if its announcement had been lost.
    const order = newOrder(1);
    await doc.send(new PutCommand({ TableName: n.ordersTable, Item: orderItemOf(order) }));
    for (let i = 0; i < 50 && !(await reservationOf(doc, n.catalogsTable, order.orderId)); i++) await sleep(100);
    expect(await reservationOf(doc, n.catalogsTable, order.orderId)).toMatchObject({ status: 'RESERVED' });
    await sleep(500);
    expect((await read(order.orderId))?.status).toBe('PENDING');

    await doc.send(new PutCommand({ TableName: n.ordersTable, Item: refItemOf(order) }));
    const sweep = await invokeFunction<{ reannounced: string[]; stuck: string[] }>(n.fn('sweepPendingOrders'), { olderThanSeconds: 0 });
    expect(sweep.reannounced).toContain(order.orderId);
    const settled = (await waitUntilSettled(read, [order.orderId])).get(order.orderId);
    expect(settled).toMatchObject({ status: 'CONFIRMED', unitPrice: 1234, totalPrice: 1234, announcements: 1 });
    // The catalog answered from its record: the stock moved once.
    expect(await stockOf(doc, n.catalogsTable, product)).toBe(47);
    // A settled order is not re-announced again.
    const again = await invokeFunction<{ reannounced: string[] }>(n.fn('sweepPendingOrders'), { olderThanSeconds: 0 });
    expect(again.reannounced).not.toContain(order.orderId);
  });

  it('the sweeper leaves young PENDING orders alone (default age) and reports none stuck', async () => {
    const order = newOrder(1);
    // An order the outbox cannot settle at all (unknown user reference), kept young.
    await doc.send(new PutCommand({ TableName: n.ordersTable, Item: orderItemOf(order) }));
    const sweep = await invokeFunction<{ reannounced: string[]; stuck: string[] }>(n.fn('sweepPendingOrders'), {});
    expect(sweep.reannounced).not.toContain(order.orderId);
    expect(sweep.stuck).not.toContain(order.orderId);
    await doc.send(new DeleteCommand({ TableName: n.ordersTable, Key: { pk: `USER#${userId}`, sk: `ORDER#${order.orderId}` } }));
  });
});
