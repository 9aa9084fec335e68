import { httpHandler } from '../../shared/http/handler.js';
import { json } from '../../shared/http/response.js';
import { decodeCursor, encodeCursor, pageQuerySchema } from '../../shared/pagination.js';
import { CATALOG_KEY_NAMES } from '../adapters/dynamodb-catalog-repository.js';
import { catalogService } from '../wiring.js';

export const createHandler = (catalogs = catalogService) =>
  httpHandler({
    query: pageQuerySchema,
    handle: async ({ query }) => {
      const page = await catalogs().listProducts(query.limit, decodeCursor(query.nextToken, CATALOG_KEY_NAMES));
      return json(200, {
        items: page.items,
        ...(page.next ? { nextToken: encodeCursor(page.next) } : {}),
      });
    },
  });

export const handler = createHandler();
