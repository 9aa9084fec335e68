/**
 * Runs the sweeper now (a scheduled rule runs it every minute, on AWS and under `npm start`), or lists and
 * re-drives the orders it gave up on (functions/orders/README.md, "Sweeper"):
 *
 *   npx tsx functions/orders/scripts/sweep-pending.ts                      # npm start's stack (Lambda port 3002)
 *   npx tsx functions/orders/scripts/sweep-pending.ts --older-than 0 --port-offset 100
 *   npx tsx functions/orders/scripts/sweep-pending.ts --list-stuck
 *   npx tsx functions/orders/scripts/sweep-pending.ts --redrive <orderId> [--redrive <orderId> ...] | --redrive-all
 *   npx tsx functions/orders/scripts/sweep-pending.ts --stage dev --region eu-west-1   # AWS, your credentials
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

type SweeperInput = { olderThanSeconds: number } | { stuck: 'list'; limit?: number; nextToken?: string } | { redrive: 'all' | string[] };

/** Invokes the stage's sweeper with `input`; its answer, or an error naming why it failed. */
export async function invokeSweeper<T>(options: {
  stage: string;
  input: SweeperInput;
  endpoint?: string;
  region?: string;
  portOffset?: number;
}): Promise<T> {
  const local = options.stage === 'local';
  const lambda = new LambdaClient(
    local
      ? {
          endpoint: options.endpoint ?? `http://127.0.0.1:${3002 + (options.portOffset ?? 0)}`,
          region: 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {
          ...(options.region ? { region: options.region } : {}),
          ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        },
  );
  try {
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: `ecommerce-${options.stage}-sweepPendingOrders`,
        Payload: Buffer.from(JSON.stringify(options.input)),
      }),
    );
    const text = Buffer.from(response.Payload ?? new Uint8Array()).toString('utf8');
    if (response.FunctionError) throw new Error(`the sweeper failed: ${text}`);
    return JSON.parse(text) as T;
  } finally {
    lambda.destroy();
  }
}

export const sweep = (options: { stage: string; olderThanSeconds: number; endpoint?: string; region?: string; portOffset?: number }) =>
  invokeSweeper<{ reannounced: string[]; stuck: string[]; statuses: Record<string, string> }>({
    ...options,
    input: { olderThanSeconds: options.olderThanSeconds },
  });

if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string', default: 'local' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      'port-offset': { type: 'string', default: '0' },
      'older-than': { type: 'string', default: '60' },
      'list-stuck': { type: 'boolean', default: false },
      redrive: { type: 'string', multiple: true },
      'redrive-all': { type: 'boolean', default: false },
    },
  });
  const target = {
    stage: values.stage,
    portOffset: Number(values['port-offset']),
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    ...(values.region ? { region: values.region } : {}),
  };
  if (values['list-stuck']) {
    let nextToken: string | undefined;
    let count = 0;
    do {
      const page = await invokeSweeper<{
        stuck: Array<{
          order: { orderId: string; productId: string; qty: number; status: string; createdAt: string };
          announcements: number;
          stuckAt: string;
        }>;
        nextToken?: string;
      }>({
        ...target,
        input: { stuck: 'list', limit: 100, ...(nextToken ? { nextToken } : {}) },
      });
      for (const { order, announcements, stuckAt } of page.stuck) {
        console.log(
          `${order.orderId}  ${order.status}  ${order.qty} x ${order.productId}  placed ${order.createdAt}  stuck since ${stuckAt} (${announcements} re-announcements)`,
        );
      }
      count += page.stuck.length;
      nextToken = page.nextToken;
    } while (nextToken);
    console.log(`${count} stuck order(s)`);
  } else if (values['redrive-all'] || values.redrive?.length) {
    const result = await invokeSweeper<{ redriven: string[]; notStuck: string[] }>({
      ...target,
      input: { redrive: values['redrive-all'] ? 'all' : (values.redrive as string[]) },
    });
    console.log(`re-drove ${result.redriven.length} order(s): announced again now, swept again from a fresh count`);
    for (const id of result.notStuck) console.log(`  not stuck (moved on, or never stuck): ${id}`);
  } else {
    const result = await sweep({ ...target, olderThanSeconds: Number(values['older-than']) });
    const counts = new Map<string, number>();
    for (const id of result.reannounced) counts.set(result.statuses[id] ?? '?', (counts.get(result.statuses[id] ?? '?') ?? 0) + 1);
    const byStatus = [...counts].map(([status, count]) => `${count} ${status}`);
    console.log(
      `re-announced ${result.reannounced.length} order(s)${byStatus.length ? ` (${byStatus.join(', ')})` : ''}; moved to the stuck list: ${result.stuck.length}`,
    );
    for (const id of result.stuck) console.log(`  stuck: ${id} (${result.statuses[id] ?? '?'})`);
  }
}
