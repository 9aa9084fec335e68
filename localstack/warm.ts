// Keeps the functions a LocalStack cold start would fail warm: invokes each once (deploy.sh), or every N seconds
// until stopped (e2e.sh, for the suite's length).
//   npx tsx localstack/warm.ts [stage]                     once; fails if an invocation fails
//   node --import tsx localstack/warm.ts [stage] --every 60   until killed; a failed round is logged, not fatal
//
// Why: GET /users/{userId} asks the orders context's userOrders function through a circuit breaker that gives
// up after 2 s (functions/users/adapters/circuit-breaking-user-orders.ts) and then answers `ordersAvailable:
// false`. On Lambda a cold start of that small bundle takes well under a second; on LocalStack it starts a
// container, which on a 2-vCPU runner can take longer than 2 s. Without this, tests/e2e/user-with-orders.test.ts
// passed only when an earlier file had happened to warm userOrders. A warm environment lives for LocalStack's
// LAMBDA_KEEPALIVE_MS after its last invocation (docker-compose.yml); the interval must stay below it.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

/** Each function kept warm, with an input it accepts (a query for nobody's orders changes nothing). */
const WARM: Record<string, unknown> = {
  userOrders: { userId: 'warm-up', limit: 1 },
};

const args = process.argv.slice(2);
const everyAt = args.indexOf('--every');
const everySeconds = everyAt >= 0 ? Number(args[everyAt + 1]) : undefined;
if (everySeconds !== undefined && !(everySeconds > 0)) throw new Error('--every needs a number of seconds');
const stage = args.find((arg, i) => !arg.startsWith('--') && !(everyAt >= 0 && i === everyAt + 1)) ?? 'localstack';

const lambda = new LambdaClient({
  endpoint: process.env.LOCALSTACK_ENDPOINT ?? 'http://127.0.0.1:4566',
  region: process.env.AWS_REGION ?? 'us-east-1',
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test' },
});

async function warmOnce(): Promise<string[]> {
  return Promise.all(
    Object.entries(WARM).map(async ([fn, input]) => {
      const started = Date.now();
      const out = await lambda.send(
        new InvokeCommand({ FunctionName: `ecommerce-${stage}-${fn}`, Payload: Buffer.from(JSON.stringify(input)) }),
      );
      const payload = Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8');
      if (out.FunctionError) throw new Error(`${fn}: ${out.FunctionError} ${payload.slice(0, 300)}`);
      return `${fn} ${Date.now() - started} ms`;
    }),
  );
}

if (everySeconds === undefined) {
  console.log(`warm: ${(await warmOnce()).join(', ')}`);
} else {
  console.log(`warm: ${Object.keys(WARM).join(', ')} on stage ${stage}, every ${everySeconds} s until stopped`);
  // The first round is reported; later ones only when they fail (the suite's output is read by people).
  for (let round = 0; ; round++) {
    await warmOnce().then(
      (done) => round === 0 && console.log(`warm: ${done.join(', ')}`),
      (error: Error) => console.error(`warm: failed: ${error.message}`),
    );
    await new Promise((resolve) => setTimeout(resolve, everySeconds * 1000));
  }
}
