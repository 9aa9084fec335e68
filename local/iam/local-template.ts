/**
 * Test helper: the compiled CloudFormation template of the local stage. The template checks leave it in
 * .serverless-template-local/ (tests/template/global-setup.ts, which `npm test` runs with the unit project); without
 * it, the stage is packaged once into a temporary folder the same way (about 30 s), and that folder removed after.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { newKeySet, publicJwks } from '../../functions/users/auth/key-set.js';
import { TEST_ESBUILD_FOLDER } from '../../tests/support/ports.js';
import { loadTemplate, type CfnTemplate } from '../cloudformation.js';
import { packageTemplate } from '../stack.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
export const PACKAGED_LOCAL_TEMPLATE = join(ROOT, '.serverless-template-local', 'cloudformation-template-update-stack.json');

export async function localTemplate(options: { packageAlways?: boolean } = {}): Promise<{ template: CfnTemplate; source: string }> {
  if (!options.packageAlways && existsSync(PACKAGED_LOCAL_TEMPLATE)) {
    // The template checks may be rewriting it right now: a half-written file parses on a later try.
    for (let attempt = 1; ; attempt += 1) {
      try {
        return { template: await loadTemplate(PACKAGED_LOCAL_TEMPLATE), source: relative(ROOT, PACKAGED_LOCAL_TEMPLATE) };
      } catch (error) {
        if (attempt === 3) throw error;
        await sleep(2000);
      }
    }
  }
  const folder = mkdtempSync(join(tmpdir(), 'iam-local-template-'));
  try {
    const template = await packageTemplate(
      'local',
      // packageTemplate takes the folder relative to the repository.
      relative(ROOT, folder),
      {
        ...process.env,
        ESBUILD_WORK_FOLDER: TEST_ESBUILD_FOLDER,
        ESBUILD_REUSE_BUNDLES: '1',
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
      },
      undefined,
      [`jwtPublicJwks=${JSON.stringify(publicJwks(newKeySet()))}`],
    );
    return { template, source: 'serverless package --stage local (a temporary folder)' };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
