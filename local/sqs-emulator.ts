/**
 * The SQS emulator (local-aws-sqs) on 127.0.0.1, with one addition: each successful SendMessage(Batch) tells the
 * queue's pollers to receive now, and again when a delayed message of it becomes visible. Idle pollers can then wait
 * long, and a message sent by anyone (a test, the DLQ redrive, the local bus) is still picked up at once, or as soon
 * as its delay is over. The SDK speaks SQS's JSON protocol, which names the action in the X-Amz-Target header.
 *
 * Delays themselves are the emulator's: a queue's DelaySeconds (from the template, local/provision.ts) or a message's
 * own (0-900, overriding the queue's) keeps the message out of every receive until its time, as SQS does.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { admitted, readBody, type Authorize } from './iam-gate.js';
import type { AddressInfo } from 'node:net';
import { createRequestHandler } from 'local-aws-sqs';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SqsJournal } from './sqs-journal.js';

const SENDS = new Set(['AmazonSQS.SendMessage', 'AmazonSQS.SendMessageBatch']);
/** What changes the queues' contents (and, for ReceiveMessage, which receipt handle is which message). */
const JOURNALED = new Set([
  ...SENDS,
  'AmazonSQS.ReceiveMessage',
  'AmazonSQS.DeleteMessage',
  'AmazonSQS.DeleteMessageBatch',
  'AmazonSQS.PurgeQueue',
]);
/** A delayed message is woken for a little after the emulator's own timer makes it visible, never before. */
const AFTER_DELAY_MS = 20;

export interface SqsEmulatorOptions {
  port: number;
  region: string;
  accountId: string;
  /** A queue got messages: now, and when each delayed one becomes visible. */
  onSend: (queueName: string) => void;
  /** IAM as the caller's role allows (local/iam/); undefined: not enforced. */
  authorize?: Authorize;
  /** Keeps the messages on disk across a crash (local/sqs-journal.ts); none: memory only. */
  journal?: SqsJournal;
}

interface SentMessage {
  Id?: string;
  MessageBody?: string;
  DelaySeconds?: unknown;
  MessageAttributes?: Record<string, MessageAttributeValue>;
  MessageSystemAttributes?: { AWSTraceHeader?: { StringValue?: string } };
}
/** A request's body, as the JSON protocol sends it: a send's, or a delete's (receipt handles). */
interface SendBody extends SentMessage {
  QueueUrl?: unknown;
  ReceiptHandle?: unknown;
  Entries?: Array<SentMessage & { ReceiptHandle?: unknown }>;
}

/** The emulator finds a queue by its URL's last path segment; so does this. */
const queueNameOf = (url: unknown) => (typeof url === 'string' ? (url.split('/').filter(Boolean).pop() ?? '') : '');
const parse = <T>(text: string | Buffer): T | undefined => {
  try {
    return JSON.parse(text.toString()) as T;
  } catch {
    return undefined;
  }
};

/** The queue a send went to and the delays of its messages, in seconds (undefined: the queue's own). */
export function sendsOf(body: Buffer): { queueName: string; delays: Array<number | undefined> } | undefined {
  const parsed = parse<SendBody>(body);
  if (typeof parsed?.QueueUrl !== 'string') return undefined;
  const queueName = queueNameOf(parsed.QueueUrl);
  const delayOf = (value: unknown) => (value === undefined || value === null ? undefined : Number(value));
  const delays = Array.isArray(parsed.Entries)
    ? parsed.Entries.map((entry) => delayOf(entry?.DelaySeconds))
    : [delayOf(parsed.DelaySeconds)];
  return { queueName, delays };
}

