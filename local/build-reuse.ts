/**
 * A repeat `npm start` with nothing changed reuses the last compiled template instead of packaging again
 * (about 8 s of bundling and zipping). What the package is made from is hashed: serverless.yml and what it
 * includes, the functions' sources, package.json and the lock file, the local public JWKS it reads, and the
 * stage and params. Any change to any of them packages again. (serverless offline then reuses the bundles
 * this package or an earlier start built, those nothing changed since: scripts/serverless-plugins/esbuild-reuse.mjs.)
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Files and folders (relative to the repository) whose contents make the package. */
export const PACKAGE_INPUTS = [
  'serverless.yml',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'functions',
  'resources',
  'scripts/serverless-plugins',
  '.local/keys/jwt-keys.public.jwks',
];

function filesUnder(root: string, path: string): string[] {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

export function packageInputsDigest(root: string, settings: { stage: string; params: string[] }): string {
  const hash = createHash('sha256').update(JSON.stringify(settings));
  for (const file of PACKAGE_INPUTS.flatMap((path) => filesUnder(root, path))) {
    hash.update(`\0${file}\0`).update(readFileSync(join(root, file)));
  }
  return hash.digest('hex');
}

const digestFile = (packageFolder: string) => join(packageFolder, 'inputs.sha256');

/** True when `packageFolder` holds a template packaged from exactly these inputs. */
export function isPackageCurrent(packageFolder: string, digest: string): boolean {
  const template = join(packageFolder, 'cloudformation-template-update-stack.json');
  return existsSync(template) && existsSync(digestFile(packageFolder)) && readFileSync(digestFile(packageFolder), 'utf8') === digest;
}

export function markPackageCurrent(packageFolder: string, digest: string): void {
  writeFileSync(digestFile(packageFolder), digest);
}
