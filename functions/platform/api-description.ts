/**
 * The API description (OpenAPI 3.1) of every route of every context, from their route contracts
 * (functions/<context>/routes.ts): served by GET /openapi.json, written to a file by `npm run openapi`.
 */
import * as catalogs from '../catalogs/routes.js';
import * as orders from '../orders/routes.js';
import { openApiDocument } from '../shared/http/openapi.js';
import type { RouteContract } from '../shared/http/route.js';
import * as users from '../users/routes.js';
import * as platform from './routes.js';

const isRoute = (value: unknown): value is RouteContract =>
  typeof value === 'object' && value !== null && 'method' in value && 'path' in value && 'responses' in value;

/** Every route, by operation id (its export name). */
export const allRoutes: Record<string, RouteContract> = Object.fromEntries(
  [platform, users, catalogs, orders].flatMap((module) =>
    Object.entries(module).filter((entry): entry is [string, RouteContract] => isRoute(entry[1])),
  ),
);

const DESCRIPTION = [
  'A serverless port of the Spring Cloud e-commerce sample: users, catalogs and orders (a stock saga over EventBridge and SQS).',
  'Log in with POST /login, then send `Authorization: Bearer <token>` (the docs page does this for you after a log-in).',
  'Every error is `{"message","code"}`; a 429 carries Retry-After.',
].join('\n\n');

export function apiDescription(serverUrl: string, version: string): Record<string, unknown> {
  return openApiDocument(allRoutes, { title: 'Serverless e-commerce API', version, description: DESCRIPTION, serverUrl });
}
