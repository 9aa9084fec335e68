import { httpHandler, json, requireSelf } from '../../shared/http/handler.js';
import { parseOrThrow } from '../../shared/http/validation.js';
import { metrics } from '../../shared/observability.js';
import { orderView } from '../domain/order.js';
import * as routes from '../routes.js';
import { orderService } from '../wiring.js';
import { emptyBodyOnly } from './empty-body.js';

/** POST /users/{userId}/orders/{orderId}/cancel: the buyer cancels; the compensations follow asynchronously. */
export const createHandler = (orders = orderService) =>
  httpHandler({
    ...routes.cancelOrder.request,
    handle: async (request) => {
      // Ownership first: another user's path is a 403 whatever the order id looks like.
      const userId = requireSelf(request, request.path.userId);
      const { orderId } = parseOrThrow(routes.orderIdSchema, { orderId: request.path.orderId }, 'path');
      const result = await orders().cancel(userId, orderId);
      if (result.kind === 'applied') metrics.addMetric('ordersCancelledBuyer', 'Count', 1);
      return json(200, orderView(result.order));
    },
  }).use(emptyBodyOnly());

export const handler = createHandler();
