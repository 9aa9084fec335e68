import * as z from '../../shared/schema.js';

/** A user id in a path: what the users context issues (checked against the caller with requireSelf). */
export const userIdParam = z.string().check(z.regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be a user id'));
