import type { SessionService } from '../domain/sessions.js';
import { signOutService } from '../wiring/sign-out.js';
import { httpHandler, requireSelf } from '../../shared/http/handler.js';
import * as routes from '../routes/revoke-sessions.js';

export const createHandler = (sessions: () => Pick<SessionService, 'revokeAll'> = signOutService) =>
  httpHandler({
    ...routes.revokeSessions.request,
    handle: async (request) => {
      await sessions().revokeAll(requireSelf(request, request.path.userId));
      return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
    },
  });

export const handler = createHandler();
