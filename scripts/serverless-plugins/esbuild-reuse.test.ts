// The bundle-reuse plugin around the real serverless-esbuild and esbuild, on a two-function service in a
// temporary folder: what each offline start and each watched change builds, and what it keeps.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EsbuildServerlessPlugin from 'serverless-esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import EsbuildReuse, { RECORD_FILE } from './esbuild-reuse.mjs';

const root = mkdtempSync(join(tmpdir(), 'esbuild-reuse-'));
// serverless-esbuild takes the working directory for the service's (serverless runs in it); esbuild, loaded
// before, is given it as absWorkingDir.
const cwd = process.cwd();
beforeAll(() => process.chdir(root));
afterAll(() => {
  process.chdir(cwd);
  rmSync(root, { recursive: true, force: true });
});
const write = (path: string, text: string) => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
};
write('tsconfig.json', '{}');
write('src/shared.ts', "export const greeting = 'hello';\n");
write('src/a.ts', "import { greeting } from './shared';\nexport const handler = async () => `${greeting} from a`;\n");
write('src/b.ts', "import { greeting } from './shared';\nexport const handler = async () => `${greeting} from b`;\n");
const bundle = (name: string) => join(root, '.esbuild/.build/src', `${name}.mjs`);

/** The entries esbuild built (its onStart runs once per build of an entry). */
let built: string[] = [];
const counter = {
  name: 'count-builds',
  setup: (build: any) => build.onStart(() => void built.push(String(build.initialOptions.entryPoints[0]))),
};
const notices: string[] = [];
const log = { notice: (m: string) => notices.push(m), verbose: () => undefined, warning: () => undefined, error: () => undefined };

const opened: any[] = [];
afterEach(async () => {
  for (const esb of opened.splice(0)) await esb.disposeContexts();
});

/** A fresh serverless process (`commands`), with both plugins constructed and initialised. */
function start(commands = ['offline', 'start'], esbuild: Record<string, unknown> = {}) {
  const functions: Record<string, any> = { a: { handler: 'src/a.handler' }, b: { handler: 'src/b.handler' } };
  const serverless: any = {
    config: { serviceDir: root },
    processedInput: { commands },
    configSchemaHandler: { defineFunctionProperties: () => undefined },
    service: {
      provider: { name: 'aws', runtime: 'nodejs20.x' },
      functions,
      getFunction: (name: string) => functions[name],
      package: {},
      custom: {
        esbuild: { format: 'esm', outputFileExtension: '.mjs', absWorkingDir: root, plugins: [counter], ...esbuild },
      },
    },
    pluginManager: { plugins: [] as unknown[], spawn: () => undefined },
  };
  const esb: any = new (EsbuildServerlessPlugin as any)(serverless, {}, { log });
  serverless.pluginManager.plugins.push(esb);
  new EsbuildReuse(serverless, {}, { log });
  esb.init();
  opened.push(esb);
  built = [];
  notices.length = 0;
  return esb;
}

/** The esbuild service processes this test process started (Linux: read from /proc). */
function esbuildServices(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return parent === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--service=');
      } catch {
        return false; // ended while we looked
      }
    })
    .map(Number);
}

