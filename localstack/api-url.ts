// Prints the base URL of the stage's REST API on LocalStack (what E2E_BASE_URL should be).
//
// Host-style, `http://<api-id>.execute-api.localhost.localstack.cloud:4566/<stage>`: the form LocalStack routes
// as API Gateway's own (its next_gen/execute_api/router.py, host_pattern), so the stage's paths sit where they do
// on AWS (`/<stage>/docs`). localhost.localstack.cloud and every name under it resolve to 127.0.0.1 in public DNS.
// Path-style, `<endpoint>/_aws/execute-api/<api-id>/<stage>`, is printed instead when LocalStack is not on this
// machine, when that name does not resolve to a loopback address here (a resolver that refuses public names
// for private addresses), or with LOCALSTACK_API_URL_STYLE=path; the functions' base path
// (functions/shared/http/handler.ts basePathOf) is right for it too.
import { lookup } from 'node:dns/promises';

const endpoint = new URL(process.env.LOCALSTACK_ENDPOINT ?? 'http://127.0.0.1:4566');
const stage = process.argv[2] ?? 'localstack';
const name = `ecommerce-${stage}`;

// LocalStack routes by the credential scope's service name and does not check the signature.
const response = await fetch(new URL('/restapis', endpoint), {
  headers: {
    authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=0',
  },
  signal: AbortSignal.timeout(30_000),
});
if (!response.ok) throw new Error(`GET /restapis -> ${response.status}`);
const { item = [] } = (await response.json()) as { item?: Array<{ id: string; name: string }> };
const api = item.find((a) => a.name === name);
if (!api) throw new Error(`No REST API named ${name} on ${endpoint.origin}`);

const pathStyle = `${endpoint.origin}/_aws/execute-api/${api.id}/${stage}`;
const host = `${api.id}.execute-api.localhost.localstack.cloud`;
const hostStyle = `${endpoint.protocol}//${host}${endpoint.port ? `:${endpoint.port}` : ''}/${stage}`;

const isLoopback = (address: string) => /^127\./.test(address) || address === '::1' || address === 'localhost';

/** Why the host-style URL would not reach LocalStack from here, if it would not. */
async function hostStyleProblem(): Promise<string | undefined> {
  if (process.env.LOCALSTACK_API_URL_STYLE === 'path') return 'LOCALSTACK_API_URL_STYLE=path';
  if (!isLoopback(endpoint.hostname.replace(/^\[|\]$/g, ''))) return `LocalStack is at ${endpoint.hostname}, not on this machine`;
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer in 5 s')), 5_000).unref());
  try {
    const { address } = await Promise.race([lookup(host), timeout]);
    return isLoopback(address) ? undefined : `${host} resolves to ${address}`;
  } catch (error) {
    return `${host} does not resolve (${(error as Error).message})`;
  }
}

const problem = await hostStyleProblem();
if (problem) console.error(`api-url: the path-style URL, since ${problem}`);
console.log(problem ? pathStyle : hostStyle);
