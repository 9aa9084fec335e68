/**
 * Where the local endpoints meet the local IAM enforcement (local/iam/): read a request's body, ask the
 * enforcer, answer its denial as the service would. Small on purpose: each endpoint keeps its own forwarding.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthorizeResult, Service, ServiceRequest } from './iam/index.js';

/** Decides a request to a local endpoint (undefined: IAM is not enforced, everything is allowed). */
export type Authorize = ((service: Service, request: ServiceRequest) => AuthorizeResult) | undefined;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Checks the request; on a denial, answers it (as the service does) and returns false. */
export function admitted(authorize: Authorize, service: Service, req: IncomingMessage, body: Buffer, res: ServerResponse): boolean {
  if (!authorize) return true;
  const outcome = authorize(service, { method: req.method, path: req.url ?? '/', headers: req.headers, body });
  if (outcome.allowed) return true;
  res.writeHead(outcome.response.status, outcome.response.headers);
  res.end(outcome.response.body);
  return false;
}

/**
 * The request's headers signed as the stack instead of a function. DynamoDB Local refuses an access key id that is
 * not letters and digits ("The Access Key ID or security token is invalid"), and checks no signature: replacing
 * the key id in the credential scope is enough for it; the function's own identity was checked before.
 */
export function signedAsStack(headers: IncomingMessage['headers'], stackAccessKeyId = 'local'): IncomingMessage['headers'] {
  const authorization = headers.authorization;
  if (typeof authorization !== 'string') return headers;
  return { ...headers, authorization: authorization.replace(/Credential=[^/]+\//, `Credential=${stackAccessKeyId}/`) };
}
