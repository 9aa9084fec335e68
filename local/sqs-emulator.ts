/**
 * The SQS emulator (local-aws-sqs) on 127.0.0.1, with one addition: each successful SendMessage(Batch) tells the
 * queue pollers to receive now. Idle pollers can then wait long, and a message sent by anyone (a test, the DLQ
 * redrive, the local bus) is still picked up at once. The SDK speaks SQS's JSON protocol, which names the action
 * in the X-Amz-Target header, so the body is left to the emulator.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Readable } from 'node:stream';
import { admitted, readBody, type Authorize } from './iam-gate.js';
import type { AddressInfo } from 'node:net';
import { createRequestHandler } from 'local-aws-sqs';

const SENDS = new Set(['AmazonSQS.SendMessage', 'AmazonSQS.SendMessageBatch']);

export interface SqsEmulatorOptions {
  port: number;
  region: string;
  accountId: string;
  onSend: () => void;
  /** IAM as the caller's role allows (local/iam/); undefined: not enforced. */
  authorize?: Authorize;
}

export async function startSqsEmulator(options: SqsEmulatorOptions): Promise<Server> {
  const { requestHandler, service } = createRequestHandler({
    port: options.port,
    hostname: '127.0.0.1',
    region: options.region,
    accountId: options.accountId,
    emulateQueueCreationLifecycle: false,
  });
  const server = createServer((req, res) => {
    if (SENDS.has(String(req.headers['x-amz-target'] ?? ''))) {
      res.once('finish', () => {
        if (res.statusCode === 200) options.onSend();
      });
    }
    if (!options.authorize) return void requestHandler(req, res);
    // Checked first, then the emulator reads the same body again from a copy of the request.
    void readBody(req).then((body) => {
      if (!admitted(options.authorize, 'sqs', req, body, res)) return;
      const replay = Object.assign(Readable.from([body]), {
        method: req.method,
        url: req.url,
        headers: req.headers,
      }) as unknown as IncomingMessage;
      void requestHandler(replay, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  // Queue URLs carry the port: with port 0 the system picked one.
  service.PORT = (server.address() as AddressInfo).port;
  return server;
}
