// PUT /users/{userId}/roles (functions/users/routes.ts lists the routes).
import { defineRoute, userIdParam } from '../../shared/http/route.js';
import * as z from '../../shared/schema.js';
import { rolesSchema, TAG } from './common.js';

// The whole list, replacing what the user had: each a known role (an unknown one is a 400); a repeat counts once
// (the body limit bounds the list).
const setUserRolesBody = z.strictObject({ roles: rolesSchema });

export const setUserRoles = defineRoute({
  method: 'PUT',
  path: '/users/{userId}/roles',
  tag: TAG,
  summary: "Set a user's roles (admin)",
  description:
    'Replaces the roles of the user (`[]`: none). The user gets them in their access token at their next log-in or refresh, ' +
    'within one access-token lifetime. An admin cannot take `admin` away from themself.',
  request: { auth: 'required', roles: ['admin'], path: z.object({ userId: userIdParam }), body: setUserRolesBody },
  responses: { 200: { description: 'The user and their roles now', body: z.object({ userId: z.string(), roles: rolesSchema }) } },
  errors: { 404: 'NOT_FOUND: no such user', 409: 'SELF_DEMOTION: an admin taking the role admin away from themself' },
});
