/**
 * Readable stack traces in the logs without `--enable-source-maps`. That flag makes Node parse every
 * bundle's source map at import (measured: +5 to +18 ms of CPU per function INIT, bench/bundles.ts);
 * here a bundle's map is read only when an error's stack is first formatted, so a function that never
 * fails never pays for it. Frames inside a bundle are shown at their TypeScript source
 * (`functions/orders/domain/order-service.ts:42:7`); other frames stay as Node prints them.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const maps = new Map<string, SourceMap | undefined>();

function sourceMapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      map = undefined; // no map beside the bundle: its frames stay as they are
    }
    maps.set(file, map);
  }
  return maps.get(file);
}

// V8's CallSite formats itself as Node prints a frame (the typings do not declare its toString).
// eslint-disable-next-line @typescript-eslint/no-base-to-string
const asNodePrintsIt = (site: NodeJS.CallSite) => site.toString();

function frame(site: NodeJS.CallSite): string {
  const fileName = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (!fileName?.endsWith('.mjs') || !line || !column) return asNodePrintsIt(site);
  const file = fileName.startsWith('file://') ? fileURLToPath(fileName) : fileName;
  const entry = sourceMapOf(file)?.findEntry(line - 1, column - 1);
  if (!entry || !('originalSource' in entry)) return asNodePrintsIt(site);
  const source = entry.originalSource.replace(/^(?:file:\/\/)?.*?\/(?=functions\/|node_modules\/)/, '');
  const location = `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  const name = site.getFunctionName();
  return name ? `${name} (${location})` : location;
}

/**
 * Installs the mapping for bundled code on Lambda (and serverless-offline, which sets the same variable).
 * Leaves alone a process that maps already (--enable-source-maps).
 */
export function mapStackTracesLazily(env: NodeJS.ProcessEnv = process.env): boolean {
  if (!env.AWS_LAMBDA_FUNCTION_NAME || process.sourceMapsEnabled) return false;
  Error.prepareStackTrace = (error: Error, sites: NodeJS.CallSite[]) =>
    [Error.prototype.toString.call(error), ...sites.map((site) => `    at ${frame(site)}`)].join('\n');
  return true;
}
