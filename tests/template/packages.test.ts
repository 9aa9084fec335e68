/**
 * What the deploy zips hold (stage dev, packaged by tests/template/global-setup.ts): the password-hashing
 * addon's Lambda binary (linux-arm64, glibc) in the two functions that hash and nowhere else, and no
 * addon compiled on this machine (argon2/build/), which node-gyp-build would load before the prebuilds.
 */
import { join, resolve } from 'node:path';
import AdmZip from 'adm-zip';
import { describe, expect, it } from 'vitest';
import { PACKAGED_STAGES, packageFolderOf } from './stages.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dev = PACKAGED_STAGES.find((stage) => stage.name === 'dev') as (typeof PACKAGED_STAGES)[number];
const entriesOf = (fn: string) => new AdmZip(join(ROOT, packageFolderOf(dev), `${fn}.zip`)).getEntries().map((entry) => entry.entryName);

describe('deploy packages (stage dev)', () => {
  it.each(['signUp', 'login'])('%s carries argon2 with its linux-arm64 binary for Lambda, and no locally built addon', (fn) => {
    const entries = entriesOf(fn);
    expect(entries).toContain('node_modules/argon2/prebuilds/linux-arm64/argon2.armv8.glibc.node');
    expect(entries).toContain('node_modules/argon2/argon2.cjs');
    expect(entries).toContain('node_modules/node-gyp-build/index.js');
    expect(entries).toContain('node_modules/@phc/format/index.js');
    expect(entries.filter((entry) => entry.startsWith('node_modules/argon2/build/'))).toEqual([]);
  });

  it('docs carries the Swagger UI files it serves, and the page’s own files', () => {
    const entries = entriesOf('docs');
    for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'LICENSE'])
      expect(entries).toContain(`node_modules/swagger-ui-dist/${file}`);
    expect(entries.filter((entry) => entry.startsWith('functions/platform/handlers/docs')).length).toBeGreaterThan(0);
  });

  it.each(['listUsers', 'getUser', 'authorizer', 'placeOrder', 'openapi', 'refreshToken', 'logout'])(
    '%s carries no node_modules at all',
    (fn) => {
      expect(entriesOf(fn).filter((entry) => entry.startsWith('node_modules/'))).toEqual([]);
    },
  );
});
