/**
 * The catalogs queue's consumer: answers each OrderPlaced with StockReserved (at the catalog's unit
 * price) or StockRejected. The answer is recorded in the same transaction that lowers the stock, so a
 * redelivered OrderPlaced changes nothing and gets the recorded answer again; if publishing the answer
 * fails, the message fails too and its redelivery re-sends it.
 */
import { busEventConsumer } from '../../shared/events/bus-consumer.js';
import { subscriptions } from '../../shared/events/contracts.js';
import { metrics } from '../../shared/observability.js';
import { eventPublisher } from '../../shared/events/event-publisher.js';
import { catalogService } from '../wiring.js';
import { stockEvent } from '../domain/stock-events.js';
import { oneAtATimePer } from '../../shared/one-at-a-time.js';

export const createHandler = (catalogs = catalogService, publisher = eventPublisher) => {
  // The messages of a batch run side by side, but two reservations of one product would only conflict on
  // its item (DynamoDB cancels a transaction that meets another): they take turns (functions/catalogs/README.md, "A hot product").
  const byProduct = oneAtATimePer<string>();
  return busEventConsumer(subscriptions.reserveStock, async ({ envelope }) => {
    const { orderId, productId, qty } = envelope.data;
    const { reservation, duplicate } = await byProduct(productId, () => catalogs().reserveStock({ orderId, productId, qty }));
    await publisher().publish([stockEvent(reservation, envelope.metadata.correlationId)]);
    metrics.addMetric(
      duplicate ? 'stockAnswersRepeated' : reservation.status === 'RESERVED' ? 'stockReserved' : 'stockRejected',
      'Count',
      1,
    );
  });
};

export const handler = createHandler();
