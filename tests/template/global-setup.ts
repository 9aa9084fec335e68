/**
 * Packages every stage (tests/template/stages.ts) once for the template checks. The
 * public JWKS would come from SSM (or the local key file) at package time; here a throw-away key set's
 * public half is passed instead (`--param jwtPublicJwks=...`), so no AWS account or local key is needed.
 */
import { newKeySet, publicJwks } from '../../functions/users/auth/key-set.js';
import { packageTemplate } from '../../local/stack.js';
import { PACKAGED_STAGES, packageFolderOf, type PackagedStage } from './stages.js';
import { TEST_ESBUILD_FOLDER } from '../support/ports.js';

export async function setup(): Promise<void> {
  const jwks = JSON.stringify(publicJwks(newKeySet()));
  const seconds: Record<string, number> = {};
  const packageStage = async (stage: PackagedStage) => {
    const started = Date.now();
    const params = [...stage.params, `jwtPublicJwks=${jwks}`];
    await packageTemplate(
      stage.stage,
      packageFolderOf(stage),
      {
        ...process.env,
        // One esbuild folder for the local stages and the test stacks, one for the AWS stages (their bundles leave
        // out the offline-only code: serverless.yml, esbuildDefine): within each, the bundles are the same, so each
        // packaging after the first zips the ones already built (scripts/serverless-plugins/esbuild-reuse.mjs).
        ESBUILD_WORK_FOLDER: stage.stage === 'local' ? TEST_ESBUILD_FOLDER : `${TEST_ESBUILD_FOLDER}-aws`,
        ESBUILD_REUSE_BUNDLES: '1',
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
      },
      undefined,
      params,
    );
    seconds[stage.name] = (Date.now() - started) / 1000;
  };
  // One after the other: packagings share serverless-esbuild's .serverless/ folder (local/package-lock-dir.ts).
  for (const stage of PACKAGED_STAGES) await packageStage(stage);
  console.log(
    `[template] packaged ${Object.entries(seconds)
      .map(([name, s]) => `${name} ${s.toFixed(0)} s`)
      .join(', ')}`,
  );
}
