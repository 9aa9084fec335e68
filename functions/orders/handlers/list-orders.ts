import { badRequest } from '../../shared/http/errors.js';
import { httpHandler, requireSelf } from '../../shared/http/handler.js';
import { json } from '../../shared/http/response.js';
import { decodeCursor, encodeCursor, pageQuerySchema } from '../../shared/pagination.js';
import * as z from '../../shared/schema.js';
import { ORDER_CURSOR_KEYS, isOrderCursor } from '../adapters/dynamodb-order-repository.js';
import { orderView } from '../domain/order.js';
import { orderService } from '../wiring.js';
import { userIdParam } from './own-user.js';

export const createHandler = (orders = orderService) =>
  httpHandler({
    auth: 'required',
    path: z.strictObject({ userId: userIdParam }),
    query: pageQuerySchema,
    handle: async (request) => {
      const userId = requireSelf(request, request.path.userId);
      const cursor = decodeCursor(request.query.nextToken, ORDER_CURSOR_KEYS);
      if (cursor && !isOrderCursor(cursor)) {
        throw badRequest('Invalid query: nextToken: not a valid page token', [{ field: 'nextToken', message: 'not a valid page token' }]);
      }
      const page = await orders().list(userId, request.query.limit, cursor);
      return json(200, {
        items: page.items.map(orderView),
        ...(page.next ? { nextToken: encodeCursor(page.next) } : {}),
      });
    },
  });

export const handler = createHandler();
