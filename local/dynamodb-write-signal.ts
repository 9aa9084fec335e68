/**
 * A pass-through in front of DynamoDB Local for everything but the stack's own stream readers: each request
 * goes on unchanged, and each successful write tells the stream pollers of the tables it wrote to read now.
 * Written here because DynamoDB Local has no way to tell a reader that a stream has new records, and polling
 * its streams often enough for the saga's latency kept a core half busy on an idle laptop. Only the tables
 * written are named: waking every poller on every write cost DynamoDB Local an empty stream read (~4 ms of
 * its CPU) per write and per other table.
 */
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { admitted, readBody, signedAsStack, type Authorize } from './iam-gate.js';
import { dynamoDbSpan } from './telemetry/hooks.js';
import type { Telemetry } from './telemetry/recorder.js';

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
  /** The tables a write named (undefined: could not tell, for example a PartiQL statement). */
  onWrite: (tables: string[] | undefined) => void;
  /** IAM as the caller's role allows (local/iam/); undefined: not enforced. */
  authorize?: Authorize;
  /** A local-only span per call that carries a trace (local/telemetry/); none without it. */
  telemetry?: Telemetry;
}

/** The tables a successful write request names (its body is DynamoDB's JSON); undefined when unknown. */
export function tablesWritten(operation: string, body: Buffer): string[] | undefined {
  const names = (tables: string[]) => tables.map((table) => table.replace(/^arn:[^/]*:table\//, '')); // a table ARN names it too
  try {
    const request = JSON.parse(body.toString('utf8')) as Record<string, any>;
    if (operation === 'BatchWriteItem') return names(Object.keys(request.RequestItems ?? {}));
    if (operation === 'TransactWriteItems') {
      const items = (request.TransactItems ?? []) as Array<Record<string, { TableName?: string }>>;
      return names([...new Set(items.flatMap((item) => Object.values(item).map((action) => action.TableName ?? '')))].filter(Boolean));
    }
    if (typeof request.TableName === 'string') return names([request.TableName]);
  } catch {
    // not JSON: say nothing precise
  }
  return undefined;
}

export async function startWriteSignal(options: WriteSignalOptions): Promise<Server> {
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => void handle(req, res));
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const isWrite = WRITES.has(operation);
    // The whole body is read first: IAM needs it (the table, the keys), and a write names its tables in it.
    const body = await readBody(req);
    if (!admitted(options.authorize, 'dynamodb', req, body, res)) return;
    const trace = req.headers['x-amzn-trace-id'];
    const span = dynamoDbSpan(options.telemetry, Array.isArray(trace) ? trace[0] : trace, operation, body);
    res.once('close', () => span.end(res.statusCode === 200 ? 'ok' : 'error', { 'http.response.status_code': res.statusCode }));
    const upstream = request(
      {
        host: '127.0.0.1',
        port: options.targetPort,
        method: req.method,
        path: req.url,
        headers: options.authorize ? signedAsStack(req.headers) : req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => {
          if (answer.statusCode === 200 && isWrite) options.onWrite(tablesWritten(operation, body));
        });
      },
    );
    upstream.on('error', (error) => {
      if (res.headersSent) return res.destroy(error);
      res.writeHead(502, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'LocalProxyError', message: `DynamoDB Local: ${error.message}` }));
    });
    upstream.end(body);
  };
  server.on('close', () => agent.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return server;
}
