import * as z from './schema.js';
import { badRequest } from './http/errors.js';

/** A page of results; `nextToken` is present exactly when there is another page. */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export type PageCursor = Record<string, string | number>;

/** What a repository returns: a page plus the raw key to continue from (encoded by the handler). */
export interface KeyedPage<T> {
  items: T[];
  next?: PageCursor;
}

/** Query-string schema shared by list routes: `limit` 1-100 (default 20) and an opaque `nextToken`. */
export const pageQuerySchema = z.strictObject({
  limit: z.pipe(
    z.optional(z.string().check(z.regex(/^(100|[1-9]\d?)$/, 'must be an integer between 1 and 100'))),
    z.transform((value) => (value === undefined ? 20 : Number(value))),
  ),
  nextToken: z.optional(z.string().check(z.maxLength(2048))),
});

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** Decodes a client-supplied token; anything that is not one of ours is a 400, never a 500. */
export function decodeCursor(token: string | undefined, keyNames: readonly string[]): PageCursor | undefined {
  if (token === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      Object.keys(value).length === keyNames.length &&
      keyNames.every((k) => ['string', 'number'].includes(typeof (value as Record<string, unknown>)[k]))
    ) {
      return value as PageCursor;
    }
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('Invalid query: nextToken: not a valid page token', [{ field: 'nextToken', message: 'not a valid page token' }]);
}
