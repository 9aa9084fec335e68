import type { UserService } from '../domain/user-service.js';
import { listUsersService } from '../wiring/list-users.js';
import { httpHandler, requireCaller, listResponse } from '../../shared/http/handler.js';
import * as routes from '../routes/list-users.js';

export const createHandler = (users: () => Pick<UserService, 'listUsers'> = listUsersService) =>
  httpHandler({
    ...routes.listUsers.request,
    handle: async (request) => {
      requireCaller(request);
      return listResponse(await users().listUsers(request.query.limit, request.query.nextToken));
    },
  });

export const handler = createHandler();
