/**
 * The outbox's safety net, run on a schedule: every order still PENDING after a while is announced
 * again (its OrderPlaced, or the catalog's answer, was lost), up to a bounded number of times; then
 * it is reported as stuck (metric ordersStuck, alarm OrdersStuckAlarm). Consumers are idempotent.
 */
import * as z from '../../shared/schema.js';
import { lambdaHandler, logger, metrics } from '../../shared/observability.js';
import { orderService } from '../wiring.js';

const numberFromEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
};

/** A scheduled invocation sends `{}`; an operator (or a test) may narrow the age. */
const sweepInput = z.object({
  olderThanSeconds: z.optional(z.int().check(z.gte(0), z.lte(86_400))),
});

export const createHandler = (orders = orderService) =>
  lambdaHandler(async (input: unknown): Promise<{ reannounced: string[]; stuck: string[] }> => {
    const parsed = sweepInput.safeParse(input ?? {});
    const olderThanSeconds = (parsed.success ? parsed.data.olderThanSeconds : undefined) ?? numberFromEnv('SWEEP_OLDER_THAN_SECONDS', 60);
    const result = await orders().sweepPending({
      olderThanSeconds,
      maxAnnouncements: numberFromEnv('SWEEP_MAX_ANNOUNCEMENTS', 10),
      limit: numberFromEnv('SWEEP_BATCH_LIMIT', 500),
    });
    metrics.addMetric('ordersReannounced', 'Count', result.reannounced.length);
    metrics.addMetric('ordersStuck', 'Count', result.stuck.length);
    if (result.stuck.length > 0)
      logger.error('orders stay PENDING after every re-announcement', {
        stuck: result.stuck,
      });
    else if (result.reannounced.length > 0)
      logger.warn('re-announced PENDING orders', {
        count: result.reannounced.length,
      });
    return result;
  });

export const handler = createHandler();
