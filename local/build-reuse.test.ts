import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPackageCurrent, markPackageCurrent, packageInputsDigest } from './build-reuse.js';

const root = mkdtempSync(join(tmpdir(), 'build-reuse-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const write = (path: string, text: string) => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
};

describe('reusing the last package', () => {
  write('serverless.yml', 'service: x');
  write('functions/orders/handlers/place-order.ts', 'export const handler = 1;');
  const settings = { stage: 'local', params: [] };

  it('the digest stays while nothing changes, and moves with a source, the template, a param or the stage', () => {
    const digest = packageInputsDigest(root, settings);
    expect(packageInputsDigest(root, settings)).toBe(digest);
    expect(packageInputsDigest(root, { stage: 'local', params: ['authorizerMode=function'] })).not.toBe(digest);
    expect(packageInputsDigest(root, { stage: 'dev', params: [] })).not.toBe(digest);
    write('functions/orders/handlers/place-order.ts', 'export const handler = 2;');
    expect(packageInputsDigest(root, settings)).not.toBe(digest);
    const afterSource = packageInputsDigest(root, settings);
    write('functions/orders/handlers/new-one.ts', '');
    expect(packageInputsDigest(root, settings)).not.toBe(afterSource);
    const afterNewFile = packageInputsDigest(root, settings);
    write('serverless.yml', 'service: y');
    expect(packageInputsDigest(root, settings)).not.toBe(afterNewFile);
  });

  it('a package counts as current only with its template and the same digest', () => {
    const folder = join(root, '.serverless');
    mkdirSync(folder, { recursive: true });
    const digest = packageInputsDigest(root, settings);
    markPackageCurrent(folder, digest);
    expect(isPackageCurrent(folder, digest)).toBe(false); // no template yet
    writeFileSync(join(folder, 'cloudformation-template-update-stack.json'), '{}');
    expect(isPackageCurrent(folder, digest)).toBe(true);
    expect(isPackageCurrent(folder, `${digest}x`)).toBe(false);
  });
});
