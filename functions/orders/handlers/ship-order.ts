import { httpHandler, json } from '../../shared/http/handler.js';
import { metrics } from '../../shared/observability.js';
import { orderView } from '../domain/order.js';
import * as routes from '../routes.js';
import { orderService } from '../wiring.js';
import { emptyBodyOnly } from './empty-body.js';

/** POST /orders/{orderId}/ship: fulfilment ships a PAID order; the route needs the role admin. */
export const createHandler = (orders = orderService) =>
  httpHandler({
    ...routes.shipOrder.request,
    handle: async (request) => {
      const result = await orders().ship(request.path.orderId);
      if (result.kind === 'applied') metrics.addMetric('ordersShipped', 'Count', 1);
      return json(200, orderView(result.order));
    },
  }).use(emptyBodyOnly());

export const handler = createHandler();
