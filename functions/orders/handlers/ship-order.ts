import { httpHandler, json } from '../../shared/http/handler.js';
import { orderView } from '../domain/order.js';
import * as routes from '../routes.js';
import { orderService } from '../wiring.js';
import { emptyBodyOnly } from './empty-body.js';

/** POST /orders/{orderId}/ship: fulfilment ships a PAID order; the route needs the role admin. */
export const createHandler = (orders = orderService) =>
  httpHandler({
    ...routes.shipOrder.request,
    handle: async (request) => json(200, orderView(await orders().ship(request.path.orderId))),
  }).use(emptyBodyOnly());

export const handler = createHandler();
