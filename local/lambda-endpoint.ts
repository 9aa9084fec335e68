/**
 * The Lambda invoke endpoint the functions and operators call (AWS_ENDPOINT_URL_LAMBDA): checks each call against
 * the caller's role (local/iam/: lambda:InvokeFunction on the function's ARN) and passes it on to serverless
 * offline's Lambda port unchanged. Offline checks no identity; API Gateway-style callers (the stack's pollers,
 * the gateway's authorizer runs) go to offline directly.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import { admitted, readBody, type Authorize } from './iam-gate.js';
import { clientContextWithTrace, invocationSpan } from './telemetry/hooks.js';
import type { Telemetry } from './telemetry/recorder.js';

export async function startLambdaEndpoint(options: {
  port: number;
  offlinePort: number;
  authorize: Authorize;
  telemetry?: Telemetry;
}): Promise<Server> {
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      if (!admitted(options.authorize, 'lambda', req, body, res)) return;
      // A function calling a function: the callee's invocation is a child of the caller's (its X-Amzn-Trace-Id).
      const functionName = decodeURIComponent(/\/functions\/([^/]+)\/invocations/.exec(req.url ?? '')?.[1] ?? '');
      const trace = req.headers['x-amzn-trace-id'];
      const span = functionName && trace ? invocationSpan(options.telemetry, functionName, String(trace)) : undefined;
      const clientContext =
        span && clientContextWithTrace(options.telemetry, req.headers['x-amz-client-context'] as string | undefined, span);
      const headers = clientContext ? { ...req.headers, 'x-amz-client-context': clientContext } : req.headers;
      const upstream = request(
        { host: '127.0.0.1', port: options.offlinePort, method: req.method, path: req.url, headers, agent },
        (answer) => {
          span?.end(answer.statusCode === 200 && !answer.headers['x-amz-function-error'] ? 'ok' : 'error');
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', (error) => {
        if (res.headersSent) return res.destroy(error);
        res.writeHead(502, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceException' });
        res.end(JSON.stringify({ Type: 'Service', message: `serverless offline: ${error.message}` }));
      });
      upstream.end(body);
    });
  });
  server.on('close', () => agent.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return server;
}
