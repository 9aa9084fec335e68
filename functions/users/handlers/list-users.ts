import type { UserService } from '../domain/user-service.js';
import { listUsersService } from '../wiring.js';
import { httpHandler, requireCaller } from '../../shared/http/handler.js';
import { json } from '../../shared/http/response.js';
import { decodeCursor, encodeCursor, pageQuerySchema } from '../../shared/pagination.js';
import { USER_KEY_NAMES } from '../adapters/dynamodb-user-repository.js';

export const createHandler = (users: () => Pick<UserService, 'listUsers'> = listUsersService) =>
  httpHandler({
    auth: 'required',
    query: pageQuerySchema,
    handle: async (request) => {
      requireCaller(request);
      const { query } = request;
      const page = await users().listUsers(query.limit, decodeCursor(query.nextToken, USER_KEY_NAMES));
      return json(200, {
        items: page.items,
        ...(page.next ? { nextToken: encodeCursor(page.next) } : {}),
      });
    },
  });

export const handler = createHandler();
