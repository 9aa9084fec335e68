import { notFound } from '../../shared/http/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { json } from '../../shared/http/response.js';
import * as z from '../../shared/schema.js';
import { ORDER_ID_PATTERN } from '../domain/order-id.js';
import { orderView } from '../domain/order.js';
import { orderService } from '../order-service-factory.js';
import { requireOwnUser, userIdParam } from './own-user.js';

export const handler = httpHandler({
  path: z.strictObject({ userId: userIdParam, orderId: z.string().check(z.regex(ORDER_ID_PATTERN, 'must be an order id')) }),
  handle: async (request) => {
    const userId = requireOwnUser(request, request.path.userId);
    const order = await orderService.get(userId, request.path.orderId);
    if (!order) throw notFound(`Order ${request.path.orderId} not found`);
    return json(200, orderView(order));
  },
});
