/**
 * POST /catalogs/{productId}/stock (role admin): restocks or writes off, then announces the adjustment
 * (StockAdjusted).
 *
 * Published after the write. If PutEvents fails once the stock has changed, the admin gets a 500 while the
 * adjustment stands. With an Idempotency-Key the retry is safe and closes the gap: the key's record (written in
 * the stock's own transaction) makes the repeat apply nothing, answer the recorded product and publish the
 * recorded adjustment again, with the same eventId (listeners drop the duplicate). Without a key, a retry would
 * apply the delta a second time: send a key.
 */
import { eventPublisher } from '../../shared/events/event-publisher.js';
import { httpHandler, json } from '../../shared/http/handler.js';
import { idempotencyKeyOf } from '../../shared/http/idempotency-key.js';
import { stockAdjustedEvent } from '../domain/product-events.js';
import * as routes from '../routes.js';
import { catalogService } from '../wiring.js';

export const createHandler = (catalogs = catalogService, publisher = eventPublisher) =>
  httpHandler({
    ...routes.adjustStock.request,
    handle: async ({ path, body, headers, correlationId }) => {
      const idempotencyKey = idempotencyKeyOf(headers);
      const { adjustment } = await catalogs().adjustStock({
        productId: path.productId,
        delta: body.delta,
        ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
      });
      await publisher().publish([stockAdjustedEvent(adjustment, correlationId)]);
      return json(200, adjustment.product);
    },
  });

export const handler = createHandler();
