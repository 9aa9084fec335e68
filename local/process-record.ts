/**
 * Recovery from a crashed run: the stack writes down the processes it starts (in its data directory), and
 * the next start stops the ones still running, if and only if they are the very processes it recorded (same
 * PID, same start time, same command line: a PID reused by anything else is left alone). DynamoDB Local and
 * serverless-offline run in process groups of their own, so a SIGKILL of `npm start` (an OOM kill, a closed
 * terminal) does not take them down, and they would hold the ports.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RecordedProcess {
  what: string;
  pid: number;
  /** `ps -o lstart=`, so a reused PID is never mistaken for ours. */
  started: string;
  command: string;
}

/** Start time and command line of a live process (Linux and macOS `ps`), or undefined. */
export function identify(pid: number): { started: string; command: string } | undefined {
  const result = spawnSync('ps', ['-o', 'lstart=', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
  const line = result.status === 0 ? result.stdout.trim() : '';
  // lstart is five words: "Wed Dec  2 06:42:58 2026".
  const match = /^(\S+\s+\S+\s+\d+\s+[\d:]+\s+\d+)\s+(.*)$/.exec(line);
  return match ? { started: match[1] as string, command: match[2] as string } : undefined;
}

export class ProcessRecord {
  private entries: RecordedProcess[] = [];

  constructor(private readonly file: string) {}

  /** Stops what a previous run left behind (only its own processes); returns what it stopped. */
  async stopLeftovers(): Promise<RecordedProcess[]> {
    let previous: RecordedProcess[];
    try {
      previous = JSON.parse(readFileSync(this.file, 'utf8')) as RecordedProcess[];
    } catch {
      return [];
    }
    const stopped: RecordedProcess[] = [];
    for (const entry of previous) {
      const now = identify(entry.pid);
      if (!now || now.started !== entry.started || now.command !== entry.command) continue;
      await stopGroup(entry.pid);
      stopped.push(entry);
    }
    rmSync(this.file, { force: true });
    return stopped;
  }

  add(what: string, pid: number | undefined): void {
    const identity = pid === undefined ? undefined : identify(pid);
    if (pid === undefined || !identity) return;
    this.entries.push({ what, pid, ...identity });
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify(this.entries, null, 2));
  }

  /** A clean stop: nothing is left to recover. */
  clear(): void {
    this.entries = [];
    rmSync(this.file, { force: true });
  }
}

/** SIGTERM to the process group the recorded process leads, SIGKILL if it is still there after 5 s. */
async function stopGroup(pid: number): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
      return true;
    } catch {
      return false;
    }
  };
  if (!signal('SIGTERM')) return;
  for (let waited = 0; waited < 5000; waited += 100) {
    await new Promise((done) => setTimeout(done, 100));
    if (!identify(pid)) return;
  }
  signal('SIGKILL');
  await new Promise((done) => setTimeout(done, 200));
}
