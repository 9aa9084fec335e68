import type * as z from '../schema.js';
import { badRequest } from './errors.js';

/**
 * Parses `value` with a zod schema; on failure throws a 400 that names every offending field,
 * e.g. `Invalid request body: qty: must be an integer between 1 and 1000`.
 */
export function parseOrThrow<T>(schema: z.ZodMiniType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => {
    const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const path = issue.path.map(String).join('.');
    return {
      field: unknownKeys.length > 0 ? unknownKeys.join(',') : path || where,
      message: issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message,
    };
  });
  const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
  throw badRequest(`Invalid ${where}: ${summary}`, details);
}
