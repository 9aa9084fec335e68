// GET /users/{userId}'s wiring (functions/users/wiring.ts says how it is laid out).
import { requiredEnv } from '../../shared/config.js';
import { logger } from '../../shared/observability.js';
import { CircuitBreakingUserOrders } from '../adapters/circuit-breaking-user-orders.js';
import { lambdaOrdersSource } from '../adapters/lambda-orders-source.js';
import { UserService } from '../domain/user-service.js';
import { usersRepository } from './shared.js';

let userWithOrders: UserService | undefined;
/** The user, and their orders from the orders context's query function behind a circuit breaker. */
export const userWithOrdersService = () =>
  (userWithOrders ??= new UserService({
    users: usersRepository(),
    orders: new CircuitBreakingUserOrders(lambdaOrdersSource(requiredEnv('ORDERS_QUERY_FUNCTION')), undefined, (state) =>
      logger.warn('orders circuit breaker', { state }),
    ),
  }));
