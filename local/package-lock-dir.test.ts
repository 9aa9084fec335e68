import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withPackageLock } from './package-lock-dir.js';

const root = mkdtempSync(join(tmpdir(), 'package-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('withPackageLock', () => {
  it('runs one packaging at a time', async () => {
    let running = 0;
    let most = 0;
    const work = async () => {
      running++;
      most = Math.max(most, running);
      await pause(30);
      running--;
    };
    await Promise.all(Array.from({ length: 4 }, () => withPackageLock(root, work)));
    expect(most).toBe(1);
  });

  it('takes over a lock whose owner is gone, and releases it after a failure', async () => {
    mkdirSync(join(root, '.serverless-package.lock'));
    writeFileSync(join(root, '.serverless-package.lock', 'pid'), '999999999');
    await expect(withPackageLock(root, async () => Promise.reject(new Error('package failed')))).rejects.toThrow('package failed');
    expect(await withPackageLock(root, async () => 'next', 1000)).toBe('next');
  });
});
