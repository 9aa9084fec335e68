/**
 * One signed request to an AWS API, for a function that makes a single kind of call to a service: the
 * log-in and refresh functions read one SSM parameter, GET /users/{userId} invokes one Lambda function.
 * An SDK v3 client carries its whole service model: every operation's schema and every error class are
 * registered when its module loads, which esbuild cannot drop (@aws-sdk/client-ssm about 76 KB of a bundle,
 * @aws-sdk/client-lambda about 86 KB, and their INIT). So these requests are signed with the SDK's own
 * SigV4 signer (@smithy/signature-v4, in every bundle already for DynamoDB) and the environment's
 * credentials (Lambda's; functions/shared/aws/environment-credentials.ts), and sent with node:http(s).
 *
 * The endpoint is found as the SDK finds it: AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL (unless
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true; the local stack and LocalStack set these), else the
 * service's regional endpoint in the region's partition (FIPS with AWS_USE_FIPS_ENDPOINT). Dual-stack
 * endpoints are not chosen. The callers (adapters/ssm-parameter-client.ts, adapters/lambda-invoke-client.ts)
 * keep the SDK's command names and shapes, so tests/template/least-privilege.test.ts reads these calls off
 * the bundle as it reads every SDK command.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** The services signed here: the SigV4 signing name, and the suffix of its AWS_ENDPOINT_URL_<SERVICE> variable. */
const AWS_SERVICES = {
  ssm: { signingName: 'ssm', endpointVariable: 'AWS_ENDPOINT_URL_SSM' },
  lambda: { signingName: 'lambda', endpointVariable: 'AWS_ENDPOINT_URL_LAMBDA' },
} as const;
export type AwsServiceName = keyof typeof AWS_SERVICES;

export interface AwsRequestOptions {
  /** Default: AWS_REGION (Lambda sets it), else AWS_DEFAULT_REGION. */
  region?: string;
  /** Default: from the environment (above). */
  endpoint?: string;
  /** Default: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  env?: NodeJS.ProcessEnv;
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
  /** Attempts for a throttled, failed (5xx) or unreachable request; default 1 (no retry). */
  maxAttempts?: number;
  /** Waits between attempts (tests pass a fake); default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

export interface AwsResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An error answer of the service: its error code (`ParameterNotFound`, `ResourceNotFoundException`, ...) and status. */
export class AwsServiceError extends Error {
  override name = 'AwsServiceError';
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The DNS suffix of a region's partition (AWS's partitions.json, without dual-stack). */
function dnsSuffixOf(region: string): string {
  if (region.startsWith('cn-')) return 'amazonaws.com.cn';
  if (region.startsWith('us-isob-')) return 'sc2s.sgov.gov';
  if (region.startsWith('us-isof-')) return 'csp.hci.ic.gov';
  if (region.startsWith('us-iso-')) return 'c2s.ic.gov';
  if (region.startsWith('eu-isoe-')) return 'cloud.adc-e.uk';
  return 'amazonaws.com';
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const isTrue = (value: string | undefined) => value?.trim().toLowerCase() === 'true';

/** Where requests to `service` go, as the SDK resolves it from the environment. */
export function awsEndpoint(service: AwsServiceName, region: string, env: NodeJS.ProcessEnv = process.env): URL {
  const configured = isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)
    ? undefined
    : env[AWS_SERVICES[service].endpointVariable] || env.AWS_ENDPOINT_URL || undefined;
  if (configured) return new URL(configured);
  if (!REGION.test(region)) throw new Error(`not an AWS region: "${region}"`);
  const fips = isTrue(env.AWS_USE_FIPS_ENDPOINT) ? '-fips' : '';
  return new URL(`https://${service}${fips}.${region}.${dnsSuffixOf(region)}`);
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytesOf = (data: SourceData): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** SHA-256 (or its HMAC, given a secret) from node:crypto, in the shape the signer takes. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

const RETRYABLE_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
]);

