/**
 * Test helper: the HTTP request an AWS SDK client sends, captured by a throw-away server on 127.0.0.1, so the request
 * parsing is tested on what the SDK really sends (its protocol, headers and body), not on hand-written copies.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceRequest } from './requests.js';

export interface CapturedRequest extends ServiceRequest {
  method: string;
  body: Buffer;
  /** What the SDK threw on the answer, if it threw. */
  error?: unknown;
}

/** Runs `send` against a local endpoint that answers every request with `answer`; returns what it received and what the SDK threw. */
export async function captureSdkRequest(
  send: (endpoint: string) => Promise<unknown>,
  answer: { status: number; headers?: Record<string, string>; body: string } = { status: 200, body: '{}' },
): Promise<CapturedRequest> {
  let captured: CapturedRequest | undefined;
  let thrown: unknown;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      captured = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  try {
    await send(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).catch((error: unknown) => {
      thrown = error;
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  if (!captured) throw new Error('the SDK sent no request');
  return Object.assign(captured, { error: thrown });
}

/** Credentials as a function's are signed locally: its name as the access key id, any secret. */
export const signedAs = (accessKeyId: string) => ({
  region: 'us-east-1',
  credentials: { accessKeyId, secretAccessKey: 'any' },
  maxAttempts: 1,
});
