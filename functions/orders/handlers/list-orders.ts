import { httpHandler, requireSelf, userIdParam, listResponse } from '../../shared/http/handler.js';
import { pageQuerySchema } from '../../shared/pagination.js';
import * as z from '../../shared/schema.js';
import { orderView } from '../domain/order.js';
import { orderService } from '../wiring.js';

export const createHandler = (orders = orderService) =>
  httpHandler({
    auth: 'required',
    path: z.strictObject({ userId: userIdParam }),
    query: pageQuerySchema,
    handle: async (request) => {
      const userId = requireSelf(request, request.path.userId);
      return listResponse(await orders().list(userId, request.query.limit, request.query.nextToken), orderView);
    },
  });

export const handler = createHandler();
