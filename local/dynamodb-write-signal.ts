/**
 * A pass-through in front of DynamoDB Local for everything but the stack's own stream readers: each request
 * goes on unchanged, and each successful write tells the stream pollers to read now. Written here because
 * DynamoDB Local has no way to tell a reader that a stream has new records, and polling its streams often
 * enough for the saga's latency kept a core half busy on an idle laptop.
 */
import { Agent, createServer, request, type Server } from 'node:http';

const WRITES = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
  'ExecuteTransaction',
]);

export interface WriteSignalOptions {
  /** Where the functions reach DynamoDB (127.0.0.1). */
  port: number;
  /** Where DynamoDB Local listens. */
  targetPort: number;
  onWrite: () => void;
}

export async function startWriteSignal(options: WriteSignalOptions): Promise<Server> {
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const upstream = request(
      { host: '127.0.0.1', port: options.targetPort, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => {
          if (answer.statusCode === 200 && WRITES.has(operation)) options.onWrite();
        });
      },
    );
    upstream.on('error', (error) => {
      if (res.headersSent) return res.destroy(error);
      res.writeHead(502, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'LocalProxyError', message: `DynamoDB Local: ${error.message}` }));
    });
    req.pipe(upstream);
  });
  server.on('close', () => agent.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return server;
}
