/**
 * How long `npm start` takes to be ready: the first start in a fresh data directory, then repeat starts with
 * nothing changed (they reuse the compiled template and serverless offline's bundles). Each start is
 * local/start.ts as a user runs it, as a child process, timed from its spawn to its "Ready." line; it is
 * then stopped with Ctrl-C (SIGINT). Figures are printed, never asserted. Bounded: 3 minutes per start.
 *
 *   npx tsx bench/startup.ts [--repeats 3] [--cold]
 *
 * --cold first removes the build folders of its port set (.serverless-3960, .esbuild-3960), so the first
 * start packages and bundles everything as on a fresh clone.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PORTS } from '../local/stack.js';

const ROOT = resolve(import.meta.dirname, '..');
const OFFSET = 960; // its own ports (3960, ...) and so its own build folders

async function timeStart(dataDir: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--port-offset', String(OFFSET), '--data-dir', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  try {
    return await new Promise<number>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`not ready within 180 s:\n${output}`)), 180_000);
      child.stdout.on('data', (data: Buffer) => {
        output += data.toString();
        if (output.includes('Ready. Press Ctrl-C to stop.')) {
          clearTimeout(timer);
          done((performance.now() - started) / 1000);
        }
      });
      child.stderr.on('data', (data: Buffer) => (output += data.toString()));
      child.once('exit', (code) => fail(new Error(`npm start exited (${code}):\n${output}`)));
    });
  } finally {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGINT');
    await exited;
  }
}

export async function measureStartup(repeats: number, cold: boolean) {
  const port = DEFAULT_PORTS.http + OFFSET;
  if (cold) for (const folder of [`.serverless-${port}`, `.esbuild-${port}`]) rmSync(join(ROOT, folder), { recursive: true, force: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'ecommerce-startup-bench-'));
  try {
    const load = loadavg()[0] as number;
    const first = await timeStart(dataDir);
    const repeat: number[] = [];
    for (let i = 0; i < repeats; i++) repeat.push(await timeStart(dataDir));
    return { cold, first, repeat, load };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function printStartup(f: Awaited<ReturnType<typeof measureStartup>>): void {
  const sorted = [...f.repeat].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  console.log(`\nnpm start, ready (load average ${f.load.toFixed(1)} at the start; target: repeat start <= 10 s)`);
  console.log(`  first start${f.cold ? ' (cold: packages and bundles everything)' : ''}: ${f.first.toFixed(1)} s`);
  console.log(`  repeat starts, nothing changed: ${f.repeat.map((s) => s.toFixed(1)).join(', ')} s (median ${median.toFixed(1)} s)`);
}

if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename)) {
  const { values } = parseArgs({ options: { repeats: { type: 'string', default: '3' }, cold: { type: 'boolean', default: false } } });
  printStartup(await measureStartup(Number(values.repeats), values.cold));
}
