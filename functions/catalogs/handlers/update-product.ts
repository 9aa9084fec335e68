/**
 * PATCH /catalogs/{productId} (role admin): renames a product or changes its price; a price that moved is
 * announced (ProductPriceChanged).
 *
 * Published after the write, not through an outbox: if PutEvents fails once the change is stored, the admin gets
 * a 500 while the change stands; a retry with the same body stores nothing new and announces nothing (the price
 * no longer moves), so that change goes unannounced (functions/catalogs/README.md, "Events").
 */
import { eventPublisher } from '../../shared/events/event-publisher.js';
import { httpHandler, json } from '../../shared/http/handler.js';
import { productPriceChangedEvent } from '../domain/product-events.js';
import * as routes from '../routes.js';
import { catalogService } from '../wiring.js';

export const createHandler = (catalogs = catalogService, publisher = eventPublisher) =>
  httpHandler({
    ...routes.updateProduct.request,
    handle: async ({ path, body, correlationId }) => {
      const { product, priceChange } = await catalogs().updateProduct(path.productId, body);
      if (priceChange) await publisher().publish([productPriceChangedEvent(priceChange, correlationId)]);
      return json(200, product);
    },
  });

export const handler = createHandler();
