/**
 * What an idle local stack costs: starts one (in memory, its own ports), lets it settle, then reads the CPU
 * time of this process and every process it started from /proc over a window, and prints it as a share of
 * one core (target: <= 2%). Linux only (/proc). Nothing is asserted.
 *
 *   npx tsx bench/idle.ts [--seconds 60] [--settle 75] [--port-offset N]
 *
 * The default settle lets the sweeper's first scheduled run (a minute after the start, in a new function
 * worker) pass: what is measured is the stack at rest, whose sweeper then runs in a warm worker each minute.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalStack } from '../local/stack.js';
import { cpuSince, processLabel, processTreeCpu } from './process-cpu.js';

const PORTS = { http: 3300, lambda: 3302, dynamodb: 8300, sqs: 9624, eventBridge: 4310 };
/** PORTS moved by `offset` (--port-offset: beside another stack that uses these). */
const portsAt = (offset: number) => Object.fromEntries(Object.entries(PORTS).map(([name, port]) => [name, port + offset])) as typeof PORTS;

export async function measureIdle(seconds: number, settleSeconds: number, portOffset = 0) {
  const stack = await startLocalStack({ inMemory: true, ports: portsAt(portOffset), log: () => undefined });
  try {
    await new Promise((done) => setTimeout(done, settleSeconds * 1000));
    const before = processTreeCpu();
    await new Promise((done) => setTimeout(done, seconds * 1000));
    return cpuSince(before).map((p) => ({
      name: p.pid === process.pid ? 'local stack (pollers, SQS emulator, local EventBridge, DynamoDB pass-through)' : processLabel(p),
      percentOfCore: (p.seconds / seconds) * 100,
    }));
  } finally {
    await stack.stop();
  }
}

if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      settle: { type: 'string', default: '75' },
      'port-offset': { type: 'string', default: '0' },
    },
  });
  const seconds = Number(values.seconds);
  const figures = await measureIdle(seconds, Number(values.settle), Number(values['port-offset']));
  console.log(`\nIdle local stack, CPU over ${seconds} s (target: <= 2% of one core in all)`);
  for (const f of figures.filter((f) => f.percentOfCore >= 0.05)) console.log(`  ${f.percentOfCore.toFixed(2).padStart(6)} %  ${f.name}`);
  console.log(
    `  ${figures
      .reduce((sum, f) => sum + f.percentOfCore, 0)
      .toFixed(2)
      .padStart(6)} %  in all`,
  );
}
