// The platform's HTTP routes: health, the welcome message, and the descriptions of the API and its events, with their pages.
import { defineRoute } from '../shared/http/route.js';
import * as z from '../shared/schema.js';

const TAG = 'platform';

export const health = defineRoute({
  method: 'GET',
  path: '/health',
  tag: TAG,
  summary: 'Liveness, stage and version',
  request: {},
  responses: {
    200: { description: 'Up', body: z.object({ status: z.literal('UP'), stage: z.string(), version: z.string(), startedAt: z.string() }) },
  },
});

export const welcome = defineRoute({
  method: 'GET',
  path: '/welcome',
  tag: TAG,
  summary: "The stage's welcome message (stage config)",
  request: {},
  responses: { 200: { description: 'The message', body: z.object({ message: z.string() }) } },
});

export const openApi = defineRoute({
  method: 'GET',
  path: '/openapi.json',
  tag: TAG,
  summary: 'This description (OpenAPI 3.1)',
  request: {},
  responses: {
    200: { description: 'The OpenAPI document, its server the stage that answers', body: z.looseObject({ openapi: z.string() }) },
  },
});

export const docs = defineRoute({
  method: 'GET',
  path: '/docs',
  tag: TAG,
  summary: 'A page to read and try this API (Swagger UI, served by the stage)',
  request: {},
  responses: { 200: { description: 'The page', body: null, contentType: 'text/html' } },
});

export const asyncApi = defineRoute({
  method: 'GET',
  path: '/asyncapi.json',
  tag: TAG,
  summary: 'The events: the bus, the queues and every message (AsyncAPI 3.1)',
  request: {},
  responses: {
    200: { description: 'The AsyncAPI document, generated from the event contracts', body: z.looseObject({ asyncapi: z.string() }) },
  },
});

// Before docsAsset, whose {asset} would match it too: a reader of the description who takes the first matching path
// finds this one, as API Gateway and offline prefer the literal path.
export const docsEvents = defineRoute({
  method: 'GET',
  path: '/docs/events',
  tag: TAG,
  summary: 'A page to read the events (rendered from the AsyncAPI document)',
  request: {},
  responses: { 200: { description: 'The page', body: null, contentType: 'text/html' } },
});

export const docsAsset = defineRoute({
  method: 'GET',
  path: '/docs/{asset}',
  tag: TAG,
  summary: "The docs page's scripts and styles",
  request: { path: z.object({ asset: z.string() }) },
  responses: { 200: { description: 'The asset', body: null, contentType: 'text/javascript' } },
  errors: { 404: 'NOT_FOUND: no such asset' },
});
