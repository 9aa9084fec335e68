// What several users routes share (functions/users/routes.ts lists the routes).
import { ROLES } from '../../shared/auth/roles.js';
import * as z from '../../shared/schema.js';

export const TAG = 'users';
/** The gateway's method throttling of the routes that hash passwords or mint tokens (serverless.yml custom.methodThrottling). */
export const THROTTLED = 'THROTTLED: over the route’s rate limit at the gateway; see Retry-After';

/**
 * The body of refresh and log-out. Any string (the body limit bounds it): a malformed token is the
 * contract's 401 INVALID_REFRESH_TOKEN, like an unknown one (the service checks the shape).
 */
export const refreshTokenBody = z.strictObject({ refreshToken: z.string() });

/** A list of roles (functions/shared/auth/roles.ts): each a known role. */
export const rolesSchema = z.array(z.enum(ROLES));

export const sessionBody = z.object({
  token: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.int(),
  userId: z.string(),
  /** What the access token carries: the user's roles when it was issued (read again at every refresh). */
  roles: rolesSchema,
  refreshToken: z.string(),
  refreshExpiresIn: z.int(),
});
export const sessionHeaders = { token: 'The access token again (as the original did)', userId: 'The user id again' };
