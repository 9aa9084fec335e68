import { notFound } from '../../shared/http/errors.js';
import { httpHandler, requireSelf, userIdParam, json } from '../../shared/http/handler.js';
import { parseOrThrow } from '../../shared/http/validation.js';
import * as z from '../../shared/schema.js';
import { ORDER_ID_PATTERN } from '../domain/order-id.js';
import { orderView } from '../domain/order.js';
import { orderService } from '../wiring.js';

const orderIdSchema = z.strictObject({
  orderId: z.string().check(z.regex(ORDER_ID_PATTERN, 'must be an order id')),
});

export const createHandler = (orders = orderService) =>
  httpHandler({
    auth: 'required',
    path: z.strictObject({ userId: userIdParam, orderId: z.string() }),
    handle: async (request) => {
      // Ownership first: another user's path is a 403 whatever the order id looks like.
      const userId = requireSelf(request, request.path.userId);
      const { orderId } = parseOrThrow(orderIdSchema, { orderId: request.path.orderId }, 'path');
      const order = await orders().get(userId, orderId);
      if (!order) throw notFound(`Order ${orderId} not found`);
      return json(200, orderView(order));
    },
  });

export const handler = createHandler();
