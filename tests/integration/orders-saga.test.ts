/**
 * The orders saga on the local stack, below HTTP: the outbox (orders table stream -> bus), the
 * catalogs consumer and the orders consumer, with the real DynamoDB Local, SQS emulator, local bus
 * and functions run by serverless-offline. Orders are placed by invoking placeOrder through the
 * Lambda port with the authorizer's context (the HTTP suite in tests/e2e goes through the gateway).
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, expect, it } from 'vitest';
import { orderEvent } from '../../functions/orders/domain/order-events.js';
import { newOrderId } from '../../functions/orders/domain/order-id.js';
import type { Order } from '../../functions/orders/domain/order.js';
import { stockEvent } from '../../functions/catalogs/domain/stock-events.js';
import { documentClient, eventBridgeClient, sqsClient } from '../support/aws.js';
import { describeLocal, queueUrl } from '../support/env.js';
import {
  createProduct,
  invokeFunction,
  names,
  orderItem,
  putOnBus,
  queueDepth,
  reservationOf,
  stockOf,
  waitUntilDrained,
  waitUntilSettled,
} from './saga-helpers.js';

describeLocal('orders saga (outbox, catalogs consumer, orders consumer)', () => {
  const n = names();
  const doc = documentClient();
  const sqs = sqsClient();
  const bus = eventBridgeClient();
  const run = Date.now().toString(36);
  const product = `SAGA-${run}`;
  const userId = `saga-user-${run}`;

  beforeAll(async () => {
    await createProduct(doc, n.catalogsTable, { productId: product, stock: 50, unitPrice: 1234 });
  });

  async function place(body: Record<string, unknown>, headers: Record<string, string> = {}, caller = userId) {
    const response = await invokeFunction<{ statusCode: number; body: string }>(n.fn('placeOrder'), {
      httpMethod: 'POST',
      path: `/users/${caller}/orders`,
      resource: '/users/{userId}/orders',
      pathParameters: { userId: caller },
      queryStringParameters: null,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: { requestId: randomUUID(), authorizer: { userId: caller } },
    });
    return { status: response.statusCode, body: JSON.parse(response.body) };
  }
  const read = (orderId: string) => orderItem(doc, n.ordersTable, userId, orderId);

  it('an order is CONFIRMED at the catalog price (the client price is ignored) and the stock is lowered once', async () => {
    const placed = await place({ productId: product, qty: 3, unitPrice: 1 });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ userId, productId: product, qty: 3, status: 'PENDING' });
    const settled = (await waitUntilSettled(read, [placed.body.orderId])).get(placed.body.orderId);
    expect(settled).toMatchObject({ status: 'CONFIRMED', unitPrice: 1234, totalPrice: 3 * 1234 });
    expect(settled?.pendingShard).toBeUndefined();
    expect(await stockOf(doc, n.catalogsTable, product)).toBe(47);
    expect(await reservationOf(doc, n.catalogsTable, placed.body.orderId)).toMatchObject({ status: 'RESERVED', qty: 3, unitPrice: 1234 });
  });

  it('an unknown product is REJECTED with UNKNOWN_PRODUCT, a quantity above the stock with OUT_OF_STOCK', async () => {
    const stockBefore = await stockOf(doc, n.catalogsTable, product);
    const unknown = await place({ productId: `NOPE-${run}`, qty: 1 });
    const tooMany = await place({ productId: product, qty: 1000 });
    const settled = await waitUntilSettled(read, [unknown.body.orderId, tooMany.body.orderId]);
    expect(settled.get(unknown.body.orderId)).toMatchObject({ status: 'REJECTED', reason: 'UNKNOWN_PRODUCT' });
    expect(settled.get(tooMany.body.orderId)).toMatchObject({ status: 'REJECTED', reason: 'OUT_OF_STOCK' });
    expect(settled.get(tooMany.body.orderId)?.unitPrice).toBeUndefined();
    expect(await stockOf(doc, n.catalogsTable, product)).toBe(stockBefore);
  });

  it('outbox: an order only written to the table (its writer gone before any publish) is still announced and settled', async () => {
    const orderId = newOrderId();
    const order: Order = { orderId, userId, productId: product, qty: 2, status: 'PENDING', createdAt: new Date().toISOString(), correlationId: `outbox-${run}` };
    // Exactly the two items placeOrder's transaction writes; nothing is published by the writer.
    await doc.send(new PutCommand({ TableName: n.ordersTable, Item: { pk: `USER#${userId}`, sk: `ORDER#${orderId}`, entity: 'ORDER', ...order, pendingShard: 'PENDING#0' } }));
    await doc.send(new PutCommand({ TableName: n.ordersTable, Item: { pk: `ORDER#${orderId}`, sk: 'REF', entity: 'ORDER_REF', orderId, userId } }));
    expect((await waitUntilSettled(read, [orderId])).get(orderId)).toMatchObject({ status: 'CONFIRMED', unitPrice: 1234, totalPrice: 2468 });
  });

  it('Idempotency-Key: a repeat returns the same order and creates nothing; another body is a 409', async () => {
    const key = randomUUID();
    const first = await place({ productId: product, qty: 1 }, { 'Idempotency-Key': key });
    const again = await place({ qty: 1, productId: product }, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(again).toEqual(first);
    const other = await place({ productId: product, qty: 2 }, { 'Idempotency-Key': key });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    await waitUntilSettled(read, [first.body.orderId]);
    const concurrent = await Promise.all(Array.from({ length: 8 }, () => place({ productId: product, qty: 1 }, { 'Idempotency-Key': `${key}-c` })));
    expect(new Set(concurrent.map((r) => `${r.status}:${r.body.orderId}`)).size).toBe(1);
  });

  it('every consumed event delivered twice (or more) has its effect once', async () => {
    const confirmed = await place({ productId: product, qty: 4 });
    const rejected = await place({ productId: `NOPE2-${run}`, qty: 1 });
    const ids = [confirmed.body.orderId as string, rejected.body.orderId as string];
    await waitUntilSettled(read, ids);
    const before = { stock: await stockOf(doc, n.catalogsTable, product), confirmed: await read(ids[0]!), rejected: await read(ids[1]!) };
    const reservations = await Promise.all(ids.map((id) => reservationOf(doc, n.catalogsTable, id)));

    const stored = before.confirmed as unknown as Order;
    const placedEvent = orderEvent({ ...stored, status: 'PENDING' });
    const reserved = stockEvent({ ...(reservations[0] as any) }, 'dup-test');
    const rejectedAnswer = stockEvent({ ...(reservations[1] as any) }, 'dup-test');
    // OrderPlaced twice (the catalog answers again, from its record), StockReserved / StockRejected twice,
    // and an answer that contradicts the recorded one: none of it changes anything.
    const contradicting = stockEvent({ ...(reservations[1] as any), status: 'RESERVED', unitPrice: 1 }, 'dup-test');
    await putOnBus(bus, n.bus, [placedEvent, placedEvent, reserved, reserved, rejectedAnswer, rejectedAnswer, contradicting]);
    await waitUntilDrained(sqs, [queueUrl(n.catalogsInbox), queueUrl(n.ordersInbox)]);

    expect(await stockOf(doc, n.catalogsTable, product)).toBe(before.stock);
    expect(await read(ids[0]!)).toEqual(before.confirmed);
    expect(await read(ids[1]!)).toEqual(before.rejected);
    expect(await Promise.all(ids.map((id) => reservationOf(doc, n.catalogsTable, id)))).toEqual(reservations);
    expect(await queueDepth(sqs, queueUrl(n.catalogsDlq))).toBe(0);
    expect(await queueDepth(sqs, queueUrl(n.ordersDlq))).toBe(0);
  });
});
