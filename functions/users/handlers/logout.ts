import type { SessionService } from '../domain/sessions.js';
import { signOutService } from '../wiring/sign-out.js';
import { httpHandler, requireCaller } from '../../shared/http/handler.js';
import * as routes from '../routes/logout.js';

export const createHandler = (sessions: () => Pick<SessionService, 'logout'> = signOutService) =>
  httpHandler({
    ...routes.logout.request,
    handle: async (request) => {
      await sessions().logout(requireCaller(request), request.body.refreshToken);
      return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
    },
  });

export const handler = createHandler();
