// The 4 KB check of every function's environment (Lambda's limit), with the JWKS a verifier carries; and through
// the real `serverless package` (3.40), which the plugin stops on an oversized environment.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  newKeySet,
  prepareNextKey,
  promoteNextKey,
  publicJwks,
  MAX_PREVIOUS_KEYS,
  type JwtKeySet,
} from '../../functions/users/auth/key-set.js';
import LambdaEnvironmentSize, {
  ENVIRONMENT_LIMIT_BYTES,
  environmentBytes,
  longestValue,
  oversizedEnvironments,
} from './lambda-environment-size.mjs';

/** The variables a verifier has (as the dev stage's compiled template gives listUsers), with `jwks`. */
const verifierEnvironment = (jwks: string) => ({
  POWERTOOLS_SERVICE_NAME: 'users',
  POWERTOOLS_METRICS_NAMESPACE: 'ecommerce',
  LOG_LEVEL: 'INFO',
  AUTHORIZER_MODE: 'gateway',
  JWT_ISSUER: 'urn:ecommerce:production:users',
  JWT_AUDIENCE: 'urn:ecommerce:production:api',
  JWT_TTL_SECONDS: '900',
  CORS_ALLOWED_ORIGINS: 'https://shop.example.com,https://admin.shop.example.com',
  USERS_TABLE_NAME: 'ecommerce-production-users',
  JWT_PUBLIC_JWKS: jwks,
});
const fn = (name: string, variables: Record<string, unknown>) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { FunctionName: name, Environment: { Variables: variables } },
});

/** The JWKS at its largest: current, next and the most previous keys a key set keeps. */
function largestKeySet(modulusLength: number): JwtKeySet {
  let set = newKeySet(new Date(), modulusLength);
  for (let i = 0; i < MAX_PREVIOUS_KEYS; i++) set = promoteNextKey(prepareNextKey(set, new Date(), modulusLength));
  return prepareNextKey(set, new Date(), modulusLength);
}

describe('the size of a function environment, as Lambda measures it', () => {
  it('is the JSON of the variables in UTF-8 bytes: keys, values, quotes, separators and escapes', () => {
    expect(environmentBytes({ A: 'b' })).toBe('{"A":"b"}'.length);
    expect(environmentBytes({ JWKS: '{"keys":[]}' })).toBe('{"JWKS":"{\\"keys\\":[]}"}'.length);
    expect(environmentBytes({ NAME: 'Zoë' })).toBe('{"NAME":"Zoë"}'.length + 1); // ë is two bytes
    expect(environmentBytes({})).toBe(2);
  });

  it('counts what CloudFormation resolves at deploy time at the longest it can be', () => {
    const resources = {
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'ecommerce-dev-users' } },
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'ecommerce-dev-inbox' } },
      Unnamed: { Type: 'AWS::SQS::Queue', Properties: {} },
    };
    expect(longestValue({ Ref: 'Table' }, resources)).toHaveLength('ecommerce-dev-users'.length);
    expect(longestValue({ Ref: 'Queue' }, resources).length).toBeGreaterThan(
      'https://sqs.eu-west-1.amazonaws.com/123456789012/ecommerce-dev-inbox'.length,
    );
    expect(longestValue({ 'Fn::GetAtt': ['Table', 'Arn'] }, resources).length).toBeGreaterThan(
      'arn:aws:dynamodb:eu-west-1:123456789012:table/ecommerce-dev-users'.length,
    );
    expect(longestValue({ Ref: 'Unnamed' }, resources).length).toBeGreaterThan(128 + 'Unnamed'.length);
    expect(longestValue({ 'Fn::Sub': 'https://${AWS::Region}.example/${Table}' }, resources)).toBe(
      `https://${'x'.repeat(14)}.example/${'x'.repeat('ecommerce-dev-users'.length)}`,
    );
    expect(longestValue({ 'Fn::Sub': ['${A}-${B}', { A: 'a', B: { Ref: 'Table' } }] }, resources)).toHaveLength(
      2 + 'ecommerce-dev-users'.length,
    );
    expect(longestValue({ 'Fn::Join': ['/', ['a', { Ref: 'Table' }]] }, resources)).toHaveLength(2 + 'ecommerce-dev-users'.length);
    expect(longestValue({ 'Fn::ImportValue': 'x' }, resources)).toHaveLength(2048);
  });
});

