/**
 * Lambda's 4 KB limit on a function's environment variables (all of them together, measured as their JSON),
 * read off every packaged stage: each function fits, and every verifier still fits when its JWKS is the largest
 * a key set can hold (current, next and the most previous keys it keeps; 3072-bit keys, the largest the
 * users README suggests). `serverless package` itself fails on an oversized environment
 * (scripts/serverless-plugins/lambda-environment-size.mjs), which serverless.yml must load.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_PREVIOUS_KEYS,
  newKeySet,
  prepareNextKey,
  promoteNextKey,
  publicJwks,
  type JwtKeySet,
} from '../../functions/users/auth/key-set.js';
import type { CfnTemplate } from '../../local/cloudformation.js';
import {
  ENVIRONMENT_LIMIT_BYTES,
  environmentBytes,
  oversizedEnvironments,
} from '../../scripts/serverless-plugins/lambda-environment-size.mjs';
import { PACKAGED_STAGES } from './stages.js';
import { templateOf } from './templates.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

let largestJwks: string;
beforeAll(() => {
  let set: JwtKeySet = newKeySet(new Date(), 3072);
  for (let i = 0; i < MAX_PREVIOUS_KEYS; i++) set = promoteNextKey(prepareNextKey(set, new Date(), 3072));
  largestJwks = JSON.stringify(publicJwks(prepareNextKey(set, new Date(), 3072)));
}, 60_000);

const functionsOf = (template: CfnTemplate) =>
  Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .map((resource) => ({
      name: String(resource.Properties?.FunctionName),
      variables: (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {},
    }));

describe.each(PACKAGED_STAGES)('function environments of stage $name', (stage) => {
  let template: CfnTemplate;
  beforeAll(async () => {
    template = await templateOf(stage);
  });

  it(`every function's variables fit in ${ENVIRONMENT_LIMIT_BYTES} bytes`, () => {
    expect(functionsOf(template).length).toBeGreaterThan(20);
    expect(oversizedEnvironments(template)).toEqual([]);
  });

  it('every verifier still fits with the largest JWKS a rotation can publish', () => {
    const verifiers = functionsOf(template).filter((fn) => 'JWT_PUBLIC_JWKS' in fn.variables);
    expect(verifiers.length).toBeGreaterThan(0);
    const sizes = verifiers.map((fn) => ({
      name: fn.name,
      bytes: environmentBytes({ ...fn.variables, JWT_PUBLIC_JWKS: largestJwks }, template.Resources),
    }));
    const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    console.log(
      `[${stage.name}] largest verifier environment with the largest JWKS: ${largest.name}, ${largest.bytes} of ${ENVIRONMENT_LIMIT_BYTES} bytes`,
    );
    expect(sizes.filter((size) => size.bytes > ENVIRONMENT_LIMIT_BYTES)).toEqual([]);
  });
});

it('serverless.yml loads the packaging check, so an oversized environment fails `serverless package`', () => {
  const yml = readFileSync(resolve(ROOT, 'serverless.yml'), 'utf8');
  expect(yml).toMatch(/^\s+- \.\/scripts\/serverless-plugins\/lambda-environment-size\.mjs$/m);
});
