/**
 * What an idle local stack costs: starts one (in memory, its own ports), lets it settle, then reads the CPU
 * time of this process and every process it started from /proc over a window, and prints it as a share of
 * one core (target: <= 2%). Linux only (/proc). Nothing is asserted.
 *
 *   npx tsx bench/idle.ts [--seconds 60] [--settle 15]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalStack } from '../local/stack.js';

const PORTS = { http: 3300, lambda: 3302, dynamodb: 8300, sqs: 9624, eventBridge: 4310 };
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface ProcessTicks {
  pid: number;
  name: string;
  ticks: number;
}

/** utime + stime of `pid` and all its descendants, per process. */
function processTree(root: number): ProcessTicks[] {
  const stats = new Map<number, { ppid: number; ticks: number; name: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const name = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').slice(0, 3).join(' ').slice(0, 80);
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), name });
    } catch {
      // the process ended while we looked
    }
  }
  const tree: ProcessTicks[] = [];
  const visit = (pid: number) => {
    const stat = stats.get(pid);
    if (!stat) return;
    tree.push({ pid, name: stat.name, ticks: stat.ticks });
    for (const [child, s] of stats) if (s.ppid === pid) visit(child);
  };
  visit(root);
  return tree;
}

export async function measureIdle(seconds: number, settleSeconds: number) {
  const stack = await startLocalStack({ inMemory: true, ports: PORTS, log: () => undefined });
  try {
    await new Promise((done) => setTimeout(done, settleSeconds * 1000));
    const before = new Map(processTree(process.pid).map((p) => [p.pid, p.ticks]));
    await new Promise((done) => setTimeout(done, seconds * 1000));
    return processTree(process.pid).map((p) => ({
      name: p.pid === process.pid ? 'local stack (pollers, SQS emulator, local EventBridge, DynamoDB pass-through)' : p.name,
      percentOfCore: ((p.ticks - (before.get(p.pid) ?? p.ticks)) / TICKS_PER_SECOND / seconds) * 100,
    }));
  } finally {
    await stack.stop();
  }
}

if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename)) {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, settle: { type: 'string', default: '15' } } });
  const seconds = Number(values.seconds);
  const figures = await measureIdle(seconds, Number(values.settle));
  console.log(`\nIdle local stack, CPU over ${seconds} s (target: <= 2% of one core in all)`);
  for (const f of figures.filter((f) => f.percentOfCore >= 0.05)) console.log(`  ${f.percentOfCore.toFixed(2).padStart(6)} %  ${f.name}`);
  console.log(
    `  ${figures
      .reduce((sum, f) => sum + f.percentOfCore, 0)
      .toFixed(2)
      .padStart(6)} %  in all`,
  );
}
