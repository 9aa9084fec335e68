import type { SessionService } from '../domain/sessions.js';
import { refreshService } from '../wiring/refresh-token.js';
import { httpHandler } from '../../shared/http/handler.js';
import * as routes from '../routes/refresh-token.js';
import { sessionResponse } from './session-http.js';

export const createHandler = (sessions: () => Pick<SessionService, 'refresh'> = refreshService) =>
  httpHandler({
    ...routes.refreshToken.request,
    handle: async ({ body }) => sessionResponse(await sessions().refresh(body.refreshToken)),
  });

export const handler = createHandler();
