/**
 * The local EventBridge against the real SQS emulator: PutEvents over HTTP with the AWS SDK,
 * routed by rule patterns to the queues their targets name, each bus by its own rules only; an unmatched
 * event reaches no queue.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LocalEventBus } from '../../local/eventbridge/local-event-bus.js';
import { eventBridgeClient, sqsClient } from '../support/aws.js';
import { describeLocal } from '../support/env.js';

describeLocal('local event bus routing (real SQS emulator)', () => {
  const sqs = sqsClient();
  const run = Date.now().toString(36);
  const queues = {
    placed: `routing-placed-${run}`,
    bigOrders: `routing-big-${run}`,
    notUsers: `routing-not-users-${run}`,
    otherBus: `routing-other-bus-${run}`,
  };
  const urls = new Map<string, string>();
  let bus: LocalEventBus;

  beforeAll(async () => {
    for (const name of Object.values(queues)) {
      urls.set(name, (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string);
    }
    bus = new LocalEventBus({
      port: 0,
      region: 'us-east-1',
      accountId: '000000000000',
      eventBuses: ['routing-test', 'another-bus'],
      sqs,
      queueUrl: (name) => urls.get(name) as string,
      rules: [
        {
          logicalId: 'Placed',
          eventBusName: 'routing-test',
          enabled: true,
          eventPattern: { source: ['ecommerce.orders'], 'detail-type': ['OrderPlaced'] },
          targets: [{ id: 'a', queueName: queues.placed }],
        },
        {
          logicalId: 'Big',
          eventBusName: 'routing-test',
          enabled: true,
          eventPattern: { 'detail-type': [{ prefix: 'Order' }], detail: { data: { qty: [{ numeric: ['>=', 100] }] } } },
          targets: [{ id: 'b', queueName: queues.bigOrders }],
        },
        {
          logicalId: 'NotUsers',
          eventBusName: 'routing-test',
          enabled: true,
          eventPattern: { source: [{ 'anything-but': 'ecommerce.users' }], detail: { metadata: { correlationId: [{ exists: true }] } } },
          targets: [{ id: 'c', queueName: queues.notUsers }],
        },
        {
          logicalId: 'OtherBus',
          eventBusName: 'another-bus',
          enabled: true,
          eventPattern: { source: ['ecommerce.orders'] },
          targets: [{ id: 'd', queueName: queues.otherBus }],
        },
      ],
    });
    await bus.start();
  });

  afterAll(async () => {
    await bus.stop();
  });

  const put = (source: string, detailType: string, detail: unknown, EventBusName = 'routing-test') =>
    eventBridgeClient(`http://127.0.0.1:${bus.port}`).send(
      new PutEventsCommand({ Entries: [{ EventBusName, Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }] }),
    );

  async function drain(name: string): Promise<Array<Record<string, any>>> {
    const out: Array<Record<string, any>> = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: urls.get(name), MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return out;
      out.push(...Messages.map((m) => JSON.parse(m.Body as string)));
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: urls.get(name),
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }

  const depth = async (name: string) =>
    Number(
      (
        await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: urls.get(name),
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        )
      ).Attributes?.ApproximateNumberOfMessages,
    );

  it('delivers a matching event, as the EventBridge event envelope, to every queue its rules name', async () => {
    const detail = { metadata: { correlationId: 'c-1' }, data: { orderId: 'o-1', qty: 150 } };
    const result = await put('ecommerce.orders', 'OrderPlaced', detail);
    expect(result.FailedEntryCount).toBe(0);
    const eventId = result.Entries?.[0]?.EventId;

    for (const name of [queues.placed, queues.bigOrders, queues.notUsers]) {
      const messages = await drain(name);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({
        version: '0',
        id: eventId,
        source: 'ecommerce.orders',
        'detail-type': 'OrderPlaced',
        detail,
        region: 'us-east-1',
      });
    }
  });

  it('applies each rule on its own: numeric range and anything-but', async () => {
    await put('ecommerce.orders', 'OrderPlaced', { metadata: { correlationId: 'c-2' }, data: { qty: 5 } });
    expect(await drain(queues.placed)).toHaveLength(1);
    expect(await drain(queues.bigOrders)).toHaveLength(0);
    expect(await drain(queues.notUsers)).toHaveLength(1);
  });

  it('an event that matches no rule arrives nowhere', async () => {
    const result = await put('ecommerce.users', 'UserRegistered', { data: { userId: 'u' } });
    expect(result.FailedEntryCount).toBe(0);
    for (const name of Object.values(queues)) expect(await depth(name)).toBe(0);
  });

  it("each bus's rules see only that bus's events: an event this bus's rules all match, put on another bus, reaches only that bus's rule", async () => {
    // Matched by every rule of routing-test (Placed, Big, NotUsers) and by another-bus's OtherBus.
    const detail = { metadata: { correlationId: 'c-other-bus' }, data: { orderId: 'o-other-bus', qty: 150 } };
    const onOther = await put('ecommerce.orders', 'OrderPlaced', detail, 'another-bus');
    expect(onOther.FailedEntryCount).toBe(0);
    // positive control: the event was routed, on its own bus
    expect((await drain(queues.otherBus)).map((message) => message.id)).toEqual([onOther.Entries?.[0]?.EventId]);
    for (const name of [queues.placed, queues.bigOrders, queues.notUsers]) expect(await drain(name), name).toEqual([]);

    // and the other way round: the same event on routing-test reaches its three rules, not another-bus's
    const onThis = await put('ecommerce.orders', 'OrderPlaced', detail);
    expect(onThis.FailedEntryCount).toBe(0);
    for (const name of [queues.placed, queues.bigOrders, queues.notUsers])
      expect(
        (await drain(name)).map((message) => message.id),
        name,
      ).toEqual([onThis.Entries?.[0]?.EventId]);
    expect(await drain(queues.otherBus)).toEqual([]);
  });

  it('rejects malformed entries per entry, as PutEvents does, and routes nothing for them', async () => {
    const client = eventBridgeClient(`http://127.0.0.1:${bus.port}`);
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'routing-test', Source: 'ecommerce.orders', DetailType: 'OrderPlaced', Detail: '{not json' },
          { EventBusName: 'no-such-bus', Source: 'ecommerce.orders', DetailType: 'OrderPlaced', Detail: '{}' },
          {
            EventBusName: 'routing-test',
            Source: 'ecommerce.orders',
            DetailType: 'OrderPlaced',
            Detail: '{"metadata":{"correlationId":"ok"}}',
          },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries?.[0]?.ErrorCode).toBe('MalformedDetail');
    expect(result.Entries?.[1]?.ErrorCode).toBeTruthy();
    expect(result.Entries?.[2]?.EventId).toBeTruthy();
    expect(await drain(queues.placed)).toHaveLength(1);
    await drain(queues.notUsers);
  });
});
