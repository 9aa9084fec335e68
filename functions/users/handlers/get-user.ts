import type { UserService } from '../domain/user-service.js';
import { userWithOrdersService } from '../wiring.js';
import { httpHandler, requireSelf, json } from '../../shared/http/handler.js';
import * as z from '../../shared/schema.js';

export const createHandler = (users: () => Pick<UserService, 'getUserWithOrders'> = userWithOrdersService) =>
  httpHandler({
    auth: 'required',
    // Deliberately loose: any id that is not the caller's is a 403, malformed or not.
    path: z.object({
      userId: z.string().check(z.minLength(1), z.maxLength(256)),
    }),
    handle: async (request) => {
      const userId = requireSelf(request, request.path.userId);
      const user = await users().getUserWithOrders(userId);
      return json(200, {
        userId: user.userId,
        email: user.email,
        name: user.name,
        orders: user.orders,
        ordersAvailable: user.ordersAvailable,
      });
    },
  });

export const handler = createHandler();
