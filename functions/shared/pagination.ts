import { InvalidPageTokenError } from './domain-errors.js';
import * as z from './schema.js';

/** A page of a list. `nextToken` is present exactly when there is another page; only the repository that made it reads it. */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** Where a list goes on: the key values of the last item of the page before. */
export type PageCursor = Record<string, string | number>;

/** Query-string schema shared by list routes: `limit` 1-100 (default 20) and an opaque `nextToken`. */
export const pageQuerySchema = z.strictObject({
  limit: z.pipe(
    z.optional(z.string().check(z.regex(/^(100|[1-9]\d?)$/, 'must be an integer between 1 and 100'))),
    z.transform((value) => (value === undefined ? 20 : Number(value))),
  ),
  nextToken: z.optional(z.string().check(z.maxLength(2048))),
});

/**
 * One list's page tokens: base64url JSON of a cursor with exactly `keyNames` (strings or numbers) that
 * `isValid` accepts. A token the list did not hand out is an InvalidPageTokenError (a 400), never a 500.
 */
export class PageTokens {
  constructor(
    readonly keyNames: readonly string[],
    private readonly isValid: (cursor: PageCursor) => boolean = () => true,
  ) {}

  /** The token that continues after `item` (its key values). */
  after(item: object): string {
    const cursor = Object.fromEntries(this.keyNames.map((k) => [k, (item as Record<string, unknown>)[k] as string | number]));
    return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
  }

  decode(token: string | undefined): PageCursor | undefined {
    if (token === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      throw new InvalidPageTokenError();
    }
    if (
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      Object.keys(value).length === this.keyNames.length &&
      this.keyNames.every((k) => ['string', 'number'].includes(typeof (value as Record<string, unknown>)[k])) &&
      this.isValid(value as PageCursor)
    ) {
      return value as PageCursor;
    }
    throw new InvalidPageTokenError();
  }
}
