/**
 * The catalogs queue's consumer, the catalog's side of an order:
 * - OrderPlaced: answered with StockReserved (at the catalog's unit price) or StockRejected. The answer is
 *   recorded in the same transaction that lowers the stock, so a redelivered OrderPlaced changes nothing and
 *   gets the recorded answer again. An order cancelled first (a tombstone) or since gets nothing: nothing reserved.
 * - OrderCancelled: what the catalog took goes back (once), or a tombstone stops a late OrderPlaced; always
 *   answered with StockReleased, again on every redelivery.
 * If publishing an answer fails, the message fails too and its redelivery re-sends it.
 */
import { busEventConsumer } from '../../shared/events/bus-consumer.js';
import { subscriptions } from '../../shared/events/contracts.js';
import { metrics } from '../../shared/observability.js';
import { eventPublisher } from '../../shared/events/event-publisher.js';
import { catalogService } from '../wiring.js';
import { stockEvent, stockReleasedEvent } from '../domain/stock-events.js';
import type { ReleaseOutcome } from '../domain/reservation.js';
import { oneAtATimePer } from '../../shared/one-at-a-time.js';

const RELEASE_METRICS: Record<ReleaseOutcome, string> = {
  released: 'stockReleased',
  tombstoned: 'reservationsCancelledFirst',
  'nothing-reserved': 'stockReleaseNothingReserved',
  repeated: 'stockReleaseRepeated',
};

export const createHandler = (catalogs = catalogService, publisher = eventPublisher) => {
  // The messages of a batch run side by side, but two writes of one product's stock (a reservation, a release)
  // would only conflict on its item (DynamoDB cancels a transaction that meets another): they take turns
  // (functions/catalogs/README.md, "A hot product").
  const byProduct = oneAtATimePer<string>();
  return busEventConsumer(subscriptions.reserveStock, async (event) => {
    const { correlationId } = event.envelope.metadata;
    const { orderId, productId, qty } = event.envelope.data;
    if (event.type === 'OrderCancelled') {
      const { release, outcome } = await byProduct(productId, () => catalogs().releaseStock({ orderId, productId, qty }));
      await publisher().publish([stockReleasedEvent(release, correlationId)]);
      metrics.addMetric(RELEASE_METRICS[outcome], 'Count', 1);
      return;
    }
    const answer = await byProduct(productId, () => catalogs().reserveStock({ orderId, productId, qty }));
    if (answer.cancelled) {
      // The order moved on (orders ignores a late answer): announcing a reservation now would not be true.
      metrics.addMetric(answer.cancelled.status === 'CANCELLED' ? 'reservationsPrevented' : 'orderPlacedAfterRelease', 'Count', 1);
      return;
    }
    const { reservation, duplicate } = answer;
    await publisher().publish([stockEvent(reservation, correlationId)]);
    metrics.addMetric(
      duplicate ? 'stockAnswersRepeated' : reservation.status === 'RESERVED' ? 'stockReserved' : 'stockRejected',
      'Count',
      1,
    );
  });
};

export const handler = createHandler();
