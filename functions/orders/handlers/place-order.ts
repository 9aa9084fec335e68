import { httpHandler, requireSelf, json } from '../../shared/http/handler.js';
import { idempotencyKeyOf } from '../../shared/http/idempotency-key.js';
import { placementView } from '../domain/order.js';
import * as routes from '../routes.js';
import { orderService } from '../wiring.js';

export const createHandler = (orders = orderService) =>
  httpHandler({
    ...routes.placeOrder.request,
    handle: async (request) => {
      const userId = requireSelf(request, request.path.userId);
      const idempotencyKey = idempotencyKeyOf(request.headers);
      const order = await orders().place({
        userId,
        productId: request.body.productId,
        qty: request.body.qty,
        ...(request.body.paymentMethod !== undefined ? { paymentMethod: request.body.paymentMethod } : {}),
        correlationId: request.correlationId,
        requestBody: request.body,
        ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
      });
      return json(201, placementView(order), {
        location: `/users/${encodeURIComponent(userId)}/orders/${order.orderId}`,
      });
    },
  });

export const handler = createHandler();
