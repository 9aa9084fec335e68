import type { SessionService } from '../domain/sessions.js';
import { signOutService } from '../wiring.js';
import { httpHandler, requireSelf, userIdParam } from '../../shared/http/handler.js';
import * as z from '../../shared/schema.js';

export const createHandler = (sessions: () => Pick<SessionService, 'revokeAll'> = signOutService) =>
  httpHandler({
    auth: 'required',
    path: z.object({ userId: userIdParam }),
    handle: async (request) => {
      await sessions().revokeAll(requireSelf(request, request.path.userId));
      return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
    },
  });

export const handler = createHandler();
