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
 * `retire` waits out the stage's own access-token lifetime (JWT_TTL_SECONDS of its token-issuing functions):
 * on AWS and LocalStack read from the deployed log-in and refresh functions, locally from the local stage's
 * compiled template (.serverless/, what `npm start` packaged), or from a packaged template given with
 * --template. `--token-ttl-seconds N` (a positive whole number) raises it, or stands in when the stage
 * cannot be read.
 *
 *   npx tsx functions/users/scripts/rotate-jwt-keys.ts prepare --stage dev --region eu-west-1
 *   npx serverless deploy --stage dev --region eu-west-1
 *   npx tsx functions/users/scripts/rotate-jwt-keys.ts promote --stage dev --region eu-west-1 --api-url https://<api>/dev
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
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
  /** prepare: the next key's size in bits (default 2048). */
  modulusLength?: number;
}

/** A positive whole number (digits only: `15m`, `1e3`, `-5`, `900.5` are refused), or an error naming the option. */
function positiveWholeNumber(option: string, text: string, unit: string): number {
  const value = /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw new Error(`${option} must be a positive whole number of ${unit}, got "${text}"`);
  return value;
}

export const positiveSeconds = (option: string, text: string) => positiveWholeNumber(option, text, 'seconds');

/** The functions that issue access tokens: the lifetime they sign into `exp` is what a retired key's tokens live. */
const TOKEN_ISSUERS = ['login', 'refreshToken'];

/**
 * The access-token lifetime of a stage's compiled template (`serverless package`): the largest JWT_TTL_SECONDS
 * of its token-issuing functions. `functionPrefix` (`<service>-<stage>-`) makes sure it is the stage meant.
 */
export function tokenTtlOfTemplate(template: unknown, functionPrefix: string): number {
  const resources = Object.values(
    (template as { Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }> })?.Resources ?? {},
  );
  const ttls = resources
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .map((resource) => resource.Properties ?? {})
    .filter((props) => TOKEN_ISSUERS.some((name) => props.FunctionName === `${functionPrefix}${name}`))
    .map((props) => {
      const value = (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.JWT_TTL_SECONDS;
      return positiveSeconds(`JWT_TTL_SECONDS of ${String(props.FunctionName)}`, String(value));
    });
  if (ttls.length === 0) throw new Error(`the template has no function named ${functionPrefix}login or ${functionPrefix}refreshToken`);
  return Math.max(...ttls);
}

/** The access-token lifetime the deployed stage's log-in and refresh functions issue (their JWT_TTL_SECONDS). */
export async function deployedTokenTtl(lambda: Pick<LambdaClient, 'send'>, functionPrefix: string): Promise<number> {
  const ttls = await Promise.all(
    TOKEN_ISSUERS.map(async (name) => {
      const FunctionName = `${functionPrefix}${name}`;
      const { Environment } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName }));
      return positiveSeconds(`JWT_TTL_SECONDS of ${FunctionName}`, String(Environment?.Variables?.JWT_TTL_SECONDS));
    }),
  );
  return Math.max(...ttls);
}

/**
 * The lifetime `retire` waits out: the stage's, or the one given, whichever is longer; the one given alone when the
 * stage cannot be read (the operator vouches for it); neither: an error saying what to do.
 */
export async function retireTokenTtl(
  given: string | undefined,
  fromStage: () => Promise<number>,
): Promise<{ ttlSeconds: number; note?: string }> {
  const option = given === undefined ? undefined : positiveSeconds('--token-ttl-seconds', given);
  let stage: number;
  try {
    stage = await fromStage();
  } catch (error) {
    if (option === undefined) {
      throw new Error(
        `cannot read the stage's token lifetime (${(error as Error).message}): give --template <packaged template> or --token-ttl-seconds <seconds>`,
      );
    }
    return {
      ttlSeconds: option,
      note: `the stage's token lifetime could not be read (${(error as Error).message}); using --token-ttl-seconds ${option}`,
    };
  }
  if (option === undefined || option === stage) return { ttlSeconds: stage };
  const ttlSeconds = Math.max(option, stage);
  return { ttlSeconds, note: `the stage issues tokens for ${stage} s, --token-ttl-seconds says ${option}: waiting out ${ttlSeconds} s` };
}

