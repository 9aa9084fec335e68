/**
 * The Idempotency-Key header (docs/http-api.md, "Requests and answers"), one definition for every route that takes
 * it (POST /users/{userId}/orders, POST /catalogs/{productId}/stock): its contract for the API description and the
 * check its handler makes.
 */
import * as z from '../schema.js';
import { badRequest } from './errors.js';
import type { RouteHeader } from './route.js';

/** Printable ASCII without spaces, as most clients send (UUIDs, ULIDs). */
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const IDEMPOTENCY_KEY_MESSAGE = 'must be 1-255 printable ASCII characters without spaces';

/** The route's declaration of the header, with what a repeat means on that route. */
export const idempotencyKeyHeader = (description: string): RouteHeader => ({
  name: 'Idempotency-Key',
  description,
  schema: z.string().check(z.regex(IDEMPOTENCY_KEY_PATTERN)),
});

/** The request's key (headers as httpHandler gives them, lower-cased), or undefined; a malformed one is a 400. */
export function idempotencyKeyOf(headers: Record<string, string | undefined>): string | undefined {
  const key = headers['idempotency-key'];
  if (key !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw badRequest(`Invalid header: Idempotency-Key: ${IDEMPOTENCY_KEY_MESSAGE}`, [
      { field: 'Idempotency-Key', message: IDEMPOTENCY_KEY_MESSAGE },
    ]);
  }
  return key;
}
