/**
 * CPU time of a process and everything it started, per process, read from /proc (Linux only): what the idle
 * and saga benches use to say which part of the local stack a figure is spent in.
 */
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface ProcessCpu {
  pid: number;
  name: string;
  /** CPU seconds (user + system) so far. */
  seconds: number;
}

/** utime + stime of `root` and all its descendants, per process. */
export function processTreeCpu(root = process.pid): ProcessCpu[] {
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
  const tree: ProcessCpu[] = [];
  const visit = (pid: number) => {
    const stat = stats.get(pid);
    if (!stat) return;
    tree.push({ pid, name: stat.name, seconds: stat.ticks / TICKS_PER_SECOND });
    for (const [child, s] of stats) if (s.ppid === pid) visit(child);
  };
  visit(root);
  return tree;
}

/** CPU seconds each process of the tree spent between `before` (an earlier reading) and now. */
export function cpuSince(before: ProcessCpu[], root = process.pid): ProcessCpu[] {
  const earlier = new Map(before.map((p) => [p.pid, p.seconds]));
  return processTreeCpu(root).map((p) => ({ ...p, seconds: p.seconds - (earlier.get(p.pid) ?? p.seconds) }));
}

/** A short label for the local stack's processes. */
export function processLabel(p: ProcessCpu, root = process.pid): string {
  if (p.pid === root) return 'this process (local stack: gateway, pollers, SQS emulator, local EventBridge; and the bench client)';
  if (p.name.includes('DynamoDBLocal') || p.name.startsWith('java')) return 'DynamoDB Local (java)';
  if (p.name.includes('serverless') && p.name.includes('offline')) return 'serverless offline (and its function workers)';
  if (p.name.includes('esbuild')) return 'esbuild service (offline watch)';
  return p.name;
}
