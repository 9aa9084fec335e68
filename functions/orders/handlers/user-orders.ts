// Internal query: a user's newest orders, for the users context (invoked directly, not over HTTP).
import { parseOrThrow } from '../../shared/http/validation.js';
import * as z from '../../shared/schema.js';
import { orderView } from '../domain/order.js';
import { lambdaHandler } from '../../shared/observability.js';
import { orderService } from '../wiring.js';

const querySchema = z.strictObject({
  userId: z.string().check(z.minLength(1), z.maxLength(128)),
  limit: z.optional(z.int().check(z.gte(1), z.lte(100))),
});

export const createHandler = (orders = orderService) =>
  lambdaHandler(async (event: unknown): Promise<{ items: ReturnType<typeof orderView>[] }> => {
    const query = parseOrThrow(querySchema, event, 'orders query');
    const page = await orders().list(query.userId, query.limit ?? 20);
    return { items: page.items.map(orderView) };
  });

export const handler = createHandler();
