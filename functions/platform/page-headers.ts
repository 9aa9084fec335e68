/**
 * The headers of the docs pages (GET /docs, GET /docs/events): one CSP for both. httpHandler's security headers
 * give every HTML answer a CSP of default-src 'none', with a sandbox and trusted types, under which no script of a
 * page would run and no style would apply; a page gets this CSP (and permissions policy) instead, every other
 * header staying.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

/**
 * Scripts only from the stage (no inline script); Swagger UI sets inline styles and draws icons as data: images;
 * "Try it" calls this stage (openapi.json's server).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Features Chrome knows (the security-headers middleware's default list names many it no longer does, each a console warning). */
export const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'autoplay=()',
  'camera=()',
  'display-capture=()',
  'encrypted-media=()',
  'fullscreen=()',
  'geolocation=()',
  'gyroscope=()',
  'magnetometer=()',
  'microphone=()',
  'midi=()',
  'payment=()',
  'picture-in-picture=()',
  'publickey-credentials-get=()',
  'screen-wake-lock=()',
  'usb=()',
  'xr-spatial-tracking=()',
].join(', ');

const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'permissions-policy': PERMISSIONS_POLICY,
};

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** `handler` with the pages' headers on its HTML answers (any other answer as it was). */
export function withPageHeaders(handler: ApiHandler): ApiHandler {
  return async (event, context) => {
    const response = await handler(event, context);
    const headers = response.headers ?? {};
    if (!String(headers['content-type'] ?? '').startsWith('text/html')) return response;
    const others = Object.entries(headers).filter(([name]) => !Object.hasOwn(PAGE_HEADERS, name.toLowerCase()));
    return { ...response, headers: { ...Object.fromEntries(others), ...PAGE_HEADERS } };
  };
}

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
