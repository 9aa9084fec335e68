import { httpHandler, requireCaller } from '../../shared/http/handler.js';
import { json } from '../../shared/http/response.js';
import { decodeCursor, encodeCursor, pageQuerySchema } from '../../shared/pagination.js';
import { USER_KEY_NAMES } from '../adapters/dynamodb-user-repository.js';
import { userService } from '../user-service-factory.js';

export const handler = httpHandler({
  query: pageQuerySchema,
  handle: async (request) => {
    requireCaller(request);
    const { query } = request;
    const page = await userService.listUsers(query.limit, decodeCursor(query.nextToken, USER_KEY_NAMES));
    return json(200, { items: page.items, ...(page.next ? { nextToken: encodeCursor(page.next) } : {}) });
  },
});
