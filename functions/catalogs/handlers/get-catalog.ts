import * as z from '../../shared/schema.js';
import { notFound } from '../../shared/http/errors.js';
import { httpHandler, json } from '../../shared/http/handler.js';
import { catalogService } from '../wiring.js';
import { PRODUCT_ID_PATTERN } from '../domain/product.js';

export const createHandler = (catalogs = catalogService) =>
  httpHandler({
    path: z.object({
      productId: z.string().check(z.regex(PRODUCT_ID_PATTERN, 'must be 1-64 letters, digits, - or _')),
    }),
    handle: async ({ path }) => {
      const product = await catalogs().getProduct(path.productId);
      if (!product) throw notFound(`Product ${path.productId} not found`);
      return json(200, product);
    },
  });

export const handler = createHandler();
