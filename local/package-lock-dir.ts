/**
 * One `serverless package` at a time per checkout. serverless-esbuild writes every zip through the fixed
 * `.serverless/` folder before Serverless moves it to the `--package` folder, so two packagings side by side
 * (a test stack and the template checks, `npm start` and a bench) overwrite each other's zips there.
 * A lock directory (mkdir is atomic) holding the owner's PID; a lock whose owner is gone is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function ownerAlive(lock: string): boolean {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive but not ours to signal; no pid file yet: the owner is writing it.
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EPERM' || code === 'ENOENT';
  }
}

export async function withPackageLock<T>(root: string, work: () => Promise<T>, timeoutMs = 600_000): Promise<T> {
  const lock = join(root, '.serverless-package.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!ownerAlive(lock)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`another serverless package held ${lock} for ${timeoutMs / 1000} s`);
      else await new Promise((done) => setTimeout(done, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
