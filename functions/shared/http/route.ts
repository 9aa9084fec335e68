/**
 * A route's contract: what it accepts (the schemas its handler validates with) and what it answers
 * (status -> body schema). Each context lists its routes in `functions/<context>/routes.ts`; handlers
 * spread the request part into httpHandler (`httpHandler({ ...routes.login.request, handle })`) and
 * the API description (functions/platform/api-description.ts) is generated from the same objects, so
 * the two cannot drift. Side-effect free: importing a contract builds no client and reads no env.
 */
import type { Role } from '../auth/roles.js';
import * as z from '../schema.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH';

/** The contract's error body (docs/http-api.md, "The error shape"): `details` names the fields of a 400. */
export const errorBody = z.object({
  message: z.string(),
  code: z.string(),
  details: z.optional(z.array(z.object({ field: z.string(), message: z.string() }))),
});

/** The `{userId}` of a route served to its own user only (requireSelf): what the users context issues. */
export const userIdParam = z.string().check(z.regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be a user id'));

/** The list routes' 200 (listResponse in handler.ts): `nextToken` exactly when there is a next page. */
export const listOf = <T extends z.ZodMiniType>(item: T) => z.object({ items: z.array(item), nextToken: z.optional(z.string()) });

export interface RouteRequest {
  /** A JSON body that must match this (strict) schema. */
  body?: z.ZodMiniType;
  path?: z.ZodMiniType;
  query?: z.ZodMiniType;
  /** Behind the token check (docs/http-api.md, "Authorizer modes"). */
  auth?: 'required';
  /** Roles the caller must hold (with `auth`); the API description names them as the bearer requirement's scopes. */
  roles?: readonly Role[];
  maxBodyBytes?: number;
}

export interface RouteHeader {
  name: string;
  description: string;
  schema: z.ZodMiniType;
}

export interface RouteContract<R extends RouteRequest = RouteRequest> {
  method: HttpMethod;
  /** As API Gateway writes it: `/users/{userId}/orders`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  request: R;
  /** Optional request headers the route reads (e.g. Idempotency-Key). */
  headers?: RouteHeader[];
  /** Success statuses and their bodies (`null`: no body). */
  responses: Record<number, { description: string; body: z.ZodMiniType | null; headers?: Record<string, string>; contentType?: string }>;
  /**
   * Error statuses the route itself can answer beyond those its request implies (400 for schemas,
   * 401 for auth, 413/415 for a body: added by the API description), each with why.
   */
  errors?: Record<number, string>;
}

/** Typed identity: keeps the request part's exact schemas for the handler that spreads it. */
export const defineRoute = <R extends RouteRequest>(route: RouteContract<R>): RouteContract<R> => route;
