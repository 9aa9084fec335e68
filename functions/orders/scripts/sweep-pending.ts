/**
 * Runs the sweeper now (a scheduled rule runs it every minute, on AWS and under `npm start`): every order
 * still PENDING after --older-than seconds is announced again.
 *
 *   npx tsx functions/orders/scripts/sweep-pending.ts                      # npm start's stack (Lambda port 3002)
 *   npx tsx functions/orders/scripts/sweep-pending.ts --older-than 0 --endpoint http://127.0.0.1:3122
 *   npx tsx functions/orders/scripts/sweep-pending.ts --stage dev --region eu-west-1   # AWS, your credentials
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

const { values } = parseArgs({
  options: {
    stage: { type: 'string', default: 'local' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
    'older-than': { type: 'string', default: '60' },
  },
});

export async function sweep(options: { stage: string; olderThanSeconds: number; endpoint?: string; region?: string }) {
  const local = options.stage === 'local';
  const lambda = new LambdaClient(
    local
      ? {
          endpoint: options.endpoint ?? 'http://127.0.0.1:3002',
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
        Payload: Buffer.from(JSON.stringify({ olderThanSeconds: options.olderThanSeconds })),
      }),
    );
    const text = Buffer.from(response.Payload ?? new Uint8Array()).toString('utf8');
    if (response.FunctionError) throw new Error(`the sweeper failed: ${text}`);
    return JSON.parse(text) as { reannounced: string[]; stuck: string[] };
  } finally {
    lambda.destroy();
  }
}

if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename)) {
  const result = await sweep({
    stage: values.stage,
    olderThanSeconds: Number(values['older-than']),
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    ...(values.region ? { region: values.region } : {}),
  });
  console.log(`re-announced ${result.reannounced.length} order(s); stuck (announced too often already): ${result.stuck.length}`);
  for (const id of result.stuck) console.log(`  stuck: ${id}`);
}