/** The error code of an error answer: the `x-amzn-errortype` header or the body's `__type` / `code` / `Type`, without namespace. */
function errorCodeOf(response: AwsResponse): string {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    // not JSON: the header or the status names it
  }
  const header = response.headers['x-amzn-errortype'];
  const raw = [typeof header === 'string' ? header : undefined, body.__type, body.code, body.Code]
    .find((value): value is string => typeof value === 'string' && value !== '')
    ?.split(':')[0];
  return raw?.slice(raw.lastIndexOf('#') + 1) || `Http${response.statusCode}`;
}

export function errorOf(response: AwsResponse, what: string): AwsServiceError {
  let message: unknown;
  try {
    const body = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;
    message = body.message ?? body.Message;
  } catch {
    message = undefined;
  }
  const code = errorCodeOf(response);
  return new AwsServiceError(
    code,
    response.statusCode,
    `${what}: ${code} (${response.statusCode})${typeof message === 'string' ? `: ${message}` : ''}`,
  );
}

/** Signs and sends requests to one AWS service. Made once per function instance (a lazy builder). */
export class AwsRequester {
  private readonly signer: SignatureV4;
  private readonly endpoint: URL;
  private readonly options: AwsRequestOptions;

  constructor(
    readonly service: AwsServiceName,
    options: AwsRequestOptions = {},
  ) {
    const env = options.env ?? process.env;
    const region = options.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION);
    if (!region) throw new Error(`no AWS region for ${service}: AWS_REGION is not set`);
    this.endpoint = options.endpoint ? new URL(options.endpoint) : awsEndpoint(service, region, env);
    if (this.endpoint.protocol !== 'https:' && this.endpoint.protocol !== 'http:')
      throw new Error(`not an HTTP endpoint: ${this.endpoint.href}`);
    this.signer = new SignatureV4({
      service: AWS_SERVICES[service].signingName,
      region,
      credentials: options.credentials ?? fromEnv(),
      sha256: Sha256,
    });
    this.options = options;
  }

  /** POSTs `body` to `path` (below the endpoint's path) with `headers`, signed; retried as the options say. */
  async post(path: string, headers: Record<string, string>, body: string | Uint8Array): Promise<AwsResponse> {
    const attempts = Math.max(1, this.options.maxAttempts ?? 1);
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.send(path, headers, body);
        if (
          attempt < attempts &&
          (response.statusCode >= 500 || response.statusCode === 429 || RETRYABLE_CODES.has(errorCodeOf(response)))
        ) {
          await this.backOff(attempt);
          continue;
        }
        return response;
      } catch (error) {
        // Unreachable, reset or timed out: nothing was answered. (An answer, whatever its status, is returned above.)
        if (attempt >= attempts) throw error;
        await this.backOff(attempt);
      }
    }
  }

  private backOff(attempt: number): Promise<void> {
    const ms = Math.round(Math.random() * 100 * 2 ** (attempt - 1)); // full jitter, as the SDK's standard retries
    return (this.options.sleep ?? ((wait) => new Promise((resolve) => setTimeout(resolve, wait))))(ms);
  }

  private async send(path: string, headers: Record<string, string>, body: string | Uint8Array): Promise<AwsResponse> {
    const bytes = bytesOf(body);
    const base = this.endpoint.pathname.replace(/\/+$/, '');
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: this.endpoint.protocol,
      hostname: this.endpoint.hostname,
      port: this.endpoint.port ? Number(this.endpoint.port) : undefined,
      path: `${base}${path}`,
      query: {},
      headers: { ...headers, host: this.endpoint.host },
      body: bytes,
    });
    // node:http only for a plain-HTTP endpoint (the local stack, LocalStack): loading it costs about 20 ms of INIT.
    const request = this.endpoint.protocol === 'http:' ? (await import('node:http')).request : httpsRequest;
    return new Promise<AwsResponse>((resolve, reject) => {
      const outgoing = request(
        {
          protocol: this.endpoint.protocol,
          hostname: this.endpoint.hostname,
          port: this.endpoint.port || undefined,
          method: 'POST',
          path: signed.path,
          headers: { ...signed.headers, 'content-length': String(bytes.byteLength) },
          timeout: this.options.timeoutMs ?? 10_000,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () =>
            resolve({ statusCode: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`${this.service}: no answer within ${this.options.timeoutMs ?? 10_000} ms`)));
      outgoing.on('error', reject);
      outgoing.end(bytes);
    });
  }
}
