import type { UserService } from '../domain/user-service.js';
import { userWithOrdersService } from '../wiring/get-user.js';
import { httpHandler, requireSelf, json } from '../../shared/http/handler.js';
import * as routes from '../routes/get-user.js';

export const createHandler = (users: () => Pick<UserService, 'getUserWithOrders'> = userWithOrdersService) =>
  httpHandler({
    ...routes.getUser.request,
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