describe('the JWKS in every verifier', () => {
  it.each([2048, 3072])(
    `fits with every other variable at its largest (current, next and ${MAX_PREVIOUS_KEYS} previous keys of %i bits)`,
    (bits) => {
      const jwks = JSON.stringify(publicJwks(largestKeySet(bits)));
      const bytes = environmentBytes(verifierEnvironment(jwks));
      expect(bytes).toBeLessThanOrEqual(ENVIRONMENT_LIMIT_BYTES);
      console.log(`a verifier's environment with the largest JWKS of ${bits}-bit keys: ${bytes} of ${ENVIRONMENT_LIMIT_BYTES} bytes`);
    },
    30_000,
  );

  it('fails the packaging, naming the function, its size and its largest variables, once a JWKS no longer fits', () => {
    const set = largestKeySet(2048);
    // Five more previous keys than a key set keeps: what promoting without retiring used to pile up.
    const extra = Array.from({ length: 5 }, () => publicJwks(newKeySet()).keys[0]);
    const jwks = JSON.stringify({ keys: [...publicJwks(set).keys, ...extra] });
    const template = {
      Resources: {
        ListUsersLambdaFunction: fn('ecommerce-dev-listUsers', verifierEnvironment(jwks)),
        HealthLambdaFunction: fn('ecommerce-dev-health', { LOG_LEVEL: 'INFO' }),
      },
    };
    const oversized = oversizedEnvironments(template);
    expect(oversized).toEqual([
      { function: 'ecommerce-dev-listUsers', bytes: environmentBytes(verifierEnvironment(jwks)), largest: expect.any(Array) },
    ]);
    expect(oversized[0]?.largest[0]?.key).toBe('JWT_PUBLIC_JWKS');

    const serverless = { service: { provider: { compiledCloudFormationTemplate: template } } };
    const plugin = new LambdaEnvironmentSize(serverless);
    expect(() => plugin.hooks['before:package:finalize']?.()).toThrow(
      /Lambda allows 4096 bytes of environment variables per function[\s\S]*ecommerce-dev-listUsers: \d+ bytes \(largest: JWT_PUBLIC_JWKS \d+/,
    );

    const fits = { service: { provider: { compiledCloudFormationTemplate: { Resources: { H: fn('h', { LOG_LEVEL: 'INFO' }) } } } } };
    expect(() => new LambdaEnvironmentSize(fits).hooks['before:package:finalize']?.()).not.toThrow();
  }, 30_000);

  it('is measured to the byte: a set of exactly 4096 bytes fits, one more does not', () => {
    const padded = (bytes: number) => ({ A: 'x'.repeat(bytes - '{"A":""}'.length) });
    expect(environmentBytes(padded(4096))).toBe(4096);
    expect(oversizedEnvironments({ Resources: { F: fn('f', padded(4096)) } })).toEqual([]);
    expect(oversizedEnvironments({ Resources: { F: fn('f', padded(4097)) } })).toHaveLength(1);
  });
});

describe('serverless package with the plugin', () => {
  const root = mkdtempSync(join(tmpdir(), 'environment-size-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A service whose one function gets `bytes` of environment in all (provider.environment, as serverless.yml gives the JWKS). */
  function packageService(bytes: number): Promise<{ code: number; output: string; template: boolean }> {
    const dir = mkdtempSync(join(root, `service-${bytes}-`));
    // Listed as serverless.yml lists its plugins: a `./` path inside the service.
    symlinkSync(resolve('scripts/serverless-plugins/lambda-environment-size.mjs'), join(dir, 'lambda-environment-size.mjs'));
    writeFileSync(join(dir, 'handler.js'), 'exports.main = async () => ({});\n');
    const value = 'x'.repeat(bytes - '{"JWT_PUBLIC_JWKS":""}'.length);
    writeFileSync(
      join(dir, 'serverless.yml'),
      [
        'service: environment-probe',
        "frameworkVersion: '3'",
        'provider: { name: aws, runtime: nodejs20.x, region: us-east-1, environment: { JWT_PUBLIC_JWKS: ' + value + ' } }',
        'plugins:',
        '  - ./lambda-environment-size.mjs',
        'functions:',
        '  verifier: { handler: handler.main }',
        '',
      ].join('\n'),
    );
    const env = { PATH: process.env.PATH, HOME: dir, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' };
    return new Promise((done) => {
      execFile(
        process.execPath,
        [resolve('node_modules/serverless/bin/serverless.js'), 'package', '--stage', 'dev', '--package', join(dir, 'out')],
        { cwd: dir, env, timeout: 90_000 },
        (error, stdout, stderr) =>
          done({
            code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
            output: `${stdout}\n${stderr}`,
            template: existsSync(join(dir, 'out', 'cloudformation-template-update-stack.json')),
          }),
      );
    });
  }

  it('fails on a function environment one byte over 4096, naming the function', { timeout: 120_000 }, async () => {
    const run = await packageService(ENVIRONMENT_LIMIT_BYTES + 1);
    expect(run.code, run.output).not.toBe(0);
    expect(run.output).toContain('Lambda allows 4096 bytes of environment variables per function');
    expect(run.output).toMatch(/environment-probe-dev-verifier: 4097 bytes \(largest: JWT_PUBLIC_JWKS/);
    expect(run.template).toBe(false);
  });

  it('packages one of exactly 4096 bytes', { timeout: 120_000 }, async () => {
    const run = await packageService(ENVIRONMENT_LIMIT_BYTES);
    expect(run.code, run.output).toBe(0);
    expect(run.template).toBe(true);
  });
});
