import { forbidden } from '../../shared/http/errors.js';
import { requireCaller } from '../../shared/http/handler.js';
import * as z from '../../shared/schema.js';

/** A user id in a path: what the users context issues (checked again against the caller below). */
export const userIdParam = z.string().check(z.regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be a user id'));

/** Orders routes serve the caller's own orders only: another user's id is a 403. */
export function requireOwnUser(request: { callerId: string | undefined }, userId: string): string {
  const caller = requireCaller(request);
  if (caller !== userId) throw forbidden('You can only access your own orders');
  return caller;
}
