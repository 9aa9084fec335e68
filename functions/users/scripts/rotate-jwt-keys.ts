/**
 * Rotates the JWT signing keys of a stage in three steps (see functions/users/README.md):
 *   status   show the key ids and ages
 *   prepare  add a next key: published in the JWKS, not signing yet
 *   promote  the next key signs; the current one stays published as previous
 *   retire   stop publishing previous keys (tokens they signed stop working)
 * The verifiers (authorizer, in-function checks, the JWKS route) get the public keys at deploy time,
 * so `prepare` and `retire` are each followed by a deploy, and `promote` checks that the deployed stage
 * already publishes the next key (--api-url: its JWKS route). Steps refuse to run too early (so no valid
 * token is cut off and every verifier knows the new key) unless --force is given, which is for
 * emergencies (a leaked key).
 *
 *   npx tsx functions/users/scripts/rotate-jwt-keys.ts prepare --stage dev --region eu-west-1
 *   npx serverless deploy --stage dev --region eu-west-1
 *   npx tsx functions/users/scripts/rotate-jwt-keys.ts promote --stage dev --region eu-west-1 --api-url https://<api>/dev
 */
import { pathToFileURL } from 'node:url';
import { prepareNextKey, promoteNextKey, retirePreviousKeys, type JwtKeySet } from '../auth/key-set.js';
import { DEFAULT_KEY_CACHE_MS } from '../adapters/key-sources.js';
import { describeKeys } from './ensure-jwt-keys.js';
import { parseTargetArgs, storeFromOptions } from './key-store-target.js';

/** How long a log-in instance may keep signing with the key it loaded (adapters/key-sources.ts). */
const KEY_CACHE_SECONDS = DEFAULT_KEY_CACHE_MS / 1000;
/** custom.authorizer.resultTtlInSeconds in serverless.yml. */
const AUTHORIZER_CACHE_SECONDS = 300;

export interface RotationTiming {
  tokenTtlSeconds: number;
  now: Date;
  force: boolean;
  /** promote: the key ids the deployed stage publishes (its JWKS route), i.e. what its verifiers trust. */
  deployedKids?: readonly string[];
}

/** The step's new key set, or an error saying why it is too early. */
export function rotationStep(step: string, set: JwtKeySet, timing: RotationTiming): JwtKeySet {
  const ageSeconds = (iso: string) => (timing.now.getTime() - Date.parse(iso)) / 1000;
  switch (step) {
    case 'prepare':
      return prepareNextKey(set, timing.now);
    case 'promote': {
      // Every verifier must trust the next key before it signs anything: it was deployed with it.
      if (set.next && !timing.force && !timing.deployedKids?.includes(set.next.kid)) {
        throw new Error(
          `the deployed stage does not publish the next key ${set.next.kid} yet: deploy after prepare, then promote with --api-url <base URL> (or --force)`,
        );
      }
      return promoteNextKey(set, timing.now);
    }
    case 'retire': {
      // Tokens the previous key signed must have expired, including any cached authorizer decision.
      const wait = timing.tokenTtlSeconds + KEY_CACHE_SECONDS + AUTHORIZER_CACHE_SECONDS;
      const young = set.previous.filter((p) => ageSeconds(p.retiredAt) < wait);
      if (young.length > 0 && !timing.force) {
        throw new Error(`previous key ${young[0]?.kid} still verifies unexpired tokens; retire ${wait} s after promote (or --force)`);
      }
      return retirePreviousKeys(set);
    }
    default:
      throw new Error(`unknown step "${step}": use status, prepare, promote or retire`);
  }
}

/** The key ids a deployed stage's JWKS route publishes: the keys its verifiers were deployed with. */
async function deployedKids(apiUrl: string): Promise<string[]> {
  const response = await fetch(`${apiUrl.replace(/\/$/, '')}/.well-known/jwks.json`, { signal: AbortSignal.timeout(15_000) });
  if (!response.ok) throw new Error(`GET ${apiUrl}/.well-known/jwks.json answered ${response.status}`);
  return ((await response.json()) as { keys: Array<{ kid: string }> }).keys.map((key) => key.kid);
}

async function main() {
  const { values, positionals } = parseTargetArgs(
    process.argv.slice(2),
    {
      force: { type: 'boolean', default: false },
      'token-ttl-seconds': { type: 'string', default: '3600' },
      'api-url': { type: 'string' },
    },
    true,
  );
  const step = positionals[0] ?? 'status';
  const store = storeFromOptions(values);
  const set = await store.read();
  if (!set) throw new Error(`no keys in ${store.describe()}: run ensure-jwt-keys.ts first`);
  if (step === 'status') {
    console.log(`${store.describe()}: ${describeKeys(set)}`);
    console.log(`  current created ${set.current.createdAt}${set.next ? `; next created ${set.next.createdAt}` : ''}`);
    for (const p of set.previous) console.log(`  previous ${p.kid} retired ${p.retiredAt}`);
    return;
  }
  const next = rotationStep(step, set, {
    tokenTtlSeconds: Number(values['token-ttl-seconds']),
    now: new Date(),
    force: values.force === true,
    ...(step === 'promote' && values['api-url'] ? { deployedKids: await deployedKids(values['api-url']) } : {}),
  });
  await store.replace(next);
  console.log(`${step}: ${store.describe()} now has ${describeKeys(next)}`);
  if (step !== 'promote') console.log('Deploy the stage now, so its verifiers trust exactly these public keys.');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(`rotate-jwt-keys failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
