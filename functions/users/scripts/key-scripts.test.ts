import { execFile } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetParameterCommand, ParameterAlreadyExists, ParameterNotFound, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { newKeySet, prepareNextKey, promoteNextKey, publicJwks } from '../auth/key-set.js';
import { SsmKeyStore } from '../adapters/ssm-key-store.js';
import { ensureKeys } from './ensure-jwt-keys.js';
import { publicKeysParameterName, signingKeysParameterName } from './key-store-target.js';
import { deployedTokenTtl, positiveSeconds, retireTokenTtl, rotationStep, tokenTtlOfTemplate } from './rotate-jwt-keys.js';

/** Enough of SSM's Get/PutParameter semantics (types, Overwrite) to check what the scripts write. */
class FakeSsm {
  parameters = new Map<string, { Value: string; Type: string; Tier?: string }>();
  async send(command: unknown) {
    if (command instanceof GetParameterCommand) {
      const parameter = this.parameters.get(command.input.Name as string);
      if (!parameter) throw new ParameterNotFound({ message: 'not found', $metadata: {} });
      return { Parameter: { Value: parameter.Value } };
    }
    if (command instanceof PutParameterCommand) {
      const { Name, Value, Type, Overwrite, Tier } = command.input;
      if (this.parameters.has(Name as string) && !Overwrite) throw new ParameterAlreadyExists({ message: 'exists', $metadata: {} });
      this.parameters.set(Name as string, {
        Value: Value as string,
        Type: Type as string,
        ...(Tier ? { Tier } : {}),
      });
      return {};
    }
    throw new Error('unexpected command');
  }
}

const SIGNING = '/ecommerce/test/jwt/signing-keys';
const PUBLIC = '/ecommerce/test/jwt/public-keys';

describe('ensure-jwt-keys on SSM', () => {
  it('creates a SecureString key set and a String public JWKS, then keeps them on the next run', async () => {
    const ssm = new FakeSsm();
    const store = new SsmKeyStore(ssm as unknown as SSMClient, SIGNING, PUBLIC);
    const first = await ensureKeys(store);
    expect(first.created).toBe(true);
    expect(ssm.parameters.get(SIGNING)?.Type).toBe('SecureString');
    expect(ssm.parameters.get(PUBLIC)?.Type).toBe('String');
    expect(ssm.parameters.get(PUBLIC)?.Value).not.toContain('PRIVATE');
    expect(JSON.parse(ssm.parameters.get(PUBLIC)?.Value as string)).toEqual(publicJwks(first.set));

    const again = await ensureKeys(store);
    expect(again.created).toBe(false);
    expect(again.set.current.kid).toBe(first.set.current.kid);
  });

  it('never overwrites keys another run created meanwhile, and repairs a stale public parameter', async () => {
    const ssm = new FakeSsm();
    const store = new SsmKeyStore(ssm as unknown as SSMClient, SIGNING, PUBLIC);
    const winner = newKeySet();
    await store.create(winner);
    const loser = await store.create(newKeySet());
    expect(loser.current.kid).toBe(winner.current.kid);
    expect(JSON.parse(ssm.parameters.get(PUBLIC)?.Value as string)).toEqual(publicJwks(winner));

    ssm.parameters.set(PUBLIC, {
      Value: JSON.stringify({ keys: [] }),
      Type: 'String',
    });
    await ensureKeys(store);
    expect(JSON.parse(ssm.parameters.get(PUBLIC)?.Value as string)).toEqual(publicJwks(winner));
  });

  it('uses the parameter names serverless.yml gives the functions', () => {
    const yml = readFileSync(resolve(import.meta.dirname, '../../../serverless.yml'), 'utf8');
    expect(signingKeysParameterName('${self:service}', '${sls:stage}')).toBe(/jwtKeysParameter: (\S+)/.exec(yml)?.[1]);
    expect(publicKeysParameterName('${self:service}', '${sls:stage}')).toBe(/jwtPublicKeysParameter: (\S+)/.exec(yml)?.[1]);
    expect(/jwtKeysSource: ssm:(\S+)/.exec(yml)?.[1]).toBe(/jwtKeysParameter: (\S+)/.exec(yml)?.[1]);
    expect(/jwtPublicJwks: \$\{param:jwtPublicJwks, ssm:\$\{param:(\w+)\}\}/.exec(yml)?.[1]).toBe('jwtPublicKeysParameter');
  });
});

