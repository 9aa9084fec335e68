import { httpHandler, listResponse } from '../../shared/http/handler.js';
import { pageQuerySchema } from '../../shared/pagination.js';
import { catalogService } from '../wiring.js';

export const createHandler = (catalogs = catalogService) =>
  httpHandler({
    query: pageQuerySchema,
    handle: async ({ query }) => listResponse(await catalogs().listProducts(query.limit, query.nextToken)),
  });

export const handler = createHandler();
