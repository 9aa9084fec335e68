// Child-process and port helpers for the local stack: clear errors instead of stack traces.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

export class StartupError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

export function assertJavaAvailable(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new StartupError(
      "Java was not found: DynamoDB Local (Amazon's emulator) needs a Java runtime, 17 or newer.",
      'Install one (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`; macOS: `brew install openjdk@17`) and run again.',
    );
  }
  const version = /version "(\d+)/.exec(result.stderr)?.[1];
  if (version && Number(version) < 17) {
    throw new StartupError(`Java ${version} found; DynamoDB Local needs Java 17 or newer.`, 'Install Java 17+ and put it first on PATH.');
  }
}

/** Fails with a clear message when a port is taken (on 127.0.0.1 or, for wildcard binders, on all interfaces). */
export async function assertPortFree(port: number, what: string, host = '127.0.0.1'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new StartupError(
          `Port ${port} (${what}) is ${error.code === 'EADDRINUSE' ? 'already in use' : `unavailable: ${error.code}`}.`,
          `Stop whatever listens on it (\`lsof -i :${port}\` or \`ss -ltnp | grep ${port}\`), e.g. an earlier \`npm start\`, or choose other ports (see README: Ports).`,
        ),
      );
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new StartupError(`${what} exited during start-up (code ${child.exitCode}).`, 'See its output above.');
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new StartupError(
    `${what} did not become ready within ${Math.round(timeoutMs / 1000)} s.`,
    'See its output above; rerun with LOCAL_STACK_VERBOSE=1 for more.',
  );
}

/** Starts a child in its own process group, so stopping it stops everything it started. */
export function startProcess(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; onOutput?: (line: string) => void },
): ChildProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // One buffer per stream: a chunk may end mid-line (a long JSON log or EMF line), and stdout and stderr interleave.
  for (const stream of [child.stdout, child.stderr]) {
    const lines = new LineBuffer();
    const forward = (found: string[]) => {
      for (const line of found) if (line.trim() !== '') options.onOutput?.(line);
    };
    stream?.on('data', (data: Buffer) => forward(lines.push(data)));
    stream?.on('end', () => forward(lines.end()));
  }
  return child;
}

/**
 * Splits a stream's chunks into whole lines: what follows the last newline of a chunk waits for the next one (a
 * multi-byte character split between chunks too). A line longer than `maxLineBytes` is passed on in pieces rather
 * than held without bound.
 */
export class LineBuffer {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly maxLineBytes = 1024 * 1024) {}

  push(chunk: Buffer | string): string[] {
    const text = this.pending + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    if (this.pending.length > this.maxLineBytes) {
      lines.push(this.pending);
      this.pending = '';
    }
    return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  }

  /** The stream ended: its last line, if it had no newline. */
  end(): string[] {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    return rest === '' ? [] : [rest];
  }
}

/** SIGTERM to the child's process group, then SIGKILL if it has not exited in time. */
export async function stopProcess(child: ChildProcess | undefined, graceMs = 5000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      // already gone
    }
  };
  signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
