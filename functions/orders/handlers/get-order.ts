import { badRequest, notFound } from '../../shared/http/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { json } from '../../shared/http/response.js';
import * as z from '../../shared/schema.js';
import { ORDER_ID_PATTERN } from '../domain/order-id.js';
import { orderView } from '../domain/order.js';
import { orderService } from '../order-service-factory.js';
import { requireOwnUser, userIdParam } from './own-user.js';

export const handler = httpHandler({
  path: z.strictObject({ userId: userIdParam, orderId: z.string() }),
  handle: async (request) => {
    // Another user's route is a 403 whatever the rest of the path says.
    const userId = requireOwnUser(request, request.path.userId);
    const { orderId } = request.path;
    if (!ORDER_ID_PATTERN.test(orderId)) {
      throw badRequest('Invalid path: orderId: must be an order id', [{ field: 'orderId', message: 'must be an order id' }]);
    }
    const order = await orderService.get(userId, orderId);
    if (!order) throw notFound(`Order ${orderId} not found`);
    return json(200, orderView(order));
  },
});