export async function startSqsEmulator(options: SqsEmulatorOptions): Promise<Server> {
  const { requestHandler, service } = createRequestHandler({
    port: options.port,
    hostname: '127.0.0.1',
    region: options.region,
    accountId: options.accountId,
    emulateQueueCreationLifecycle: false,
  });
  const timers = new Set<NodeJS.Timeout>();
  const wakeLater = (queueName: string, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      options.onSend(queueName);
    }, ms);
    timer.unref();
    timers.add(timer);
  };
  const queueDelayOf = (queueName: string) => Number(service.Queues.find((queue) => queue.QueueName === queueName)?.DelaySeconds ?? 0);
  const delayOf = (delay: number | undefined, queueName: string) =>
    delay === undefined || Number.isNaN(delay) ? queueDelayOf(queueName) : delay;
  const signal = (body: Buffer) => {
    const sent = sendsOf(body);
    if (!sent) return;
    options.onSend(sent.queueName);
    const delays = new Set(sent.delays.map((delay) => delayOf(delay, sent.queueName)));
    for (const delay of delays) if (delay > 0) wakeLater(sent.queueName, delay * 1000 + AFTER_DELAY_MS);
  };
  const journal = options.journal && journalRecorder(options.journal, delayOf);
  const server = createServer((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    // Read first (for IAM, and for a send's delays), then the emulator reads the same body again from a copy.
    void readBody(req).then((body) => {
      if (!admitted(options.authorize, 'sqs', req, body, res)) return;
      const answer = journal && JOURNALED.has(target) ? capture(res) : undefined;
      res.once('finish', () => {
        if (res.statusCode !== 200) return;
        if (answer) journal?.(target, body, answer());
        if (SENDS.has(target)) signal(body);
      });
      const replay = Object.assign(Readable.from([body]), {
        method: req.method,
        url: req.url,
        headers: req.headers,
      }) as unknown as IncomingMessage;
      void requestHandler(replay, res);
    });
  });
  server.once('close', () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  // Queue URLs carry the port: with port 0 the system picked one.
  service.PORT = (server.address() as AddressInfo).port;
  return server;
}

/** What the emulator answered (it answers with one `res.end(text)`). */
function capture(res: ServerResponse): () => string {
  let text = '';
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    const [chunk] = args;
    if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) text += chunk.toString();
    return end(...args);
  }) as ServerResponse['end'];
  return () => text;
}

/**
 * Turns the emulator's answered requests into journal entries: sends (with their message ids, from the answer),
 * deletes (receipt handles map to message ids through the receives that handed them out), purges.
 */
function journalRecorder(journal: SqsJournal, delayOf: (delay: number | undefined, queueName: string) => number) {
  const received = new Map<string, string>();
  const record = (queue: string, id: string | undefined, message: SentMessage) => {
    if (!id || typeof message.MessageBody !== 'string') return;
    const delay = delayOf(message.DelaySeconds === undefined ? undefined : Number(message.DelaySeconds), queue);
    const traceHeader = message.MessageSystemAttributes?.AWSTraceHeader?.StringValue;
    journal.sent({
      queue,
      id,
      body: message.MessageBody,
      visibleAt: Date.now() + delay * 1000,
      ...(message.MessageAttributes ? { attributes: message.MessageAttributes } : {}),
      ...(traceHeader ? { traceHeader } : {}),
    });
  };
  const forget = (receiptHandle: unknown) => {
    const id = typeof receiptHandle === 'string' ? received.get(receiptHandle) : undefined;
    if (!id) return;
    received.delete(receiptHandle as string);
    journal.deleted(id);
  };
  return (target: string, requestText: Buffer, answerText: string) => {
    const request = parse<SendBody>(requestText);
    if (!request) return;
    const queue = queueNameOf(request.QueueUrl);
    switch (target) {
      case 'AmazonSQS.SendMessage':
        record(queue, parse<{ MessageId?: string }>(answerText)?.MessageId, request);
        break;
      case 'AmazonSQS.SendMessageBatch': {
        const entries = new Map((request.Entries ?? []).map((entry) => [entry.Id, entry]));
        for (const ok of parse<{ Successful?: Array<{ Id?: string; MessageId?: string }> }>(answerText)?.Successful ?? []) {
          const entry = entries.get(ok.Id);
          if (entry) record(queue, ok.MessageId, entry);
        }
        break;
      }
      case 'AmazonSQS.ReceiveMessage':
        // Handles of messages never deleted (failed, received again) would pile up: a bound, far above any backlog.
        if (received.size > 100_000) received.clear();
        for (const message of parse<{ Messages?: Array<{ MessageId?: string; ReceiptHandle?: string }> }>(answerText)?.Messages ?? []) {
          if (!message.MessageId || !message.ReceiptHandle) continue;
          received.set(message.ReceiptHandle, message.MessageId);
          journal.received(queue, message.MessageId);
        }
        break;
      case 'AmazonSQS.DeleteMessage':
        forget(request.ReceiptHandle);
        break;
      case 'AmazonSQS.DeleteMessageBatch': {
        const entries = new Map((request.Entries ?? []).map((entry) => [entry.Id, entry]));
        for (const ok of parse<{ Successful?: Array<{ Id?: string }> }>(answerText)?.Successful ?? []) {
          forget(entries.get(ok.Id)?.ReceiptHandle);
        }
        break;
      }
      case 'AmazonSQS.PurgeQueue':
        journal.purged(queue);
        break;
    }
  };
}
