/**
 * Dependency hygiene: every package the code imports is declared in package.json (not reached through
 * another package's dependencies), and every declared package is used by the code, the config or a script.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const SOURCE_DIRS = ['functions', 'local', 'tests', 'bench', 'scripts', 'localstack'];
// The contexts' functions.yml name the files a function ships from a package (e.g. the docs page's assets).
const CONFIG_FILES = [
  'serverless.yml',
  'eslint.config.mjs',
  'vitest.config.ts',
  'package.json',
  'scripts/test.sh',
  ...readdirSync(join(ROOT, 'functions'))
    .map((context) => `functions/${context}/functions.yml`)
    .filter((file) => existsSync(join(ROOT, file))),
];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|mjs|js)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The package a bare specifier names (`@scope/name/sub` -> `@scope/name`). */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

function importedPackages(): Map<string, string> {
  const found = new Map<string, string>();
  const IMPORT = /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;
  for (const file of SOURCE_DIRS.flatMap(sourceFiles)) {
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3] ?? '';
      if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) continue;
      if (builtinModules.includes(specifier)) continue;
      found.set(packageOf(specifier), file.slice(ROOT.length + 1));
    }
  }
  return found;
}

describe('package.json', () => {
  const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]);

  it('declares every package the code imports', () => {
    // Type-only packages (aws-lambda) come as @types/<name>.
    const undeclared = [...importedPackages()]
      .filter(([name]) => !declared.has(name) && !declared.has(`@types/${name}`))
      .map(([name, file]) => `${name} (${file})`);
    expect(undeclared).toEqual([]);
  });

  it('declares nothing that nothing uses', () => {
    const imported = importedPackages();
    const config = CONFIG_FILES.map((file) =>
      readFileSync(join(ROOT, file), 'utf8').replace(/"(dependencies|devDependencies)": \{[^}]*\}/g, ''),
    ).join('\n');
    // @types/<name> is used where <name> is (Node's own: everywhere).
    const typesOf = (name: string) => (name === '@types/node' ? 'node' : name.replace(/^@types\//, ''));
    const used = (name: string) =>
      imported.has(name) ||
      config.includes(name) ||
      (name.startsWith('@types/') && (typesOf(name) === 'node' || imported.has(typesOf(name))));
    const unused = [...declared].filter((name) => !used(name));
    expect(unused).toEqual([]);
  });
});
