import { notFound } from '../../shared/http/errors.js';
import { httpHandler, json } from '../../shared/http/handler.js';
import { catalogService } from '../wiring.js';
import * as routes from '../routes.js';

export const createHandler = (catalogs = catalogService) =>
  httpHandler({
    ...routes.getCatalog.request,
    handle: async ({ path }) => {
      const product = await catalogs().getProduct(path.productId);
      if (!product) throw notFound(`Product ${path.productId} not found`);
      return json(200, product);
    },
  });

export const handler = createHandler();