/** The step's new key set, or an error saying why it is too early. */
export function rotationStep(step: string, set: JwtKeySet, timing: RotationTiming): JwtKeySet {
  const ageSeconds = (iso: string) => (timing.now.getTime() - Date.parse(iso)) / 1000;
  switch (step) {
    case 'prepare':
      return prepareNextKey(set, timing.now, timing.modulusLength);
    case 'promote': {
      // Every verifier must trust the next key before it signs anything: it was deployed with it.
      if (set.next && !timing.force && !timing.deployedKids?.includes(set.next.kid)) {
        throw new Error(
          `the deployed stage does not publish the next key ${set.next.kid} yet: deploy after prepare, then promote with --api-url <base URL> (or --force)`,
        );
      }
      return promoteNextKey(set, timing.now, timing.force);
    }
    case 'retire': {
      // Tokens the previous key signed must have expired, including any cached authorizer decision.
      if (!Number.isSafeInteger(timing.tokenTtlSeconds) || timing.tokenTtlSeconds <= 0) {
        throw new Error(`the token lifetime must be a positive whole number of seconds, got ${timing.tokenTtlSeconds}`);
      }
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
      'token-ttl-seconds': { type: 'string' },
      template: { type: 'string' },
      'api-url': { type: 'string' },
      'modulus-length': { type: 'string' },
    },
    true,
  );
  const step = positionals[0] ?? 'status';
  // A malformed lifetime is refused before anything is read or changed.
  if (values['token-ttl-seconds'] !== undefined) positiveSeconds('--token-ttl-seconds', values['token-ttl-seconds']);
  const store = storeFromOptions(values);
  const set = await store.read();
  if (!set) throw new Error(`no keys in ${store.describe()}: run ensure-jwt-keys.ts first`);
  if (step === 'status') {
    console.log(`${store.describe()}: ${describeKeys(set)}`);
    console.log(`  current created ${set.current.createdAt}${set.next ? `; next created ${set.next.createdAt}` : ''}`);
    for (const p of set.previous) console.log(`  previous ${p.kid} retired ${p.retiredAt}`);
    return;
  }
  let tokenTtlSeconds = 0; // read for retire only
  if (step === 'retire') {
    const { ttlSeconds, note } = await retireTokenTtl(values['token-ttl-seconds'], () => stageTokenTtl(values));
    if (note) console.error(`note: ${note}`);
    tokenTtlSeconds = ttlSeconds;
  }
  const next = rotationStep(step, set, {
    tokenTtlSeconds,
    now: new Date(),
    force: values.force === true,
    ...(step === 'promote' && values['api-url'] ? { deployedKids: await deployedKids(values['api-url']) } : {}),
    ...(values['modulus-length'] ? { modulusLength: positiveWholeNumber('--modulus-length', values['modulus-length'], 'bits') } : {}),
  });
  await store.replace(next);
  console.log(`${step}: ${store.describe()} now has ${describeKeys(next)}`);
  if (step !== 'promote') console.log('Deploy the stage now, so its verifiers trust exactly these public keys.');
}

/** The stage's token lifetime: a packaged template (--template, or the local stage's .serverless/), else the deployed functions. */
async function stageTokenTtl(values: {
  stage?: string;
  region?: string;
  service?: string;
  source?: string;
  template?: string;
  'endpoint-url'?: string;
}): Promise<number> {
  const service = values.service ?? 'ecommerce';
  const stage = values.source ? 'local' : (values.stage as string);
  const prefix = `${service}-${stage}-`;
  const templatePath = values.template ?? (values.source ? '.serverless/cloudformation-template-update-stack.json' : undefined);
  if (templatePath) {
    let text: string;
    try {
      text = readFileSync(templatePath, 'utf8');
    } catch (error) {
      throw new Error(
        `no template at ${templatePath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): package the stage first`,
      );
    }
    return tokenTtlOfTemplate(JSON.parse(text), prefix);
  }
  const lambda = new LambdaClient({
    ...(values.region ? { region: values.region } : {}),
    ...(values['endpoint-url'] ? { endpoint: values['endpoint-url'] } : {}),
  });
  return deployedTokenTtl(lambda, prefix);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(`rotate-jwt-keys failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
