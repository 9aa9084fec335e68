/**
 * The outbox's safety net, run on a schedule: every order not final and quiet for its period is announced again
 * (PENDING: its OrderPlaced, or the catalog's answer, was lost; CONFIRMED past its due time: PaymentRequested;
 * CANCELLED and not yet compensated: OrderCancelled), backing off each time; after a bounded number of times it
 * leaves the sweep for the stuck list (metrics ordersStuck, paymentsStuck, compensationsStuck, and their alarms). Consumers are
 * idempotent. An operator lists and re-drives stuck orders through the same function
 * (functions/orders/scripts/sweep-pending.ts; functions/orders/README.md, "Sweeper").
 */
import * as z from '../../shared/schema.js';
import { lambdaHandler, logger, metrics } from '../../shared/observability.js';
import type { OrderStatus } from '../domain/order.js';
import type { SweepResult } from '../domain/order-service.js';
import { numberFromEnv, orderService } from '../wiring.js';

/** A scheduled run sends `{}`; an operator may narrow the age, list the stuck orders, or re-drive them. */
const operatorInput = z.union([
  z.strictObject({ olderThanSeconds: z.optional(z.int().check(z.gte(0), z.lte(86_400))) }),
  z.strictObject({ stuck: z.literal('list'), limit: z.optional(z.int().check(z.gte(1), z.lte(1000))), nextToken: z.optional(z.string()) }),
  z.strictObject({
    redrive: z.union([z.literal('all'), z.array(z.string().check(z.minLength(1))).check(z.minLength(1), z.maxLength(1000))]),
  }),
]);

export const createHandler = (orders = orderService) =>
  lambdaHandler(async (event: unknown) => {
    const parsed = operatorInput.safeParse(event ?? {});
    // A mistyped operator input fails loudly rather than running a default sweep.
    if (!parsed.success) throw new Error(`invalid sweeper input: ${z.prettifyError(parsed.error)}`);
    const input = parsed.data;
    if ('stuck' in input) {
      const page = await orders().listStuck(input.limit ?? 100, input.nextToken);
      return { stuck: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    }
    if ('redrive' in input) return redrive(orders(), input.redrive);

    const result = await orders().sweepPending({
      olderThanSeconds: input.olderThanSeconds ?? numberFromEnv('SWEEP_OLDER_THAN_SECONDS', 60),
      maxAnnouncements: numberFromEnv('SWEEP_MAX_ANNOUNCEMENTS', 10),
      maxBackoffSeconds: numberFromEnv('SWEEP_MAX_BACKOFF_SECONDS', 900),
      limit: numberFromEnv('SWEEP_BATCH_LIMIT', 500),
    });
    // By what the order waits for: the catalog's answer (PENDING), its payment (CONFIRMED), its compensations (CANCELLED).
    const count = (ids: string[], status: OrderStatus) => ids.filter((id) => result.statuses[id] === status).length;
    metrics.addMetric('ordersReannounced', 'Count', result.reannounced.length);
    metrics.addMetric('paymentsOverdue', 'Count', count(result.reannounced, 'CONFIRMED'));
    metrics.addMetric('compensationsOverdue', 'Count', count(result.reannounced, 'CANCELLED'));
    metrics.addMetric('ordersStuck', 'Count', count(result.stuck, 'PENDING'));
    metrics.addMetric('paymentsStuck', 'Count', count(result.stuck, 'CONFIRMED'));
    metrics.addMetric('compensationsStuck', 'Count', count(result.stuck, 'CANCELLED'));
    log(result);
    return result;
  });

function log(result: SweepResult) {
  if (result.stuck.length > 0)
    logger.error('orders left the sweep for the stuck list after every re-announcement', {
      stuck: result.stuck.map((id) => ({ orderId: id, status: result.statuses[id] })),
    });
  else if (result.reannounced.length > 0) logger.warn('re-announced orders that are not final', { count: result.reannounced.length });
}

async function redrive(orders: ReturnType<typeof orderService>, which: 'all' | string[]) {
  let ids = which === 'all' ? [] : which;
  if (which === 'all') {
    let nextToken: string | undefined;
    do {
      const page = await orders.listStuck(1000, nextToken);
      ids = ids.concat(page.items.map((stuck) => stuck.order.orderId));
      nextToken = page.nextToken;
    } while (nextToken);
  }
  const result = await orders.redriveStuck(ids);
  metrics.addMetric('ordersRedriven', 'Count', result.redriven.length);
  logger.warn('re-drove stuck orders', result);
  return result;
}

export const handler = createHandler();
