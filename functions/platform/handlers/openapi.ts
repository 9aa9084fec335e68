import { httpHandler, json } from '../../shared/http/handler.js';
import { apiDescription } from '../api-description.js';
import * as routes from '../routes.js';

/** One document per base path (a stage is reached under one), made on first use. */
const documents = new Map<string, Record<string, unknown>>();

export const handler = httpHandler({
  ...routes.openApi.request,
  handle: async ({ basePath }) => {
    // The server is the base path as the caller reached it (relative), so "try it" calls the stage the page came from;
    // `/dev` rather than `/dev/`: clients join the server URL and a path (`/users`) as they are.
    let document = documents.get(basePath);
    if (!document) {
      document = apiDescription(basePath === '/' ? '/' : basePath.replace(/\/$/, ''), process.env.SERVICE_VERSION ?? 'dev');
      documents.set(basePath, document);
    }
    return json(200, document, { 'cache-control': 'public, max-age=300' });
  },
});
