/**
 * The SQS emulator (local-aws-sqs) on 127.0.0.1, with one addition: each successful SendMessage(Batch) tells the
 * queue's pollers to receive now, and again when a delayed message of it becomes visible. Idle pollers can then wait
 * long, and a message sent by anyone (a test, the DLQ redrive, the local bus) is still picked up at once, or as soon
 * as its delay is over. The SDK speaks SQS's JSON protocol, which names the action in the X-Amz-Target header.
 *
 * Delays themselves are the emulator's: a queue's DelaySeconds (from the template, local/provision.ts) or a message's
 * own (0-900, overriding the queue's) keeps the message out of every receive until its time, as SQS does.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Readable } from 'node:stream';
import { admitted, readBody, type Authorize } from './iam-gate.js';
import type { AddressInfo } from 'node:net';
import { createRequestHandler } from 'local-aws-sqs';

const SENDS = new Set(['AmazonSQS.SendMessage', 'AmazonSQS.SendMessageBatch']);
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
}

interface SendBody {
  QueueUrl?: unknown;
  DelaySeconds?: unknown;
  Entries?: Array<{ DelaySeconds?: unknown }>;
}

/** The queue a send went to and the delays of its messages, in seconds (undefined: the queue's own). */
export function sendsOf(body: Buffer): { queueName: string; delays: Array<number | undefined> } | undefined {
  let parsed: SendBody;
  try {
    parsed = JSON.parse(body.toString('utf8')) as SendBody;
  } catch {
    return undefined;
  }
  if (typeof parsed?.QueueUrl !== 'string') return undefined;
  // The emulator finds the queue by the URL's last path segment; so does this.
  const queueName = parsed.QueueUrl.split('/').filter(Boolean).pop() ?? '';
  const delayOf = (value: unknown) => (value === undefined || value === null ? undefined : Number(value));
  const delays = Array.isArray(parsed.Entries) ? parsed.Entries.map((entry) => delayOf(entry?.DelaySeconds)) : [delayOf(parsed.DelaySeconds)];
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
  const signal = (body: Buffer) => {
    const sent = sendsOf(body);
    if (!sent) return;
    options.onSend(sent.queueName);
    const queueDelay = Number(service.Queues.find((queue) => queue.QueueName === sent.queueName)?.DelaySeconds ?? 0);
    const delays = new Set(sent.delays.map((delay) => (delay === undefined || Number.isNaN(delay) ? queueDelay : delay)));
    for (const delay of delays) if (delay > 0) wakeLater(sent.queueName, delay * 1000 + AFTER_DELAY_MS);
  };
  const server = createServer((req, res) => {
    const isSend = SENDS.has(String(req.headers['x-amz-target'] ?? ''));
    // Read first (for IAM, and for a send's delays), then the emulator reads the same body again from a copy.
    void readBody(req).then((body) => {
      if (!admitted(options.authorize, 'sqs', req, body, res)) return;
      if (isSend) {
        res.once('finish', () => {
          if (res.statusCode === 200) signal(body);
        });
      }
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
