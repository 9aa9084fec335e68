import { httpHandler, listResponse } from '../../shared/http/handler.js';
import { orderView } from '../domain/order.js';
import * as routes from '../routes.js';
import { orderService } from '../wiring.js';

/** GET /orders?status=: every user's orders in one status, for fulfilment; the route needs the role admin. */
export const createHandler = (orders = orderService) =>
  httpHandler({
    ...routes.listOrdersByStatus.request,
    handle: async ({ query }) => listResponse(await orders().listByStatus(query.status, query.limit, query.nextToken), orderView),
  });

export const handler = createHandler();
