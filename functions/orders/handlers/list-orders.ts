import { httpHandler, requireSelf, listResponse } from '../../shared/http/handler.js';
import { orderView } from '../domain/order.js';
import * as routes from '../routes.js';
import { orderService } from '../wiring.js';

export const createHandler = (orders = orderService) =>
  httpHandler({
    ...routes.listOrders.request,
    handle: async (request) => {
      const userId = requireSelf(request, request.path.userId);
      return listResponse(await orders().list(userId, request.query.limit, request.query.nextToken), orderView);
    },
  });

export const handler = createHandler();
