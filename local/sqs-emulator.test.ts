import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsEmulator } from './sqs-emulator.js';

describe('the SQS emulator with its send signal', () => {
  let sends = 0;
  let server: Awaited<ReturnType<typeof startSqsEmulator>>;
  let sqs: SQSClient;
  let queueUrl: string;

  beforeAll(async () => {
    server = await startSqsEmulator({ port: 0, region: 'us-east-1', accountId: '000000000000', onSend: () => sends++ });
    sqs = new SQSClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'signal-test' }))).QueueUrl as string;
  });
  afterAll(async () => {
    sqs.destroy();
    await new Promise((done) => server.close(done));
  });

  it('signals each successful SendMessage and SendMessageBatch, and nothing else', async () => {
    expect(queueUrl).toContain(`:${(server.address() as AddressInfo).port}/`);
    const before = sends;
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
    expect(sends).toBe(before);
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'one' }));
    expect(sends).toBe(before + 1);
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'a', MessageBody: 'two' }] }));
    expect(sends).toBe(before + 2);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect(received.Messages?.map((m) => m.Body).sort()).toEqual(['one', 'two']);
  });

  it('does not signal a send the emulator refused', async () => {
    const before = sends;
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl.replace('signal-test', 'no-such-queue'), MessageBody: 'x' })),
    ).rejects.toThrow();
    expect(sends).toBe(before);
  });
});
