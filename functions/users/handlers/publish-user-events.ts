// The users table's outbox relay (README, "Orders and the stock saga"): each new user -> UserRegistered.
import { eventPublisher } from '../../shared/events/event-publisher.js';
import { outboxRelay } from '../../shared/events/outbox-relay.js';
import { lambdaHandler } from '../../shared/observability.js';
import { userRegisteredOf } from '../wiring/publish-user-events.js';

export const createHandler = (eventOf = userRegisteredOf(), publisher = eventPublisher) => lambdaHandler(outboxRelay(eventOf, publisher));

export const handler = createHandler();
