import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newKeySet, prepareNextKey, publicJwks } from '../auth/key-set.js';
import { FileKeyStore } from './file-key-store.js';
import { cachedLoader, parseKeySource, signingKeysLoader } from './key-sources.js';

const dir = mkdtempSync(join(tmpdir(), 'users-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseKeySource', () => {
  it('reads file: and ssm: sources', () => {
    expect(parseKeySource('file:.local/keys/jwt-keys.json')).toEqual({
      kind: 'file',
      path: '.local/keys/jwt-keys.json',
    });
    expect(parseKeySource('ssm:/ecommerce/dev/jwt/signing-keys')).toEqual({
      kind: 'ssm',
      name: '/ecommerce/dev/jwt/signing-keys',
    });
  });

  it.each(['', 'keys.json', 'http://example.com/jwks', 'ssm:no-leading-slash', 'ssm:/with space'])('refuses %j', (spec) => {
    expect(() => parseKeySource(spec)).toThrow();
  });
});

describe('FileKeyStore', () => {
  it('creates the key set once, even when many workers ask at the same time, in a private file', async () => {
    const path = join(dir, 'nested', 'jwt-keys.json');
    // Separate stores each creating their own key set model separate workers racing for the file.
    const racers = Array.from({ length: 6 }, () => new FileKeyStore(path).create(newKeySet()));
    const sets = [
      ...(await Promise.all(racers)),
      ...(await Promise.all(Array.from({ length: 6 }, () => new FileKeyStore(path).loadOrCreate()))),
    ];
    expect(new Set(sets.map((s) => s.current.kid)).size).toBe(1);
    expect(JSON.parse(readFileSync(path, 'utf8')).current.kid).toBe(sets[0]?.current.kid);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(dir, 'nested')).sort()).toEqual(['jwt-keys.json', 'jwt-keys.public.jwks']); // no temporary files left
  }, 30_000);

  it('generates one key set per process when asked concurrently', async () => {
    const path = join(dir, 'same-process.json');
    const sets = await Promise.all(Array.from({ length: 8 }, () => new FileKeyStore(path).loadOrCreate()));
    expect(new Set(sets.map((s) => s.current.kid)).size).toBe(1);
  }, 30_000);

  it('keeps an existing key set and replaces it atomically on rotation', async () => {
    const path = join(dir, 'rotate.json');
    const store = new FileKeyStore(path);
    const first = await store.loadOrCreate();
    expect((await store.create(newKeySet())).current.kid).toBe(first.current.kid);
    const prepared = prepareNextKey(first);
    await store.replace(prepared);
    expect((await store.read())?.next?.kid).toBe(prepared.next?.kid);
  });

  it('writes the public JWKS beside the key set (what the local stage deploys), without private parts', async () => {
    const path = join(dir, 'loaders.json');
    const set = await signingKeysLoader(`file:${path}`)();
    const store = new FileKeyStore(path);
    const jwks = JSON.parse(readFileSync(store.publicPath, 'utf8')) as unknown;
    expect(jwks).toEqual(publicJwks(set));
    expect(JSON.stringify(jwks)).not.toContain('PRIVATE');
    const prepared = prepareNextKey(set);
    await store.replace(prepared);
    expect(JSON.parse(readFileSync(store.publicPath, 'utf8'))).toEqual(publicJwks(prepared));
  });

  it('writes a missing public JWKS for a key set made before it existed', async () => {
    const path = join(dir, 'older.json');
    const store = new FileKeyStore(path);
    const set = await store.loadOrCreate();
    rmSync(store.publicPath);
    await store.loadOrCreate();
    expect(JSON.parse(readFileSync(store.publicPath, 'utf8'))).toEqual(publicJwks(set));
  });
});

describe('cachedLoader', () => {
  it('loads once per TTL, shares a load in flight, and keeps the last good value when a refresh fails', async () => {
    let clock = 0;
    let calls = 0;
    let fail = false;
    const load = cachedLoader(
      async () => {
        calls++;
        if (fail) throw new Error('SSM is down');
        return { version: calls };
      },
      1000,
      () => clock,
    );
    const [a, b] = await Promise.all([load(), load()]);
    expect(a).toBe(b);
    expect(calls).toBe(1);
    clock = 500;
    expect(await load()).toEqual({ version: 1 });
    clock = 1500;
    expect(await load()).toEqual({ version: 2 });
    fail = true;
    clock = 3000;
    expect(await load()).toEqual({ version: 2 });
  });

  it('fails when the first load fails (no keys at all is an error, not an empty set)', async () => {
    const load = cachedLoader(async () => {
      throw new Error('missing');
    }, 1000);
    await expect(load()).rejects.toThrow('missing');
  });
});
