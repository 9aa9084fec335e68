/**
 * What can be verified of the deploy path without an AWS account or a Docker engine: every stage
 * packages (tests/template/global-setup.ts fails the run when `serverless package` does not exit, or fails),
 * each function the template deploys has its zip in the package, holding the module and export its
 * Handler names, and no zip is left over; its template
 * is valid against AWS's own resource specification, and the localstack stage asks LocalStack community
 * for nothing it lacks (localstack/community-resource-types.json).
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import AdmZip from 'adm-zip';
import { describe, expect, it } from 'vitest';
import { checkLocalStackCoverage } from './localstack-coverage.js';
import { checkTemplateAgainstSpec } from './spec-check.js';
import { PACKAGED_STAGES, packageFolderOf } from './stages.js';
import { templateOf } from './templates.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Where a function's Handler (`path/to/module.export`) points: the bundle's module and the name it must export. */
function handlerOf(handler: string): { module: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  return { module: `${handler.slice(0, dot)}.mjs`, exportName: handler.slice(dot + 1) };
}

/** The names an esbuild ESM bundle exports (`export{a as handler,b as createHandler}`). */
function exportsOf(source: string): string[] {
  const names: string[] = [];
  for (const [, list] of source.matchAll(/export\s*\{([^}]*)\}/g))
    for (const item of (list as string).split(','))
      names.push(
        item
          .trim()
          .split(/\s+as\s+/)
          .at(-1) as string,
      );
  return names;
}

describe.each(PACKAGED_STAGES)('stage $name', (stage) => {
  it('packages every function it deploys: the zip its Code names, holding the module and export of its Handler, and no other zip', async () => {
    const folder = join(ROOT, packageFolderOf(stage));
    const functions = Object.entries((await templateOf(stage)).Resources).filter(
      ([, resource]) => resource.Type === 'AWS::Lambda::Function',
    );
    expect(functions.length).toBeGreaterThan(10);
    const zips = new Set<string>();
    for (const [id, resource] of functions) {
      const properties = resource.Properties as { Code?: { S3Key?: unknown }; Handler?: unknown };
      expect(typeof properties.Code?.S3Key, `${id} Code.S3Key`).toBe('string');
      expect(typeof properties.Handler, `${id} Handler`).toBe('string');
      const zip = basename(properties.Code?.S3Key as string);
      zips.add(zip);
      expect(existsSync(join(folder, zip)), `${id}: ${zip} is not in the package`).toBe(true);
      const archive = new AdmZip(join(folder, zip));
      const { module, exportName } = handlerOf(properties.Handler as string);
      const source = archive.readAsText(module);
      expect(source, `${id}: ${zip} has no ${module}`).not.toBe('');
      expect(exportsOf(source), `${id}: ${module} does not export ${exportName}`).toContain(exportName);
    }
    expect(
      readdirSync(folder)
        .filter((name) => name.endsWith('.zip'))
        .sort(),
    ).toEqual([...zips].sort());
  });

  it("is valid against AWS's resource specification (types, properties, Ref, GetAtt, Sub, DependsOn)", async () => {
    expect(await checkTemplateAgainstSpec(await templateOf(stage))).toEqual([]);
  });

  if (stage.stage === 'localstack') {
    it(`uses only resource types LocalStack ${stage.authorizerMode === 'gateway' ? 'Pro' : 'community'} deploys`, async () => {
      // The Pro image has the API Gateway authorizer provider that community lacks.
      const accepted = stage.authorizerMode === 'gateway' ? ['AWS::ApiGateway::Authorizer'] : [];
      expect(checkLocalStackCoverage(await templateOf(stage), accepted)).toEqual([]);
    });
  }
});
