// GET /users/{userId} (functions/users/routes.ts lists the routes).
import { defineRoute } from '../../shared/http/route.js';
import { orderViewSchema } from '../../shared/queries/user-orders.js';
import * as z from '../../shared/schema.js';
import { TAG } from './common.js';

export const getUser = defineRoute({
  method: 'GET',
  path: '/users/{userId}',
  tag: TAG,
  summary: 'Your user, with your orders',
  description:
    'Orders come from the orders context behind a circuit breaker: when it cannot answer, `orders` is empty and `ordersAvailable` false.',
  // Deliberately loose: any id that is not the caller's is a 403, malformed or not.
  request: { auth: 'required', path: z.object({ userId: z.string().check(z.minLength(1), z.maxLength(256)) }) },
  responses: {
    200: {
      description: 'The user',
      body: z.object({
        userId: z.string(),
        email: z.string(),
        name: z.string(),
        orders: z.array(orderViewSchema),
        ordersAvailable: z.boolean(),
      }),
    },
  },
  errors: { 403: 'FORBIDDEN: not your user', 404: 'NOT_FOUND' },
});
