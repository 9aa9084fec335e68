// The payments table's outbox relay (functions/payments/README.md): each stored payment image -> the event of its state.
import { eventPublisher } from '../../shared/events/event-publisher.js';
import { outboxRelay } from '../../shared/events/outbox-relay.js';
import { lambdaHandler } from '../../shared/observability.js';
import { paymentEventOf } from '../wiring.js';

export const createHandler = (publisher = eventPublisher) => lambdaHandler(outboxRelay(paymentEventOf, publisher));

export const handler = createHandler();
