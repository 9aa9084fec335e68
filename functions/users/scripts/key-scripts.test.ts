import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GetParameterCommand, ParameterAlreadyExists, ParameterNotFound, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { newKeySet, prepareNextKey, promoteNextKey, publicJwks } from '../auth/key-set.js';
import { SsmKeyStore } from '../adapters/ssm-key-store.js';
import { ensureKeys } from './ensure-jwt-keys.js';
import { publicKeysParameterName, signingKeysParameterName } from './key-store-target.js';
import { rotationStep } from './rotate-jwt-keys.js';

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

  it('refuses unknown steps', () => {
    expect(() => rotationStep('delete-everything', base, at('2026-01-01T00:00:00Z'))).toThrow(/unknown step/);
  });
});
