// A tiny JSON-over-HTTP client for the end-to-end suites (real HTTP, no mocks). Every answer is also
// held to the stage's API description (contract.ts); `contract: false` for the few requests that test
// something else than the API (e.g. a raw transport quirk).
import { checkAgainstContract } from './contract.js';
import { baseUrl } from './env.js';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function api<T = any>(
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string>; token?: string; contract?: false } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const url = `${baseUrl()}${path}`;
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  if (options.contract !== false) await checkAgainstContract(method, url, response.status, response.headers.get('content-type'), text);
  let parsed: unknown = undefined;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}
