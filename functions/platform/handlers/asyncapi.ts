/**
 * GET /asyncapi.json: the events' AsyncAPI document (functions/shared/events/asyncapi.ts), generated from the event
 * contracts with their committed examples (shipped in this function's zip: functions/platform/functions.yml).
 * GET /docs/events: the same document as a page (../events-page.ts), under the docs pages' CSP.
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { httpHandler, json } from '../../shared/http/handler.js';
import { asyncApiDocument } from '../../shared/events/asyncapi.js';
import { loadEventExamples } from '../../shared/events/asyncapi-examples.js';
import { eventsPage } from '../events-page.js';
import { withPageHeaders } from '../page-headers.js';
import * as routes from '../routes.js';

/** `root`: where the example files are (the package root on Lambda, the repository root under offline and tests). */
export function asyncApiHandler(root: string = process.cwd()) {
  let document: Record<string, unknown> | undefined;
  const documentOf = () =>
    (document ??= asyncApiDocument({ version: process.env.SERVICE_VERSION ?? 'dev', examples: loadEventExamples(root) }));

  const describe = httpHandler({
    ...routes.asyncApi.request,
    handle: async () => json(200, documentOf(), { 'cache-control': 'public, max-age=300' }),
  });
  const page = httpHandler({
    ...routes.docsEvents.request,
    handle: async ({ basePath }) => ({
      statusCode: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' },
      body: eventsPage(documentOf(), basePath),
    }),
  });
  return withPageHeaders((event: APIGatewayProxyEvent, context: Context) =>
    event.resource === routes.docsEvents.path ? page(event, context) : describe(event, context),
  );
}

export const handler = asyncApiHandler();
