// The SQS emulator's journal: what a run leaves queued (sent, not deleted) is sent again by the next run, with the
// rest of its delay and its attributes; a line cut short by a crash is skipped.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { startSqsEmulator } from './sqs-emulator.js';
import { SqsJournal } from './sqs-journal.js';

const dirs: string[] = [];
const running: Array<{ close: () => Promise<void> }> = [];

afterEach(async () => {
  for (const emulator of running.splice(0)) await emulator.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An emulator journaling to `file`, with the queues made as the stack makes them; `restore` as the stack calls it. */
async function emulator(file: string, queueNames = ['work', 'other'], attributes: Record<string, Record<string, string>> = {}) {
  const journal = new SqsJournal(file);
  const server = await startSqsEmulator({ port: 0, region: 'us-east-1', accountId: '000000000000', onSend: () => undefined, journal });
  const sqs = new SQSClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const urls = new Map<string, string>();
  for (const name of queueNames) {
    urls.set(name, (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes[name] ?? {} }))).QueueUrl as string);
  }
  const close = async () => {
    sqs.destroy();
    await new Promise((done) => server.close(done));
  };
  running.push({ close });
  const url = (name: string) => urls.get(name) as string;
  const receive = async (name: string, visibilityTimeout?: number) =>
    (
      await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url(name),
          VisibilityTimeout: visibilityTimeout,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
          AttributeNames: ['All'],
        }),
      )
    ).Messages ?? [];
  return { sqs, url, receive, restore: () => journal.restore(sqs, urls), close };
}

const newFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqs-journal-'));
  dirs.push(dir);
  return join(dir, 'sqs-messages.jsonl');
};

describe('SqsJournal with the SQS emulator', () => {
  it('sends again, on the next run, what was sent and not deleted: bodies, attributes, trace header, queue', async () => {
    const file = newFile();
    const first = await emulator(file);
    await first.sqs.send(
      new SendMessageCommand({
        QueueUrl: first.url('work'),
        MessageBody: 'kept',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'answer' } },
        MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-00000000-000000000000000000000001' } },
      }),
    );
    await first.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: first.url('work'),
        Entries: ['deleted-one', 'deleted-in-batch', 'received-not-deleted'].map((body, i) => ({ Id: `e${i}`, MessageBody: body })),
      }),
    );
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.url('other'), MessageBody: 'elsewhere' }));
    const received = await first.receive('work');
    expect(received).toHaveLength(4);
    const handle = (body: string) => received.find((m) => m.Body === body)?.ReceiptHandle;
    await first.sqs.send(new DeleteMessageCommand({ QueueUrl: first.url('work'), ReceiptHandle: handle('deleted-one') }));
    await first.sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: first.url('work'), Entries: [{ Id: 'd', ReceiptHandle: handle('deleted-in-batch') }] }),
    );
    await first.close(); // nothing is written at a stop: a crash leaves the same file

    const second = await emulator(file);
    expect(await second.restore()).toBe(3);
    const work = await second.receive('work');
    expect(work.map((m) => m.Body).sort()).toEqual(['kept', 'received-not-deleted']);
    const kept = work.find((m) => m.Body === 'kept');
    expect(kept?.MessageAttributes?.kind?.StringValue).toBe('answer');
    expect(kept?.Attributes?.AWSTraceHeader).toBe('Root=1-00000000-000000000000000000000001');
    expect((await second.receive('other')).map((m) => m.Body)).toEqual(['elsewhere']);

    // The restored messages are this run's now: deleted here, they are not restored by the run after.
    await second.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: second.url('work'),
        Entries: work.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    await second.close();
    const third = await emulator(file);
    expect(await third.restore()).toBe(1);
    expect((await third.receive('work')).map((m) => m.Body)).toEqual([]);
  });

  it('keeps what is left of a delay, forgets a purged queue, and skips a line cut short', async () => {
    const file = newFile();
    const first = await emulator(file);
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.url('work'), MessageBody: 'due in 2 s', DelaySeconds: 2 }));
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.url('other'), MessageBody: 'purged' }));
    await first.sqs.send(new PurgeQueueCommand({ QueueUrl: first.url('other') }));
    await first.close();
    appendFileSync(file, '{"op":"send","queue":"work","id":"torn","bo');

    const second = await emulator(file);
    expect(await second.restore()).toBe(1);
    expect(await second.receive('work')).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect((await second.receive('work')).map((m) => m.Body)).toEqual(['due in 2 s']);
    expect(await second.receive('other')).toEqual([]);
    // Rewritten with this run's messages only: the torn line and the purge are gone from the file.
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('restores a message to the dead-letter queue it was received from, and not once it is deleted there', async () => {
    const file = newFile();
    const redrive = {
      work: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dead', maxReceiveCount: 1 }) },
    };
    const first = await emulator(file, ['dead', 'work'], redrive);
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.url('work'), MessageBody: 'poison' }));
    expect((await first.receive('work', 1)).map((m) => m.Body)).toEqual(['poison']);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await first.receive('work')).toEqual([]); // its second receive moves it to the DLQ
    expect((await first.receive('dead')).map((m) => m.Body)).toEqual(['poison']);
    await first.close();

    const second = await emulator(file, ['dead', 'work'], redrive);
    expect(await second.restore()).toBe(1);
    expect(await second.receive('work')).toEqual([]);
    const dead = await second.receive('dead');
    expect(dead.map((m) => m.Body)).toEqual(['poison']);
    await second.sqs.send(new DeleteMessageCommand({ QueueUrl: second.url('dead'), ReceiptHandle: dead[0]?.ReceiptHandle }));
    await second.close();

    const third = await emulator(file, ['dead', 'work'], redrive);
    expect(await third.restore()).toBe(0);
  });

  it('skips a queue the template no longer has', async () => {
    const file = newFile();
    const first = await emulator(file, ['work', 'retired']);
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.url('retired'), MessageBody: 'orphan' }));
    await first.close();
    const second = await emulator(file, ['work']);
    expect(await second.restore()).toBe(0);
  });
});
