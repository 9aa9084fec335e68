import { requiredEnv } from '../../shared/config.js';
import { httpHandler, requireSelf } from '../../shared/http/handler.js';
import { json } from '../../shared/http/response.js';
import { logger } from '../../shared/observability.js';
import { once } from '../../shared/once.js';
import * as z from '../../shared/schema.js';
import { CircuitBreakingUserOrders } from '../adapters/circuit-breaking-user-orders.js';
import { lambdaOrdersSource } from '../adapters/lambda-orders-source.js';
import { UserService } from '../domain/user-service.js';
import { usersRepository } from '../wiring.js';

// The orders context's internal query (functions/orders/functions.yml: userOrders), behind a circuit breaker.
const getUserService = once(
  () =>
    new UserService({
      users: usersRepository(),
      orders: new CircuitBreakingUserOrders(lambdaOrdersSource(requiredEnv('ORDERS_QUERY_FUNCTION')), undefined, (state) =>
        logger.warn('orders circuit breaker', { state }),
      ),
    }),
);

export const createHandler = (users: () => Pick<UserService, 'getUserWithOrders'> = getUserService) =>
  httpHandler({
    auth: 'required',
    // Deliberately loose: any id that is not the caller's is a 403, malformed or not.
    path: z.object({
      userId: z.string().check(z.minLength(1), z.maxLength(256)),
    }),
    handle: async (request) => {
      const userId = requireSelf(request, request.path.userId);
      const user = await users().getUserWithOrders(userId);
      return json(200, {
        userId: user.userId,
        email: user.email,
        name: user.name,
        orders: user.orders,
        ordersAvailable: user.ordersAvailable,
      });
    },
  });

export const handler = createHandler();
