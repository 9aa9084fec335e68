// Child-process and port helpers for the local stack: clear errors instead of stack traces.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

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
  const forward = (data: Buffer) => {
    for (const line of data.toString('utf8').split('\n')) if (line.trim() !== '') options.onOutput?.(line);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  return child;
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
