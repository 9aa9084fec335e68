// The users context's producer: a stored user announced as UserRegistered (by the outbox relay; README, "Orders and the stock saga").
import { buildEvent, type OutgoingEvent } from '../../shared/events/contracts.js';
import type { User } from './user.js';

/** Deterministic, `<id>:<EventType>` as every producer's: each announcement of one user carries the same eventId. */
export function userRegisteredEvent(user: User & { correlationId: string }): OutgoingEvent<'UserRegistered'> {
  return buildEvent(
    'UserRegistered',
    { userId: user.userId, email: user.email, name: user.name },
    { eventId: `${user.userId}:UserRegistered`, correlationId: user.correlationId, occurredAt: user.createdAt },
  );
}
