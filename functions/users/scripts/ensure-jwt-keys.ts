/**
 * Creates the JWT signing keys for a stage if they do not exist (run before every deploy; it is
 * idempotent and never replaces existing keys). On AWS / LocalStack the key set goes into an SSM
 * SecureString and its public JWKS into a String parameter beside it; it never appears in the
 * template, the repository or the output (only key ids are printed).
 *
 *   npx tsx functions/users/scripts/ensure-jwt-keys.ts --stage dev --region eu-west-1
 *   AWS_ENDPOINT_URL_SSM=http://localhost:4566 npx tsx functions/users/scripts/ensure-jwt-keys.ts --stage localstack --region us-east-1
 *   npx tsx functions/users/scripts/ensure-jwt-keys.ts --source file:.local/keys/jwt-keys.json
 * With --print-jwks the public JWKS (public keys only) is printed on stdout, the message on stderr:
 * what a deploy passes as `--param jwtPublicJwks=...` when it should not read SSM itself.
 */
import { pathToFileURL } from 'node:url';
import { newKeySet, publicJwks, type JwtKeySet } from '../auth/key-set.js';
import type { KeySetStore } from '../adapters/key-sources.js';
import { SsmKeyStore } from '../adapters/ssm-key-store.js';
import { parseTargetArgs, storeFromOptions } from './key-store-target.js';

export const describeKeys = (set: JwtKeySet) =>
  `current ${set.current.kid}${set.next ? `, next ${set.next.kid}` : ''}${set.previous.length ? `, previous ${set.previous.map((p) => p.kid).join(' ')}` : ''}`;

/** Creates the key set if missing, and (SSM) makes sure the public parameter matches it. */
export async function ensureKeys(store: KeySetStore, modulusLength?: number): Promise<{ created: boolean; set: JwtKeySet }> {
  const existing = await store.read();
  if (!existing) {
    const set = await store.create(newKeySet(new Date(), modulusLength));
    return { created: true, set };
  }
  if (store instanceof SsmKeyStore) {
    const published = await store.readPublic().catch(() => undefined);
    if (JSON.stringify(published) !== JSON.stringify(publicJwks(existing))) await store.syncPublic(existing);
  }
  return { created: false, set: existing };
}

async function main() {
  const { values } = parseTargetArgs(process.argv.slice(2), {
    'modulus-length': { type: 'string' },
    'print-jwks': { type: 'boolean' },
  } as const);
  const store = storeFromOptions(values);
  const modulusLength = values['modulus-length'] ? Number(values['modulus-length']) : undefined;
  const { created, set } = await ensureKeys(store, modulusLength);
  console.error(`${created ? 'Created' : 'Kept existing'} JWT keys in ${store.describe()}: ${describeKeys(set)}`);
  if (values['print-jwks']) console.log(JSON.stringify(publicJwks(set)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    // The message only: an SDK error can carry the request, and the request can carry the key.
    console.error(`ensure-jwt-keys failed: ${(error as Error).name}: ${(error as Error).message}`);
    process.exit(1);
  });
}
