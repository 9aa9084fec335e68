/**
 * Roles (docs/http-api.md, "Authentication"): what a user may do beyond their own data. Stored with the user,
 * carried in the access token as `roles`, passed by the gateway authorizer in its context as a comma-separated
 * string (context values are strings): `"admin"`, or `""` for none.
 */
export const ROLES = ['admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** A role list as stored, signed and shown: each role once, in a stable order. */
export const normalizeRoles = (roles: readonly Role[]): Role[] => [...new Set(roles)].sort();

/** The authorizer context's encoding of a role list. */
export const encodeRoles = (roles: readonly Role[]): string => normalizeRoles(roles).join(',');

/** A role list from the authorizer context; anything that is not a known role is left out. */
export const decodeRoles = (value: unknown): Role[] => (typeof value === 'string' ? value.split(',').filter(isRole) : []);
