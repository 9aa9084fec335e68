/**
 * POST /catalogs (role admin): adds a product, then announces it (ProductCreated).
 *
 * Published after the write, not through an outbox: if PutEvents fails once the product is stored, the admin
 * gets a 500 while the product exists; a retry gets 409 PRODUCT_EXISTS and the event is not sent again (the gap
 * is described in functions/catalogs/README.md, "Events").
 */
import { eventPublisher } from '../../shared/events/event-publisher.js';
import { httpHandler, json } from '../../shared/http/handler.js';
import { productCreatedEvent } from '../domain/product-events.js';
import * as routes from '../routes.js';
import { catalogService } from '../wiring.js';

export const createHandler = (catalogs = catalogService, publisher = eventPublisher) =>
  httpHandler({
    ...routes.createProduct.request,
    handle: async ({ body, correlationId }) => {
      const product = await catalogs().createProduct(body);
      await publisher().publish([productCreatedEvent(product, correlationId)]);
      return json(201, product, { location: `/catalogs/${product.productId}` });
    },
  });

export const handler = createHandler();
