/**
 * Bundle size and module init time of every function, as deployed: runs `serverless package`,
 * then for each function in the compiled template measures its bundle (.mjs, as esbuild wrote it,
 * and the zip) and the time a fresh Node process takes to import it (median of several runs).
 * Targets (reported, not asserted): bundle <= 250 KB, init <= 60 ms.
 *
 *   npx tsx bench/bundles.ts [--skip-package] [--runs 7]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadTemplate } from '../local/cloudformation.js';
import { summarize } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const TARGET_KB = 250;
const TARGET_INIT_MS = 60;

export interface BundleFigure {
  function: string;
  bundleKb: number;
  zipKb: number;
  initP50Ms: number;
}

export async function measureBundles(options: { skipPackage?: boolean; runs?: number } = {}): Promise<BundleFigure[]> {
  if (!options.skipPackage) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/serverless/bin/serverless.js'), 'package', '--stage', 'local'], {
      cwd: ROOT,
      stdio: 'ignore',
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
    });
  }
  const template = await loadTemplate(join(ROOT, '.serverless', 'cloudformation-template-update-stack.json'));
  const figures: BundleFigure[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const props = resource.Properties as { FunctionName: string; Handler: string; Environment?: { Variables?: Record<string, unknown> } };
    const name = logicalId.replace(/LambdaFunction$/, '');
    const modulePath = props.Handler.replace(/\.[^.]+$/, '');
    const bundle = join(ROOT, '.esbuild', '.build', `${modulePath}.mjs`);
    const zip = join(ROOT, '.serverless', `${name.charAt(0).toLowerCase()}${name.slice(1)}.zip`);
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_LAMBDA_FUNCTION_NAME: props.FunctionName };
    for (const [key, value] of Object.entries(props.Environment?.Variables ?? {})) if (typeof value === 'string') env[key] = value;
    delete env.NODE_OPTIONS; // --enable-source-maps would measure source-map loading, which Lambda does too, but only on errors
    const samples: number[] = [];
    for (let i = 0; i < (options.runs ?? 7); i++) {
      const script = `const t0 = performance.now(); await import(${JSON.stringify(pathToFileURL(bundle).href)}); process.stdout.write(String(performance.now() - t0));`;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`importing ${bundle} failed: ${result.stderr}`);
      samples.push(Number(result.stdout));
    }
    let zipKb = NaN;
    try {
      zipKb = statSync(zip).size / 1024;
    } catch {
      // the zip is named after the function key; skip when it does not match
    }
    figures.push({ function: props.FunctionName, bundleKb: statSync(bundle).size / 1024, zipKb, initP50Ms: summarize(samples).p50 });
  }
  return figures;
}

export function printBundles(figures: BundleFigure[]): void {
  console.log(`\nBundles (target <= ${TARGET_KB} KB, init <= ${TARGET_INIT_MS} ms; init = median import time in a fresh node process)`);
  console.log(`${'function'.padEnd(36)} ${'bundle KB'.padStart(10)} ${'zip KB'.padStart(8)} ${'init ms'.padStart(8)}`);
  for (const f of figures) {
    const flag = f.bundleKb > TARGET_KB || f.initP50Ms > TARGET_INIT_MS ? '  (over target)' : '';
    console.log(`${f.function.padEnd(36)} ${f.bundleKb.toFixed(1).padStart(10)} ${f.zipKb.toFixed(1).padStart(8)} ${f.initP50Ms.toFixed(1).padStart(8)}${flag}`);
  }
}

if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename)) {
  const { values } = parseArgs({ options: { 'skip-package': { type: 'boolean', default: false }, runs: { type: 'string', default: '7' } } });
  printBundles(await measureBundles({ skipPackage: values['skip-package'], runs: Number(values.runs) }));
}
