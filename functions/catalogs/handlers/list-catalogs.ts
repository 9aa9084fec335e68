import { httpHandler, listResponse } from '../../shared/http/handler.js';
import * as routes from '../routes.js';
import { catalogService } from '../wiring.js';

export const createHandler = (catalogs = catalogService) =>
  httpHandler({
    ...routes.listCatalogs.request,
    handle: async ({ query }) => listResponse(await catalogs().listProducts(query.limit, query.nextToken)),
  });

export const handler = createHandler();
