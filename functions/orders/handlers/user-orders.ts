// Internal query: a user's newest orders, for the users context (invoked directly, not over HTTP).
import { parseOrThrow } from '../../shared/http/validation.js';
import { lambdaHandler } from '../../shared/observability.js';
import { userOrdersQuery, type UserOrdersAnswer } from '../../shared/queries/user-orders.js';
import { orderView } from '../domain/order.js';
import { orderService } from '../wiring.js';

export const createHandler = (orders = orderService) =>
  lambdaHandler(async (event: unknown): Promise<UserOrdersAnswer> => {
    const query = parseOrThrow(userOrdersQuery, event, 'orders query');
    const page = await orders().list(query.userId, query.limit ?? 20);
    return { items: page.items.map(orderView) };
  });

export const handler = createHandler();
