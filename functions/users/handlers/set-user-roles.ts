import type { UserService } from '../domain/user-service.js';
import { setUserRolesService } from '../wiring/set-user-roles.js';
import { httpHandler, json, requireCaller } from '../../shared/http/handler.js';
import * as routes from '../routes/set-user-roles.js';

/** PUT /users/{userId}/roles: the route lets admins only (403 for anyone else, before the body is read). */
export const createHandler = (users: () => Pick<UserService, 'setRoles'> = setUserRolesService) =>
  httpHandler({
    ...routes.setUserRoles.request,
    handle: async (request) => {
      const { userId, roles } = await users().setRoles(requireCaller(request), request.path.userId, request.body.roles);
      return json(200, { userId, roles });
    },
  });

export const handler = createHandler();
