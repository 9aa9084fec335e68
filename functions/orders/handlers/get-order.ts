import { notFound } from '../../shared/http/errors.js';
import { httpHandler, requireSelf, json } from '../../shared/http/handler.js';
import { parseOrThrow } from '../../shared/http/validation.js';
import { orderView } from '../domain/order.js';
import * as routes from '../routes.js';
import { orderService } from '../wiring.js';

export const createHandler = (orders = orderService) =>
  httpHandler({
    ...routes.getOrder.request,
    handle: async (request) => {
      // Ownership first: another user's path is a 403 whatever the order id looks like.
      const userId = requireSelf(request, request.path.userId);
      const { orderId } = parseOrThrow(routes.orderIdSchema, { orderId: request.path.orderId }, 'path');
      const order = await orders().get(userId, orderId);
      if (!order) throw notFound(`Order ${orderId} not found`);
      return json(200, orderView(order));
    },
  });

export const handler = createHandler();
