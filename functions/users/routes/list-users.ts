// GET /users (functions/users/routes.ts lists the routes).
import { defineRoute, listOf } from '../../shared/http/route.js';
import { pageQuerySchema } from '../../shared/pagination.js';
import * as z from '../../shared/schema.js';
import { TAG } from './common.js';

const userSummary = z.object({ userId: z.string(), name: z.string() });

export const listUsers = defineRoute({
  method: 'GET',
  path: '/users',
  tag: TAG,
  summary: 'List users (ids and names only)',
  request: { auth: 'required', query: pageQuerySchema },
  responses: { 200: { description: 'A page of users', body: listOf(userSummary) } },
});
