/**
 * Builds an OpenAPI 3.1 document from route contracts (route.ts): the same zod schemas the handlers
 * validate with become the document's JSON Schemas (draft 2020-12, OpenAPI 3.1's dialect), request
 * side as input (what a client sends), response side as output.
 */
import * as z from '../schema.js';
import { errorBody, type RouteContract } from './route.js';

type JsonSchema = Record<string, unknown>;

export interface ApiInfo {
  title: string;
  version: string;
  description: string;
  /** The base URL the document's operations are called at (the stage's). */
  serverUrl: string;
}

function jsonSchema(schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema {
  // `unrepresentable: 'any'`: transforms (the `limit` query's string -> number) have no JSON Schema;
  // their input side is what is described anyway.
  const converted = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete converted.$schema; // the document's dialect already says it
  return converted;
}

/** Path or query parameters from an object schema: one per property, `required` as the schema says. */
function parameters(schema: z.ZodMiniType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (object.required ?? []).includes(name),
    schema: property,
  }));
}

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string, headers?: JsonSchema) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: ERROR_REF } },
});
const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } } };

/** The errors a route's request implies, then its own (route.errors), then the one any route can give. */
function errorResponses(route: RouteContract): Record<string, JsonSchema> {
  const { request } = route;
  const errors: Record<number, string> = {};
  if (request.body || request.path || request.query) errors[400] = 'VALIDATION_FAILED (naming the field) or MALFORMED_JSON';
  if (request.auth) errors[401] = 'UNAUTHORIZED: no valid bearer token';
  if (request.roles?.length) errors[403] ??= `FORBIDDEN: the caller lacks the role ${request.roles.join(', ')}`;
  if (request.body) {
    errors[413] = 'PAYLOAD_TOO_LARGE: the body is over the limit';
    errors[415] = 'UNSUPPORTED_MEDIA_TYPE: the body is not application/json';
  }
  Object.assign(errors, route.errors);
  errors[500] = 'INTERNAL_ERROR: a failure on our side (never for a client mistake)';
  return Object.fromEntries(
    Object.entries(errors).map(([status, why]) => [status, errorResponse(why, status === '429' ? RETRY_AFTER : undefined)]),
  );
}

function operation(name: string, route: RouteContract): JsonSchema {
  const { request } = route;
  const headerParameters = (route.headers ?? []).map((header) => ({
    name: header.name,
    in: 'header',
    required: false,
    description: header.description,
    schema: jsonSchema(header.schema, 'input'),
  }));
  const responses = Object.fromEntries(
    Object.entries(route.responses).map(([status, response]) => [
      status,
      {
        description: response.description,
        ...(response.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(response.headers).map(([header, description]) => [header, { description, schema: { type: 'string' } }]),
              ),
            }
          : {}),
        ...(response.body
          ? { content: { [response.contentType ?? 'application/json']: { schema: jsonSchema(response.body, 'output') } } }
          : response.contentType
            ? { content: { [response.contentType]: { schema: { type: 'string' } } } }
            : {}),
      },
    ]),
  );
  return {
    operationId: name,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    // A role a route needs is named as the bearer requirement's scope (OpenAPI 3.1 allows scopes on any scheme).
    ...(request.auth ? { security: [{ bearerAuth: [...(request.roles ?? [])] }] } : { security: [] }),
    parameters: [...parameters(request.path, 'path'), ...parameters(request.query, 'query'), ...headerParameters],
    ...(request.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(request.body, 'input') } } } }
      : {}),
    responses: { ...responses, ...errorResponses(route) },
  };
}

/** The document for `routes` (keyed by operation id). Throws on two routes with one method and path. */
export function openApiDocument(routes: Record<string, RouteContract>, info: ApiInfo): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [name, route] of Object.entries(routes)) {
    const methods = (paths[route.path] ??= {});
    const method = route.method.toLowerCase();
    if (methods[method]) throw new Error(`two routes for ${route.method} ${route.path}`);
    methods[method] = operation(name, route);
  }
  const tags = [...new Set(Object.values(routes).map((route) => route.tag))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description },
    servers: [{ url: info.serverUrl }],
    tags,
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The `token` of POST /login or POST /token/refresh',
        },
      },
      schemas: { Error: jsonSchema(errorBody, 'output') },
    },
  };
}
