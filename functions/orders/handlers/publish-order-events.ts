// The orders table's outbox relay (README, "Orders and the stock saga"): each stored order image -> the event of its state.
import { eventPublisher } from '../../shared/events/event-publisher.js';
import { outboxRelay } from '../../shared/events/outbox-relay.js';
import { lambdaHandler } from '../../shared/observability.js';
import { orderEventOf } from '../wiring.js';

export const createHandler = (publisher = eventPublisher) => lambdaHandler(outboxRelay(orderEventOf, publisher));

export const handler = createHandler();
