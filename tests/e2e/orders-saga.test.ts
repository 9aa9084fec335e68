/**
 * The orders saga end to end over HTTP on the local stack: orders placed through the gateway (with a
 * real token), the outbox, both consumers and their queues; local-only checks (products of the test's
 * own, stock, reservations, queues) read the emulators directly. Nothing is mocked. Messages that keep failing
 * (DLQ, redrive) are tested on a stack that gives up sooner: tests/integration/orders-restart.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { orderEvent } from '../../functions/orders/domain/order-events.js';
import { newOrderId } from '../../functions/orders/domain/order-id.js';
import type { Order } from '../../functions/orders/domain/order.js';
import { stockEvent } from '../../functions/catalogs/domain/stock-events.js';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { documentClient, eventBridgeClient, sqsClient } from '../support/aws.js';
import { describeLocal, queueUrl } from '../support/env.js';
import {
  busEventBody,
  createProduct,
  invokeFunction,
  names,
  orderItem,
  putOnBus,
  reservationOf,
  sleep,
  stockOf,
  waitUntilDrained,
  warmUp,
  SAGA_FUNCTIONS,
} from '../integration/saga-helpers.js';
import { newSession, orderPastGrace, placeOrder, settledOrder, settledOrders, type Session } from './orders-support.js';

describeLocal('orders saga over HTTP (local stack)', () => {
  const n = names();
  const doc = documentClient();
  const sqs = sqsClient();
  const bus = eventBridgeClient();
  const run = randomUUID().slice(0, 8);
  let buyers: Session[] = [];
  let flashSaleBuyers: Session[] | undefined;

  beforeAll(async () => {
    await warmUp(SAGA_FUNCTIONS.map((name) => n.fn(name)));
    buyers = await Promise.all([newSession('saga-a'), newSession('saga-b')]);
  });

  /** The flash sale's 20 buyers, signed up five at a time (each sign-up and log-in hashes a password). */
  async function saleBuyers(): Promise<Session[]> {
    if (!flashSaleBuyers) {
      flashSaleBuyers = [];
      for (let i = 0; i < 20; i += 5) flashSaleBuyers.push(...(await Promise.all(Array.from({ length: 5 }, () => newSession('sale')))));
    }
    return flashSaleBuyers;
  }

  /** The messages of a queue whose body names one of `ids`: read without hiding them (visibility 0), each once. */
  async function messagesMentioning(url: string, ids: Set<string>): Promise<string[]> {
    const seen = new Map<string, string>();
    for (let quiet = 0, round = 0; quiet < 2 && round < 50; round++) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
      const fresh = Messages.filter((m) => !seen.has(m.MessageId as string));
      for (const m of fresh) seen.set(m.MessageId as string, m.Body ?? '');
      quiet = fresh.length === 0 ? quiet + 1 : 0;
    }
    return [...seen.values()].filter((body) => [...ids].some((id) => body.includes(id)));
  }

  // The flash sale (functions/catalogs/README.md, "A hot product"): one product, stock 100, 500 orders from 20
  // buyers with 50 requests in flight. Run as delivered, then with every OrderPlaced delivered once more
  // (so the catalog answers twice, and the orders consumer gets every answer twice).
  it.each([
    ['as delivered', false],
    ['with every OrderPlaced (and so every stock answer) delivered twice', true],
  ])(
    'flash sale, %s: exactly 100 CONFIRMED at the catalog price, 400 OUT_OF_STOCK, stock 0 and never negative, no DLQ message, nothing PENDING',
    async (_how, duplicated) => {
      const productId = `SALE-${duplicated ? 'DUP' : 'ONE'}-${run}`;
      await createProduct(doc, n.catalogsTable, { productId, stock: 100, unitPrice: 700 });
      const buyers = await saleBuyers();
      let lowest = 100;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          lowest = Math.min(lowest, (await stockOf(doc, n.catalogsTable, productId)) ?? -1);
          await sleep(20);
        }
      })();

      const duplicates: Array<Promise<void>> = [];
      const startedAt = Date.now();
      const responses = await inFlight(500, 50, async (i) => {
        const response = await placeOrder(buyers[i % buyers.length]!, { productId, qty: 1, unitPrice: 1 });
        if (duplicated && response.status === 201)
          duplicates.push(putOnBus(bus, n.bus, [orderEvent({ ...response.body, correlationId: `dup-${i}` } as Order)]));
        return response;
      });
      await Promise.all(duplicates);
      const placedAt = Date.now();
      expect(responses.map((r) => r.status)).toEqual(Array(500).fill(201));
      // Both queues empty first (read from the emulator), then each buyer's list read over HTTP: polling 20
      // lists while the saga runs would only compete with it for the two cores.
      await waitUntilDrained(sqs, [queueUrl(n.catalogsInbox), queueUrl(n.ordersInbox)], { timeoutMs: 90_000 });
      const settled = (
        await Promise.all(
          buyers.map((b) =>
            settledOrders(
              b,
              responses.filter((r) => r.body.userId === b.userId).map((r) => r.body.orderId as string),
              { timeoutMs: 60_000, intervalMs: 1000 },
            ),
          ),
        )
      ).flatMap((m) => [...m.values()]);
      console.log(
        `flash sale ${duplicated ? 'with duplicates' : 'as delivered'}: placed in ${placedAt - startedAt} ms, settled ${Date.now() - placedAt} ms later`,
      );
      sampling = false;
      await sampler;

      // Confirmed, and PAID once the test stack's short grace period is over: the lifecycle goes on after the saga.
      const confirmed = settled.filter((o) => o.status === 'CONFIRMED' || o.status === 'PAID');
      const rejected = settled.filter((o) => o.status === 'REJECTED');
      expect(settled).toHaveLength(500);
      expect(confirmed).toHaveLength(100);
      expect(rejected).toHaveLength(400);
      for (const order of confirmed) expect(order).toMatchObject({ unitPrice: 700, totalPrice: 700 });
      for (const order of rejected) expect(order.reason).toBe('OUT_OF_STOCK');
      expect(await stockOf(doc, n.catalogsTable, productId)).toBe(0);
      expect(lowest).toBeGreaterThanOrEqual(0);
      const reservations = await Promise.all(confirmed.map((o) => reservationOf(doc, n.catalogsLedgerTable, o.orderId as string)));
      expect(reservations.every((r) => r?.status === 'RESERVED' && r.qty === 1)).toBe(true);
      const orderIds = new Set(settled.map((o) => o.orderId as string));
      for (const dlq of [n.catalogsDlq, n.ordersDlq]) expect(await messagesMentioning(queueUrl(dlq), orderIds)).toEqual([]);
    },
    180_000,
  );

  it('every consumed event delivered twice has its effect once (OrderPlaced, StockReserved, StockRejected)', async () => {
    const productId = `DUP-${run}`;
    await createProduct(doc, n.catalogsTable, { productId, stock: 10, unitPrice: 250 });
    const [buyer] = buyers as [Session];
    const confirmedRes = await placeOrder(buyer, { productId, qty: 4 });
    // The first delivery of OrderPlaced duplicated while the outbox's own copy is on its way.
    const pending = { ...confirmedRes.body, correlationId: 'dup' } as Order;
    await putOnBus(bus, n.bus, [orderEvent(pending), orderEvent(pending)]);
    const rejectedRes = await placeOrder(buyer, { productId: `NOPE-${run}`, qty: 1 });
    // The confirmed order read once it is PAID: compared before and after the duplicates, it must not move on its own.
    const [confirmed, rejected] = [
      await orderPastGrace(buyer, confirmedRes.body.orderId),
      await settledOrder(buyer, rejectedRes.body.orderId),
    ];
    expect(confirmed).toMatchObject({ status: 'PAID', unitPrice: 250, totalPrice: 1000 });
    expect(rejected).toMatchObject({ status: 'REJECTED', reason: 'UNKNOWN_PRODUCT' });
    await waitUntilDrained(sqs, [queueUrl(n.catalogsInbox), queueUrl(n.ordersInbox)]);
    expect(await stockOf(doc, n.catalogsTable, productId)).toBe(6);

    const before = {
      confirmed: await orderItem(doc, n.ordersTable, confirmed.orderId),
      rejected: await orderItem(doc, n.ordersTable, rejected.orderId),
      reservations: [
        await reservationOf(doc, n.catalogsLedgerTable, confirmed.orderId),
        await reservationOf(doc, n.catalogsLedgerTable, rejected.orderId),
      ],
    };
    const [reservation, rejection] = before.reservations as [any, any];
    // Each consumed type twice more, plus an answer contradicting the recorded one.
    await putOnBus(bus, n.bus, [
      orderEvent(pending),
      orderEvent(pending),
      stockEvent(reservation, 'dup'),
      stockEvent(reservation, 'dup'),
      stockEvent(rejection, 'dup'),
      stockEvent(rejection, 'dup'),
      stockEvent({ ...rejection, status: 'RESERVED', unitPrice: 1 }, 'dup'),
    ]);
    await waitUntilDrained(sqs, [queueUrl(n.catalogsInbox), queueUrl(n.ordersInbox)]);

    expect(await stockOf(doc, n.catalogsTable, productId)).toBe(6);
    expect(await orderItem(doc, n.ordersTable, confirmed.orderId)).toEqual(before.confirmed);
    expect(await orderItem(doc, n.ordersTable, rejected.orderId)).toEqual(before.rejected);
    expect([
      await reservationOf(doc, n.catalogsLedgerTable, confirmed.orderId),
      await reservationOf(doc, n.catalogsLedgerTable, rejected.orderId),
    ]).toEqual(before.reservations);
    expect(await settledOrder(buyer, confirmed.orderId)).toEqual(confirmed);
  });

  it('a poison message fails alone: its batch-mates are processed (partial batch response)', async () => {
    const productId = `MATES-${run}`;
    await createProduct(doc, n.catalogsTable, { productId, stock: 10, unitPrice: 90 });
    const [buyer] = buyers as [Session];
    const placed = await placeOrder(buyer, { productId, qty: 2 });
    const order = { ...placed.body, correlationId: 'mates' } as Order;
    const record = (messageId: string, body: string) => ({
      messageId,
      receiptHandle: messageId,
      body,
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
      eventSource: 'aws:sqs',
    });

    const catalogs = await invokeFunction(n.fn('reserveStock'), {
      Records: [
        record('poison-1', '{"not":"an event"'),
        record('good-1', busEventBody(orderEvent(order))),
        record('poison-2', busEventBody({ ...orderEvent(order), detailType: 'OrderShipped' })),
      ],
    });
    expect(catalogs).toEqual({ batchItemFailures: [{ itemIdentifier: 'poison-1' }, { itemIdentifier: 'poison-2' }] });
    expect(await reservationOf(doc, n.catalogsLedgerTable, order.orderId)).toMatchObject({ status: 'RESERVED', qty: 2, unitPrice: 90 });

    const answer = stockEvent(
      { orderId: order.orderId, productId, qty: 2, status: 'RESERVED', unitPrice: 90, createdAt: new Date().toISOString() },
      'mates',
    );
    const unknownOrder = stockEvent(
      { orderId: newOrderId(), productId, qty: 2, status: 'RESERVED', unitPrice: 90, createdAt: new Date().toISOString() },
      'mates',
    );
    const orders = await invokeFunction(n.fn('settleOrders'), {
      Records: [record('good-2', busEventBody(answer)), record('poison-3', busEventBody(unknownOrder))],
    });
    expect(orders).toEqual({ batchItemFailures: [{ itemIdentifier: 'poison-3' }] });
    expect(await settledOrder(buyer, order.orderId)).toMatchObject({
      status: expect.stringMatching(/^(CONFIRMED|PAID)$/),
      unitPrice: 90,
      totalPrice: 180,
    });
    expect(await stockOf(doc, n.catalogsTable, productId)).toBe(8);
  });

  /** Runs `total` calls with at most `concurrency` in flight; results in call order. */
  async function inFlight<T>(total: number, concurrency: number, call: (i: number) => Promise<T>): Promise<T[]> {
    const results: T[] = new Array<T>(total);
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const i = next++;
          results[i] = await call(i);
        }
      }),
    );
    return results;
  }
});
