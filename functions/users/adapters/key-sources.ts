/**
 * Where the log-in function gets the JWT signing keys from, chosen by configuration (serverless.yml params):
 *   file:<path>  the local stage: a git-ignored JSON key set, created on first use
 *   ssm:<name>   AWS / LocalStack: an SSM SecureString parameter
 * (Verifiers get the public keys at deploy time, in JWT_PUBLIC_JWKS: functions/shared/auth/jwks.ts.)
 * Loaders cache what they read for a while (rotation reaches every instance within that time) and keep
 * serving the last good keys if a refresh fails, so an SSM hiccup does not log everyone out.
 */
import { parseKeySet, type JwtKeySet } from '../auth/key-set.js';
import { logger } from '../../shared/observability.js';
import { FileKeyStore } from './file-key-store.js';
import { GetParameterCommand, ParameterNotFound, SsmParameterClient } from './ssm-parameter-client.js';

/** What the key scripts work with: the file store and the SSM store. */
export interface KeySetStore {
  describe(): string;
  read(): Promise<JwtKeySet | undefined>;
  /** Stores `set` unless one exists; returns the stored one. */
  create(set: JwtKeySet): Promise<JwtKeySet>;
  replace(set: JwtKeySet): Promise<void>;
}

export type KeySource = { kind: 'file'; path: string } | { kind: 'ssm'; name: string };

export class KeysUnavailableError extends Error {
  override name = 'KeysUnavailableError';
}

export function parseKeySource(spec: string): KeySource {
  const match = /^(file|ssm):(.+)$/.exec(spec.trim());
  if (!match) throw new Error(`JWT key source must be file:<path> or ssm:<parameter name>, got "${spec}"`);
  const [, kind, value] = match as unknown as [string, 'file' | 'ssm', string];
  if (kind === 'ssm' && !/^\/[A-Za-z0-9_.\-/]+$/.test(value)) throw new Error(`not an SSM parameter name: "${value}"`);
  return kind === 'file' ? { kind, path: value } : { kind, name: value };
}

export const DEFAULT_KEY_CACHE_MS = 5 * 60_000;
const RETRY_AFTER_FAILURE_MS = 10_000;

/** Caches `load` for `ttlMs`; concurrent callers share one load; a failed refresh keeps the old value. */
export function cachedLoader<T>(load: () => Promise<T>, ttlMs: number, nowMs: () => number = Date.now): () => Promise<T> {
  let value: T | undefined;
  let freshUntil = 0;
  let loading: Promise<T> | undefined;
  return () => {
    if (value !== undefined && nowMs() < freshUntil) return Promise.resolve(value);
    loading ??= load()
      .then(
        (loaded) => {
          value = loaded;
          freshUntil = nowMs() + ttlMs;
          return loaded;
        },
        (error: unknown) => {
          if (value === undefined) throw error;
          logger.warn('JWT key refresh failed; using the keys loaded before', {
            error: (error as Error).name,
          });
          freshUntil = nowMs() + RETRY_AFTER_FAILURE_MS;
          return value;
        },
      )
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
}

let ssmClient: SsmParameterClient | undefined;
const ssm = () => (ssmClient ??= new SsmParameterClient());

async function readParameter(name: string, withDecryption: boolean): Promise<string> {
  try {
    const { Parameter } = await ssm().send(new GetParameterCommand({ Name: name, WithDecryption: withDecryption }));
    if (typeof Parameter?.Value !== 'string') throw new KeysUnavailableError(`SSM parameter ${name} has no value`);
    return Parameter.Value;
  } catch (error) {
    if (error instanceof ParameterNotFound) {
      throw new KeysUnavailableError(`SSM parameter ${name} does not exist: run functions/users/scripts/ensure-jwt-keys.ts for this stage`);
    }
    throw error;
  }
}

/** The signing key set (private keys): for the log-in function only. */
export function signingKeysLoader(spec: string, ttlMs = DEFAULT_KEY_CACHE_MS): () => Promise<JwtKeySet> {
  const source = parseKeySource(spec);
  const load =
    source.kind === 'file'
      ? () => new FileKeyStore(source.path).loadOrCreate()
      : async () => parseKeySet(JSON.parse(await readParameter(source.name, true)));
  return cachedLoader(load, ttlMs);
}
