// The signed requests of the functions that make one SSM or one Lambda call, against a local HTTP server
// that checks each request's SigV4 signature the way AWS does (written out here, independently of the signer).
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsRequester, AwsServiceError, awsEndpoint } from './aws-request.js';
import { InvokeCommand, LambdaInvokeClient } from './lambda-invoke-client.js';
import { GetParameterCommand, ParameterNotFound, SsmParameterClient } from './ssm-parameter-client.js';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token',
};
const REGION = 'eu-west-1';

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The signature recomputed from what arrived, with the secret key. */
  expectedSignature: string;
  signature: string;
  signedHeaders: string[];
  scope: string;
}

const hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** AWS's SigV4 check of a received request (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html). */
function check(request: IncomingMessage, body: Buffer): Received {
  const authorization = String(request.headers.authorization);
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) throw new Error(`not a SigV4 Authorization header: ${authorization}`);
  const [, accessKeyId, date, region, service, signedHeaderList, signature] = match as unknown as string[];
  expect(accessKeyId).toBe(CREDENTIALS.accessKeyId);
  const signedHeaders = (signedHeaderList as string).split(';');
  const [path = '/', query = ''] = String(request.url).split('?');
  const canonicalRequest = [
    request.method,
    path,
    query,
    ...signedHeaders.map((name) => `${name}:${String(request.headers[name]).trim()}`),
    '',
    signedHeaderList,
    hex(body),
  ].join('\n');
  const amzDate = String(request.headers['x-amz-date']);
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonicalRequest)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${CREDENTIALS.secretAccessKey}`, date as string), region as string), service as string),
    'aws4_request',
  );
  return {
    method: String(request.method),
    path,
    headers: request.headers,
    body: body.toString('utf8'),
    expectedSignature: createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex'),
    signature: signature as string,
    signedHeaders,
    scope,
  };
}

type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

let server: Server;
let endpoint: string;
let received: Received[] = [];
let answers: Answer[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(check(request, Buffer.concat(chunks)));
      const answer = answers.shift() ?? { status: 500, body: '{"message":"no answer set"}' };
      if (answer === 'hang') return;
      response.writeHead(answer.status, answer.headers ?? { 'content-type': 'application/json' }).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  received = [];
  answers = [];
});

const noWait = async () => undefined;
const ssm = (options = {}) => new SsmParameterClient({ endpoint, region: REGION, credentials: CREDENTIALS, sleep: noWait, ...options });
const lambda = () => new LambdaInvokeClient({ endpoint, region: REGION, credentials: CREDENTIALS, sleep: noWait });

describe('SsmParameterClient: GetParameter', () => {
  it('sends a signed JSON 1.1 GetParameter and reads the value', async () => {
    answers.push({ status: 200, body: JSON.stringify({ Parameter: { Name: '/p', Type: 'SecureString', Value: 'secret', Version: 3 } }) });
    const output = await ssm().send(new GetParameterCommand({ Name: '/ecommerce/dev/jwt/signing-keys', WithDecryption: true }));
    expect(output.Parameter?.Value).toBe('secret');
    const [request] = received as [Received];
    expect(request.signature).toBe(request.expectedSignature);
    expect(request).toMatchObject({ method: 'POST', path: '/', scope: expect.stringMatching(/^\d{8}\/eu-west-1\/ssm\/aws4_request$/) });
    expect(request.headers).toMatchObject({
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonSSM.GetParameter',
      'x-amz-security-token': CREDENTIALS.sessionToken,
    });
    expect(request.signedHeaders).toEqual(
      expect.arrayContaining(['host', 'x-amz-date', 'x-amz-target', 'content-type', 'x-amz-security-token']),
    );
    expect(JSON.parse(request.body)).toEqual({ Name: '/ecommerce/dev/jwt/signing-keys', WithDecryption: true });
  });

  it.each([
    ['the body', { __type: 'ParameterNotFound', message: 'nope' }, {}],
    ['a namespaced body', { __type: 'com.amazonaws.ssm#ParameterNotFound' }, {}],
    ['the header', {}, { 'x-amzn-errortype': 'ParameterNotFound:http://internal.amazon.com/coral/com.amazonaws.ssm/' }],
  ])('throws ParameterNotFound for a missing parameter, named in %s', async (_where, body, headers) => {
    answers.push({ status: 400, body: JSON.stringify(body), headers: { 'content-type': 'application/x-amz-json-1.1', ...headers } });
    await expect(ssm().send(new GetParameterCommand({ Name: '/missing' }))).rejects.toBeInstanceOf(ParameterNotFound);
    expect(received).toHaveLength(1);
  });

  it('retries a throttled or failed read (three attempts), and not a refusal', async () => {
    answers.push(
      { status: 400, body: '{"__type":"ThrottlingException"}' },
      { status: 503, body: '' },
      { status: 200, body: '{"Parameter":{"Value":"v"}}' },
    );
    expect((await ssm().send(new GetParameterCommand({ Name: '/p' }))).Parameter?.Value).toBe('v');
    expect(received).toHaveLength(3);
    expect(received.every((request) => request.signature === request.expectedSignature)).toBe(true);

    received = [];
    answers.push({ status: 400, body: '{"__type":"AccessDeniedException","Message":"not you"}' });
    const refusal = ssm().send(new GetParameterCommand({ Name: '/p' }));
    await expect(refusal).rejects.toBeInstanceOf(AwsServiceError);
    await expect(refusal).rejects.toMatchObject({
      code: 'AccessDeniedException',
      statusCode: 400,
      message: expect.stringMatching(/not you/),
    });
    expect(received).toHaveLength(1);

    received = [];
    answers.push({ status: 500 }, { status: 500 }, { status: 500 });
    await expect(ssm().send(new GetParameterCommand({ Name: '/p' }))).rejects.toMatchObject({ code: 'Http500' });
    expect(received).toHaveLength(3);
  });

  it('gives up on an endpoint that does not answer', async () => {
    answers.push('hang');
    await expect(ssm({ timeoutMs: 100, maxAttempts: 1 }).send(new GetParameterCommand({ Name: '/p' }))).rejects.toThrow(
      /no answer within 100 ms/,
    );
  });
});

describe('LambdaInvokeClient: Invoke', () => {
  it('invokes the function with the payload, signed, and returns its answer', async () => {
    answers.push({ status: 200, body: '{"items":[]}' });
    const output = await lambda().send(
      new InvokeCommand({ FunctionName: 'ecommerce-dev-userOrders', Payload: Buffer.from('{"userId":"u1"}') }),
    );
    expect(output).toEqual({ StatusCode: 200, Payload: Buffer.from('{"items":[]}') });
    const [request] = received as [Received];
    expect(request.signature).toBe(request.expectedSignature);
    expect(request).toMatchObject({
      method: 'POST',
      path: '/2015-03-31/functions/ecommerce-dev-userOrders/invocations',
      body: '{"userId":"u1"}',
      scope: expect.stringMatching(/\/eu-west-1\/lambda\/aws4_request$/),
    });
    expect(request.headers['x-amz-invocation-type']).toBe('RequestResponse');
  });

  it("reports the function's own failure, and throws for the service's (no retry: the circuit breaker counts)", async () => {
    answers.push({ status: 200, headers: { 'x-amz-function-error': 'Unhandled' }, body: '{"errorMessage":"boom"}' });
    expect(await lambda().send(new InvokeCommand({ FunctionName: 'f', Payload: '{}' }))).toMatchObject({ FunctionError: 'Unhandled' });

    received = [];
    answers.push({
      status: 404,
      headers: { 'x-amzn-errortype': 'ResourceNotFoundException' },
      body: '{"Type":"User","message":"Function not found"}',
    });
    await expect(lambda().send(new InvokeCommand({ FunctionName: 'f', Payload: '{}' }))).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
      statusCode: 404,
    });
    answers.push({ status: 500 });
    await expect(lambda().send(new InvokeCommand({ FunctionName: 'f', Payload: '{}' }))).rejects.toBeInstanceOf(AwsServiceError);
    expect(received).toHaveLength(2);
  });
});

describe('awsEndpoint', () => {
  it('takes AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, unless told to ignore them', () => {
    const env = { AWS_ENDPOINT_URL_SSM: 'http://localhost:4566', AWS_ENDPOINT_URL: 'http://127.0.0.1:9999' };
    expect(awsEndpoint('ssm', REGION, env).href).toBe('http://localhost:4566/');
    expect(awsEndpoint('lambda', REGION, env).href).toBe('http://127.0.0.1:9999/');
    expect(awsEndpoint('ssm', REGION, { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }).href).toBe(
      'https://ssm.eu-west-1.amazonaws.com/',
    );
  });

  it("is the service's regional endpoint in the region's partition otherwise", () => {
    expect(awsEndpoint('lambda', 'us-east-1', {}).href).toBe('https://lambda.us-east-1.amazonaws.com/');
    expect(awsEndpoint('ssm', 'us-gov-west-1', { AWS_USE_FIPS_ENDPOINT: 'true' }).href).toBe(
      'https://ssm-fips.us-gov-west-1.amazonaws.com/',
    );
    expect(awsEndpoint('ssm', 'cn-north-1', {}).href).toBe('https://ssm.cn-north-1.amazonaws.com.cn/');
    expect(awsEndpoint('lambda', 'us-iso-east-1', {}).href).toBe('https://lambda.us-iso-east-1.c2s.ic.gov/');
    expect(() => awsEndpoint('ssm', 'evil.example.com/x', {})).toThrow(/not an AWS region/);
  });

  it('needs a region', () => {
    expect(() => new AwsRequester('ssm', { env: {}, credentials: CREDENTIALS })).toThrow(/AWS_REGION/);
  });
});