describe('rotate-jwt-keys timing', () => {
  const at = (iso: string) => ({
    tokenTtlSeconds: 3600,
    now: new Date(iso),
    force: false,
  });
  const base = newKeySet(new Date('2026-01-01T00:00:00Z'));
  const prepared = prepareNextKey(base, new Date('2026-01-01T00:00:00Z'));

  it('promotes only once the deployed stage publishes the next key (its verifiers trust it)', () => {
    const next = prepared.next?.kid as string;
    expect(() => rotationStep('promote', prepared, at('2026-01-01T00:10:00Z'))).toThrow(/deploy after prepare/);
    expect(() => rotationStep('promote', prepared, { ...at('2026-01-01T00:10:00Z'), deployedKids: [base.current.kid] })).toThrow(
      /does not publish the next key/,
    );
    expect(rotationStep('promote', prepared, { ...at('2026-01-01T00:00:01Z'), deployedKids: [base.current.kid, next] }).current.kid).toBe(
      next,
    );
    expect(rotationStep('promote', prepared, { ...at('2026-01-01T00:00:01Z'), force: true }).current.kid).toBe(next);
  });

  it('retires only once the tokens of the previous key have expired', () => {
    const promoted = promoteNextKey(prepared, new Date('2026-01-01T01:00:00Z'));
    expect(() => rotationStep('retire', promoted, at('2026-01-01T01:30:00Z'))).toThrow(/still verifies/);
    expect(rotationStep('retire', promoted, at('2026-01-01T02:15:00Z')).previous).toEqual([]);
  });

  it('never retires on a token lifetime that is not a positive whole number (NaN used to pass the guard)', () => {
    const promoted = promoteNextKey(prepared, new Date('2026-01-01T01:00:00Z'));
    for (const tokenTtlSeconds of [Number.NaN, Number('15m'), 0, -900, 900.5, Infinity]) {
      expect(() => rotationStep('retire', promoted, { ...at('2026-01-01T01:00:01Z'), tokenTtlSeconds })).toThrow(/positive whole number/);
    }
  });

  it('prepares a next key of the size asked (--modulus-length)', () => {
    const next = rotationStep('prepare', base, { ...at('2026-01-01T00:00:00Z'), modulusLength: 3072 }).next as { privateKeyPem: string };
    expect(createPrivateKey(next.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(3072);
  });

  it('refuses unknown steps', () => {
    expect(() => rotationStep('delete-everything', base, at('2026-01-01T00:00:00Z'))).toThrow(/unknown step/);
  });
});

describe("retire reads the stage's token lifetime", () => {
  it.each(['15m', '', '0', '-900', '900.5', '1e3', ' 900', '0900', '0x384', '99999999999'])('refuses --token-ttl-seconds %j', (text) => {
    expect(() => positiveSeconds('--token-ttl-seconds', text)).toThrow(
      `--token-ttl-seconds must be a positive whole number of seconds, got "${text}"`,
    );
  });

  it('takes digits', () => {
    expect(positiveSeconds('--token-ttl-seconds', '900')).toBe(900);
  });

  const fn = (name: string, ttl: unknown) => ({
    Type: 'AWS::Lambda::Function',
    Properties: { FunctionName: name, Environment: { Variables: { JWT_TTL_SECONDS: ttl, OTHER: 'x' } } },
  });
  const template = (loginTtl: unknown, refreshTtl: unknown = loginTtl, stage = 'dev') => ({
    Resources: {
      LoginLambdaFunction: fn(`ecommerce-${stage}-login`, loginTtl),
      RefreshTokenLambdaFunction: fn(`ecommerce-${stage}-refreshToken`, refreshTtl),
      ListUsersLambdaFunction: fn(`ecommerce-${stage}-listUsers`, '99999'),
      Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    },
  });

  it("from a packaged template: the longest JWT_TTL_SECONDS of the stage's log-in and refresh functions", () => {
    expect(tokenTtlOfTemplate(template('900'), 'ecommerce-dev-')).toBe(900);
    expect(tokenTtlOfTemplate(template('900', '1800'), 'ecommerce-dev-')).toBe(1800);
    expect(() => tokenTtlOfTemplate(template('900'), 'ecommerce-prod-')).toThrow(/no function named ecommerce-prod-login/);
    expect(() => tokenTtlOfTemplate(template('15m'), 'ecommerce-dev-')).toThrow(
      /JWT_TTL_SECONDS of ecommerce-dev-login must be a positive whole number/,
    );
    expect(() => tokenTtlOfTemplate(template({ Ref: 'Ttl' }), 'ecommerce-dev-')).toThrow(/positive whole number/);
  });

  it('from the deployed stage: the log-in and refresh functions of the stage', async () => {
    const asked: string[] = [];
    const lambda = {
      send: async (command: GetFunctionConfigurationCommand) => {
        asked.push(command.input.FunctionName as string);
        return { Environment: { Variables: { JWT_TTL_SECONDS: command.input.FunctionName?.endsWith('login') ? '900' : '1200' } } };
      },
    } as unknown as LambdaClient;
    expect(await deployedTokenTtl(lambda, 'ecommerce-dev-')).toBe(1200);
    expect(asked.sort()).toEqual(['ecommerce-dev-login', 'ecommerce-dev-refreshToken']);
  });

  it('waits out the longer of the stage and the option; the option alone only when the stage cannot be read', async () => {
    const stage = async () => 900;
    const unreadable = async (): Promise<number> => {
      throw new Error('AccessDeniedException');
    };
    expect(await retireTokenTtl(undefined, stage)).toEqual({ ttlSeconds: 900 });
    expect(await retireTokenTtl('600', stage)).toMatchObject({ ttlSeconds: 900, note: expect.stringMatching(/waiting out 900 s/) });
    expect(await retireTokenTtl('3600', stage)).toMatchObject({ ttlSeconds: 3600 });
    expect(await retireTokenTtl('3600', unreadable)).toMatchObject({ ttlSeconds: 3600, note: expect.stringMatching(/could not be read/) });
    await expect(retireTokenTtl(undefined, unreadable)).rejects.toThrow(/give --template <packaged template> or --token-ttl-seconds/);
    await expect(retireTokenTtl('15m', stage)).rejects.toThrow(/--token-ttl-seconds must be a positive whole number/);
  });

  describe('the command', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rotate-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const keys = join(dir, 'jwt-keys.json');
    const packaged = join(dir, 'template.json');
    // Promoted 20 minutes ago: within a 15-minute lifetime's wait (900 s + 300 s key cache + 300 s authorizer cache).
    const promotedAt = new Date(Date.now() - 20 * 60_000);
    const set = promoteNextKey(prepareNextKey(newKeySet(promotedAt), promotedAt), promotedAt);
    writeFileSync(keys, JSON.stringify(set));
    writeFileSync(packaged, JSON.stringify(template('900', '900', 'local'))); // a key file is the local stage's
    const TSX = resolve(import.meta.dirname, '../../../node_modules/.bin/tsx');
    const SCRIPT = resolve(import.meta.dirname, 'rotate-jwt-keys.ts');
    const run = (...args: string[]) =>
      new Promise<{ code: number; stderr: string }>((done) => {
        execFile(TSX, [SCRIPT, 'retire', '--source', `file:${keys}`, ...args], { cwd: dir }, (error, _stdout, stderr) =>
          done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
        );
      });

    it('refuses a malformed --token-ttl-seconds with a clear message, a non-zero exit and the keys untouched', async () => {
      const result = await run('--token-ttl-seconds', '15m', '--template', packaged);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('--token-ttl-seconds must be a positive whole number of seconds, got "15m"');
      expect(JSON.parse(readFileSync(keys, 'utf8'))).toEqual(set);
    });

    it("waits out the stage's lifetime from its template, and needs one (the local stage's .serverless/ by default)", async () => {
      const early = await run('--template', packaged);
      expect(early.code).toBe(1);
      expect(early.stderr).toMatch(/still verifies unexpired tokens; retire 1500 s after promote/);
      const noTemplate = await run();
      expect(noTemplate.code).toBe(1);
      expect(noTemplate.stderr).toMatch(/no template at \.serverless\/cloudformation-template-update-stack\.json.*give --template/);
      expect(JSON.parse(readFileSync(keys, 'utf8'))).toEqual(set);

      const longAgo = new Date(Date.now() - 26 * 60_000);
      writeFileSync(keys, JSON.stringify(promoteNextKey(prepareNextKey(newKeySet(longAgo), longAgo), longAgo)));
      expect((await run('--template', packaged)).code).toBe(0);
      expect(JSON.parse(readFileSync(keys, 'utf8')).previous).toEqual([]);
    }, 30_000);
  });
});
