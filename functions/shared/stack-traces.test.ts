// A minified bundle with a linked source map, as serverless-esbuild writes them, throwing in a fresh process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'stack-traces-'));
const bundle = join(dir, 'handler.mjs');
const stackOf = (env: Record<string, string>) => {
  const script = `try { (await import(${JSON.stringify(`file://${bundle}`)})).handler(); } catch (error) { console.log(error.stack); }`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  }).stdout;
};

beforeAll(async () => {
  const entry = join(dir, 'entry.ts');
  writeFileSync(
    entry,
    [
      `import { mapStackTracesLazily } from ${JSON.stringify(resolve(import.meta.dirname, 'stack-traces.ts'))};`,
      'mapStackTracesLazily();',
      'function failingDeepInside(): never {',
      "  throw new Error('boom');",
      '}',
      'export const handler = () => failingDeepInside();',
    ].join('\n'),
  );
  await build({ entryPoints: [entry], outfile: bundle, bundle: true, minify: true, sourcemap: 'linked', format: 'esm', platform: 'node' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lazy source maps', () => {
  it('shows frames of a minified bundle at their TypeScript source on Lambda', () => {
    const stack = stackOf({ AWS_LAMBDA_FUNCTION_NAME: 'test' });
    expect(stack).toMatch(/^Error: boom/);
    expect(stack).toMatch(/entry\.ts:4:9/); // the throw, in the source
    expect(stack).not.toMatch(/handler\.mjs:\d+:/);
  });

  it('leaves stacks alone off Lambda (and to --enable-source-maps where it is set)', () => {
    expect(stackOf({})).toMatch(/handler\.mjs:\d+:\d+/);
    expect(stackOf({ AWS_LAMBDA_FUNCTION_NAME: 'test', NODE_OPTIONS: '--enable-source-maps' })).toMatch(/entry\.ts:4/);
  });
});
