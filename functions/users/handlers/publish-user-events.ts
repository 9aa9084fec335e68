// The outbox relay (users table stream -> UserRegistered on the bus): see adapters/user-registered-relay.ts.
import { EventBridgePublisher } from '../../shared/events/event-publisher.js';
import { lambdaHandler } from '../../shared/observability.js';
import { userRegisteredRelay } from '../adapters/user-registered-relay.js';
import { usersRepository } from '../wiring.js';

export const handler = lambdaHandler(userRegisteredRelay((userId) => usersRepository().getUserItem(userId), new EventBridgePublisher()));