describe('reusing bundles under serverless offline', () => {
  it('the first start builds every bundle and records it; the next start with nothing changed builds none', async () => {
    await start().bundle();
    expect(built.sort()).toEqual(['src/a.ts', 'src/b.ts']);
    expect(JSON.parse(readFileSync(join(root, '.esbuild', RECORD_FILE), 'utf8')).entries).toHaveProperty(['src/a.ts']);
    const written = statSync(bundle('a')).mtimeMs;

    const esb = start();
    await esb.bundle();
    expect(built).toEqual([]);
    expect(notices.join('\n')).toContain('Reusing the 2 bundles');
    expect(statSync(bundle('a')).mtimeMs).toBe(written);
    // What serverless-esbuild's other steps read is there as if it had built them.
    expect(esb.buildResults.map((r: any) => r.bundlePath).sort()).toEqual(['src/a.mjs', 'src/b.mjs']);
  });

  it('a start rebuilds the bundles a change reached while it was stopped, and only those', async () => {
    await start().bundle();
    write('src/b.ts', "import { greeting } from './shared';\nexport const handler = async () => `${greeting} from B`;\n");
    await start().bundle();
    expect(built).toEqual(['src/b.ts']);
    expect(readFileSync(bundle('b'), 'utf8')).toContain('from B');

    write('src/shared.ts', "export const greeting = 'hi';\n");
    await start().bundle();
    expect(built.sort()).toEqual(['src/a.ts', 'src/b.ts']);
  });

  it('a file added beside an import, which may change what it resolves to, rebuilds; a swap file does not', async () => {
    write('src/lib/index.ts', "export const from = 'lib/index';\n");
    write('src/b.ts', "import { from } from './lib';\nexport const handler = async () => from;\n");
    await start().bundle();
    write('src/.b.ts.swp', 'editor state');
    await start().bundle();
    expect(built).toEqual([]);
    write('src/lib.ts', "export const from = 'lib.ts';\n");
    await start().bundle();
    expect(built).toContain('src/b.ts');
    expect(readFileSync(bundle('b'), 'utf8')).toContain('lib.ts');
  });

  it('a bundle deleted or overwritten is rebuilt', async () => {
    await start().bundle();
    unlinkSync(bundle('a'));
    await start().bundle();
    expect(built).toEqual(['src/a.ts']);
    writeFileSync(bundle('b'), 'export const handler = 0;\n');
    await start().bundle();
    expect(built).toEqual(['src/b.ts']);
  });

  it('other options, or another tsconfig.json, rebuild everything', async () => {
    await start().bundle();
    await start(['offline', 'start'], { minify: true }).bundle();
    expect(built.sort()).toEqual(['src/a.ts', 'src/b.ts']);
    write('tsconfig.json', '{ "compilerOptions": { "useDefineForClassFields": false } }');
    await start(['offline', 'start'], { minify: true }).bundle();
    expect(built.sort()).toEqual(['src/a.ts', 'src/b.ts']);
  });

  it('while offline runs, a change rebuilds what it reaches; calls during a build wait for it', async () => {
    const esb = start();
    await esb.bundle();
    built = [];
    notices.length = 0;
    write('src/a.ts', "import { greeting } from './shared';\nexport const handler = async () => `${greeting} from A`;\n");
    // The watcher's calls, one per change it saw, the second during the first's build.
    await Promise.all([esb.bundle(), esb.bundle()]);
    expect(built).toEqual(['src/a.ts']);
    expect(notices).toEqual(['Rebuilt 1 bundle(s) (src/a.ts); 1 unchanged']);
    expect(readFileSync(bundle('a'), 'utf8')).toContain('from A');
    expect(Object.keys(esb.buildCache).sort()).toEqual(['src/a.ts', 'src/b.ts']);
    // Both bundles are recorded as they are: the next start builds nothing.
    await start().bundle();
    expect(built).toEqual([]);
  });

  it('with skipRebuild, no esbuild service runs between builds, and a change is still built', async () => {
    const esb = start(['offline', 'start'], { skipRebuild: true });
    await esb.bundle();
    expect(built.sort()).toEqual(['src/a.ts', 'src/b.ts']);
    expect(esbuildServices()).toEqual([]);
    built = [];
    write('src/b.ts', "import { greeting } from './shared';\nexport const handler = async () => `${greeting} from b, again`;\n");
    await Promise.all([esb.bundle(), esb.bundle()]);
    expect(built).toEqual(['src/b.ts']);
    expect(readFileSync(bundle('b'), 'utf8')).toContain('from b, again');
    expect(esbuildServices()).toEqual([]);
  });

  it('package builds everything (it zips what it builds) and records it for the next offline start', async () => {
    await start().bundle();
    await start(['package']).bundle();
    expect(built.sort()).toEqual(['src/a.ts', 'src/b.ts']);
    await start().bundle();
    expect(built).toEqual([]);
  });
});
