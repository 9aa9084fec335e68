import type { AddressInfo } from 'node:net';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStackModel } from './cloudformation.js';
import { ensureQueues } from './provision.js';
import { sendsOf, startSqsEmulator } from './sqs-emulator.js';
import { SqsPoller } from './sqs-poller.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the SQS emulator with its send signal', () => {
  const sends: Array<{ queue: string; at: number }> = [];
  let server: Awaited<ReturnType<typeof startSqsEmulator>>;
  let sqs: SQSClient;
  let queueUrl: string;

  const createQueue = async (name: string, attributes: Record<string, string> = {}) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl as string;
  const receiveAll = async (url: string) =>
    ((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))).Messages ?? []).map(
      (m) => m.Body,
    );
  const signalsOf = (queue: string, since: number) => sends.filter((s) => s.queue === queue && s.at >= since);

  beforeAll(async () => {
    server = await startSqsEmulator({
      port: 0,
      region: 'us-east-1',
      accountId: '000000000000',
      onSend: (queue) => sends.push({ queue, at: Date.now() }),
    });
    sqs = new SQSClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    queueUrl = await createQueue('signal-test');
  });
  afterAll(async () => {
    sqs.destroy();
    await new Promise((done) => server.close(done));
  });

  it('signals each successful SendMessage and SendMessageBatch with its queue, and nothing else', async () => {
    expect(queueUrl).toContain(`:${(server.address() as AddressInfo).port}/`);
    const before = sends.length;
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
    expect(sends.length).toBe(before);
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'one' }));
    expect(sends.length).toBe(before + 1);
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'a', MessageBody: 'two' }] }));
    expect(sends.slice(before).map((s) => s.queue)).toEqual(['signal-test', 'signal-test']);
    // No delay (none on the queue, none on the messages): received at once.
    expect((await receiveAll(queueUrl)).sort()).toEqual(['one', 'two']);
  });

  it('does not signal a send the emulator refused', async () => {
    const before = sends.length;
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl.replace('signal-test', 'no-such-queue'), MessageBody: 'x' })),
    ).rejects.toThrow();
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x', DelaySeconds: 901 }))).rejects.toThrow(
      /DelaySeconds/,
    );
    expect(sends.length).toBe(before);
  });

  it("holds a message for its queue's DelaySeconds, then hands it out and signals the queue again", async () => {
    const url = await createQueue('delayed-2', { DelaySeconds: '2' });
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['DelaySeconds'] }));
    expect(attributes.Attributes?.DelaySeconds).toBe('2');
    const sentAt = Date.now();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later' }));
    expect(await receiveAll(url)).toEqual([]);
    await sleep(1500);
    expect(await receiveAll(url)).toEqual([]);
    // The second signal is what wakes an idle poller: it must come once the message can be received.
    for (let i = 0; i < 100 && signalsOf('delayed-2', sentAt).length < 2; i++) await sleep(50);
    const signals = signalsOf('delayed-2', sentAt);
    expect(signals).toHaveLength(2);
    expect((signals[1]?.at ?? 0) - sentAt).toBeGreaterThanOrEqual(2000);
    expect(await receiveAll(url)).toEqual(['later']);
  });

  it("gives a queue the template's DelaySeconds (as serverless compiles a param: a number)", async () => {
    const model = localStackModel({
      Resources: { Due: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'from-template-due', DelaySeconds: 3 } } },
    });
    const urls = await ensureQueues(sqs, model.queues, (name) => `arn:aws:sqs:us-east-1:000000000000:${name}`);
    const url = urls.get('from-template-due') as string;
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['DelaySeconds'] }));
    expect(attributes.Attributes?.DelaySeconds).toBe('3');
  });

  it("takes a message's own DelaySeconds over the queue's, in SendMessage and in each batch entry", async () => {
    const slow = await createQueue('delayed-override', { DelaySeconds: '2' });
    const plain = await createQueue('plain-override');
    const sentAt = Date.now();
    await sqs.send(new SendMessageCommand({ QueueUrl: slow, MessageBody: 'now', DelaySeconds: 0 }));
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: plain,
        Entries: [
          { Id: 'a', MessageBody: 'at once' },
          { Id: 'b', MessageBody: 'in a second', DelaySeconds: 1 },
        ],
      }),
    );
    expect(await receiveAll(slow)).toEqual(['now']);
    expect(await receiveAll(plain)).toEqual(['at once']);
    await sleep(1200);
    expect(await receiveAll(plain)).toEqual(['in a second']);
    // One signal per send, one more for the delayed entry; none for the queue's 2 s (no message waited them).
    await sleep(1200);
    expect(signalsOf('delayed-override', sentAt)).toHaveLength(1);
    expect(signalsOf('plain-override', sentAt)).toHaveLength(2);
  });
});

describe('a delayed message and an idle poller, wired as the stack wires them', () => {
  it('is delivered when its delay ends, though the poller backs off to 10 s between empty polls', async () => {
    const wakes = new Map<string, () => void>();
    const server = await startSqsEmulator({
      port: 0,
      region: 'us-east-1',
      accountId: '000000000000',
      onSend: (queue) => wakes.get(queue)?.(),
    });
    const sqs = new SQSClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const delivered: number[] = [];
    let polls = 0;
    const counting = {
      send: (command: never, options?: never) => {
        polls++;
        return sqs.send(command, options);
      },
    } as unknown as SQSClient;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'due', Attributes: { DelaySeconds: '2' } }))).QueueUrl as string;
    const poller = new SqsPoller({
      sqs: counting,
      queueUrl,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:due',
      region: 'us-east-1',
      functionName: 'requestPayments',
      batchSize: 10,
      reportBatchItemFailures: true,
      waitTimeSeconds: 0,
      maxIdleMs: 10_000,
      invoke: async (_name, event) => {
        delivered.push(...(event as { Records: unknown[] }).Records.map(() => Date.now()));
        return { ok: true, payload: {} };
      },
    });
    wakes.set('due', () => poller.wake());
    try {
      // Idle long enough for the poller's wait to grow past the delay.
      poller.start();
      await sleep(1500);
      const sentAt = Date.now();
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'charge me' }));
      for (let i = 0; i < 80 && delivered.length === 0; i++) await sleep(50);
      expect(delivered).toHaveLength(1);
      const after = (delivered[0] as number) - sentAt;
      expect(after).toBeGreaterThanOrEqual(2000);
      expect(after).toBeLessThan(2800); // its next poll of its own would come at about 3.2 s
      // Woken, not polling: a handful of receives over those seconds, not one every few milliseconds.
      expect(polls).toBeLessThan(30);
    } finally {
      await poller.stop();
      sqs.destroy();
      await new Promise((done) => server.close(done));
    }
  });
});

describe("a send's queue and delays, read from its JSON body", () => {
  it('names the queue by the last segment of its URL and each message delay, undefined where the queue decides', () => {
    const body = (value: unknown) => Buffer.from(JSON.stringify(value));
    expect(sendsOf(body({ QueueUrl: 'http://127.0.0.1:9324/000000000000/q1', MessageBody: 'x' }))).toEqual({
      queueName: 'q1',
      delays: [undefined],
    });
    expect(sendsOf(body({ QueueUrl: 'http://h/1/q2', Entries: [{ DelaySeconds: 5 }, {}, { DelaySeconds: '0' }] }))).toEqual({
      queueName: 'q2',
      delays: [5, undefined, 0],
    });
    expect(sendsOf(Buffer.from('Action=SendMessage'))).toBeUndefined();
  });
});
