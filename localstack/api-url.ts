// Prints the base URL of the stage's REST API on LocalStack (what E2E_BASE_URL should be).
const endpoint = process.env.LOCALSTACK_ENDPOINT ?? 'http://127.0.0.1:4566';
const stage = process.argv[2] ?? 'localstack';
const name = `ecommerce-${stage}`;

// LocalStack routes by the credential scope's service name and does not check the signature.
const response = await fetch(`${endpoint}/restapis`, {
  headers: {
    authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=0',
  },
  signal: AbortSignal.timeout(30_000),
});
if (!response.ok) throw new Error(`GET /restapis -> ${response.status}`);
const { item = [] } = (await response.json()) as { item?: Array<{ id: string; name: string }> };
const api = item.find((a) => a.name === name);
if (!api) throw new Error(`No REST API named ${name} on ${endpoint}`);
// LocalStack 4's execute-api path (the older `/restapis/<id>/<stage>/_user_request_` form is deprecated).
console.log(`${endpoint}/_aws/execute-api/${api.id}/${stage}`);
