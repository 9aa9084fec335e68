/**
 * The local stage's key store: the key set as a JSON file in a git-ignored folder, created on first
 * use. Creation is atomic (a complete temporary file is hard-linked into place, which fails if the
 * file exists), so concurrent workers agree on one key set and never read a half-written file.
 * Like the SSM store's public parameter, the public JWKS is kept beside it (`publicPath`): that is
 * what the local stage deploys to its verifiers (serverless.yml params.local.jwtPublicJwks).
 */
import { chmod, link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { newKeySet, parseKeySet, publicJwks, type JwtKeySet } from '../auth/key-set.js';
import type { KeySetStore } from './key-sources.js';

export class FileKeyStore implements KeySetStore {
  readonly path: string;
  readonly publicPath: string;

  /** `path` is relative to the working directory (the repo root under serverless-offline). */
  constructor(path: string) {
    this.path = resolve(path);
    this.publicPath = `${this.path.replace(/\.json$/, '')}.public.jwks`;
  }

  describe(): string {
    return `file ${this.path}`;
  }

  async read(): Promise<JwtKeySet | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return parseKeySet(JSON.parse(text));
  }

  /** The key set, made (once, whoever comes first) when the file does not exist yet. */
  async loadOrCreate(): Promise<JwtKeySet> {
    const existing = await this.read();
    if (existing) {
      // Key sets made before the public file existed get it now.
      await readFile(this.publicPath).catch(() => this.writePublic(existing));
      return existing;
    }
    // One generation per process; other processes (workers) race through create(), and one wins.
    let creating = FileKeyStore.creating.get(this.path);
    if (!creating) {
      creating = this.create(newKeySet()).finally(() => FileKeyStore.creating.delete(this.path));
      FileKeyStore.creating.set(this.path, creating);
    }
    return creating;
  }

  private static readonly creating = new Map<string, Promise<JwtKeySet>>();

  /** Writes `set` unless a key set exists; returns whichever is stored afterwards. */
  async create(set: JwtKeySet): Promise<JwtKeySet> {
    const temporary = await this.writeTemporary(set);
    try {
      await link(temporary, this.path);
      await this.writePublic(set);
      return set;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return (await this.read()) as JwtKeySet;
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
  }

  /** Replaces the key set atomically (rotation). */
  async replace(set: JwtKeySet): Promise<void> {
    const temporary = await this.writeTemporary(set);
    await rename(temporary, this.path);
    await this.writePublic(set);
  }

  private async writePublic(set: JwtKeySet): Promise<void> {
    const temporary = `${this.publicPath}.${randomUUID()}.tmp`;
    await writeFile(temporary, JSON.stringify(publicJwks(set)), {
      flag: 'wx',
      mode: 0o644,
    });
    await rename(temporary, this.publicPath);
  }

  private async writeTemporary(set: JwtKeySet): Promise<string> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${randomUUID()}.tmp`;
    await writeFile(temporary, `${JSON.stringify(set, null, 2)}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
    await chmod(temporary, 0o600);
    return temporary;
  }
}
