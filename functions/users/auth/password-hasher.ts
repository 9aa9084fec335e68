/**
 * Password hashing with Argon2id at OWASP's recommended cost (m=19 MiB, t=2, p=1: tens of ms of one
 * core per hash), through the `argon2` native addon. Hashes are PHC strings that carry their own
 * parameters, `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` (base64, no padding), so the cost can be
 * changed later: `needsRehash` tells a successful log-in to re-hash with the current setting.
 *
 * The string is written here, in the reference implementation's order (m, t, p) that libsodium and
 * other verifiers expect; node-argon2's own encoder writes m, p, t. Either order is read.
 *
 * Hashes made before by scrypt (`$scrypt$ln=17,r=8,p=1$<salt>$<hash>`, node:crypto) still verify, and
 * always need a rehash, so each user moves to Argon2id at their next successful log-in. Until then a
 * log-in to such an account costs one scrypt (~0.5 s), not one Argon2id: slower than an unknown email.
 *
 * The addon is loaded on first use, not at import: only sign-up and log-in hash, and only their packages
 * carry the addon (custom.argon2RuntimeFiles), so a bundle that merely imports this module still starts.
 * No AWS imports: this is the users context's own domain service.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** True when `password` matches `stored`; false for a mismatch or a malformed stored hash. */
  verify(password: string, stored: string): Promise<boolean>;
  /** Costs what `verify` costs and always fails: run it when there is no user, so timing tells nothing. */
  verifyWithoutHash(password: string): Promise<false>;
  /** True when `stored` was made with other parameters than the current ones (or by another scheme). */
  needsRehash(stored: string): boolean;
}

/** NIST SP 800-63B 5.1.1.2: normalise Unicode so the same password typed on another device matches. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

// ---------------------------------------------------------------------------------------------
// Argon2id (current)

export interface Argon2Params {
  /** Memory in KiB (the PHC `m`). */
  memoryCost: number;
  /** Passes over the memory (`t`). */
  timeCost: number;
  /** Lanes (`p`). */
  parallelism: number;
  hashLength: number;
  saltLength: number;
}

/** OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB (19456 KiB), t=2, p=1; 16-byte salt, 32-byte hash. */
export const OWASP_ARGON2ID_PARAMS: Argon2Params = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  hashLength: 32,
  saltLength: 16,
};

/** Argon2 version 1.3 (0x13), the only one we make or accept. */
const ARGON2_VERSION = 19;

// Bounds for what a stored hash may ask for: a corrupt or hostile record must not make us allocate gigabytes.
const MAX_MEMORY_KIB = 256 * 1024;
const MAX_TIME_COST = 16;
const MAX_PARALLELISM = 16;

interface ParsedArgon2Hash {
  params: Argon2Params;
  salt: Buffer;
  hash: Buffer;
}

// Salt 8..64 bytes, hash 16..64 bytes (as unpadded base64). The parameters are checked one by one below.
const ARGON2_PHC = /^\$argon2id\$v=(\d{1,3})\$([a-z0-9=,]{1,40})\$([A-Za-z0-9+/]{11,86})\$([A-Za-z0-9+/]{22,86})$/;

/**
 * Parses `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>`. The reference implementation
 * writes m,t,p in this order; node-argon2's own encoder writes m,p,t, so either order is read (each
 * exactly once, nothing else).
 */
export function parseArgon2Hash(stored: string): ParsedArgon2Hash | undefined {
  const match = ARGON2_PHC.exec(stored);
  if (!match) return undefined;
  const [, version, paramList, salt, hash] = match as unknown as [string, string, string, string, string];
  if (Number(version) !== ARGON2_VERSION) return undefined;
  const values = new Map<string, number>();
  for (const pair of paramList.split(',')) {
    const param = /^([mtp])=([1-9]\d{0,6})$/.exec(pair);
    if (!param || values.has(param[1] as string)) return undefined;
    values.set(param[1] as string, Number(param[2]));
  }
  const memoryCost = values.get('m');
  const timeCost = values.get('t');
  const parallelism = values.get('p');
  if (memoryCost === undefined || timeCost === undefined || parallelism === undefined) return undefined;
  // Argon2 needs at least 8 KiB per lane.
  if (parallelism > MAX_PARALLELISM || timeCost > MAX_TIME_COST || memoryCost > MAX_MEMORY_KIB || memoryCost < 8 * parallelism)
    return undefined;
  const saltBytes = Buffer.from(salt, 'base64');
  const hashBytes = Buffer.from(hash, 'base64');
  if (saltBytes.length < 8 || hashBytes.length < 16) return undefined;
  return {
    params: {
      memoryCost,
      timeCost,
      parallelism,
      hashLength: hashBytes.length,
      saltLength: saltBytes.length,
    },
    salt: saltBytes,
    hash: hashBytes,
  };
}

/** Formats an Argon2id PHC string, parameters in the reference order (m, t, p). */
export function formatArgon2Hash(
  params: Pick<Argon2Params, 'memoryCost' | 'timeCost' | 'parallelism'>,
  salt: Buffer,
  hash: Buffer,
): string {
  return `$argon2id$v=${ARGON2_VERSION}$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$${b64(salt)}$${b64(hash)}`;
}

type Argon2Module = typeof import('argon2');
let argon2Module: Promise<Argon2Module> | undefined;

/** The native addon, loaded once, on first use (see the top of this file); a failed load is tried again next time. */
function loadArgon2(): Promise<Argon2Module> {
  argon2Module ??= import('argon2').catch((error: unknown) => {
    argon2Module = undefined;
    throw error;
  });
  return argon2Module;
}

/** One raw Argon2id computation: the costly step every hash, verify and verifyWithoutHash runs once. */
export type Argon2idFunction = (password: string, salt: Buffer, params: Omit<Argon2Params, 'saltLength'>) => Promise<Buffer>;

/** Argon2id through the native addon (NFKC-normalised password, version 0x13, raw bytes). */
export async function argon2id(password: string, salt: Buffer, params: Omit<Argon2Params, 'saltLength'>): Promise<Buffer> {
  const { hash, argon2id: type } = await loadArgon2();
  return hash(normalizePassword(password), {
    raw: true,
    type,
    version: ARGON2_VERSION,
    salt,
    memoryCost: params.memoryCost,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
    hashLength: params.hashLength,
  });
}

// ---------------------------------------------------------------------------------------------
// scrypt (legacy: verified, never made)

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  log2N: number;
  r: number;
  p: number;
  keyLength: number;
  saltLength: number;
}

const MAX_LOG2N = 20;
const MAX_R = 32;
const MAX_P = 16;

interface ParsedScryptHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

const SCRYPT_PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,88})\$([A-Za-z0-9+/]{22,172})$/;

/** Parses a legacy `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>` (what this service stored before Argon2id). */
export function parseScryptHash(stored: string): ParsedScryptHash | undefined {
  const match = SCRYPT_PHC.exec(stored);
  if (!match) return undefined;
  const [, ln, r, p, salt, hash] = match as unknown as [string, string, string, string, string, string];
  const params = { log2N: Number(ln), r: Number(r), p: Number(p) };
  if (params.log2N < 1 || params.log2N > MAX_LOG2N || params.r < 1 || params.r > MAX_R || params.p < 1 || params.p > MAX_P)
    return undefined;
  const saltBytes = Buffer.from(salt, 'base64');
  const hashBytes = Buffer.from(hash, 'base64');
  return {
    params: {
      ...params,
      keyLength: hashBytes.length,
      saltLength: saltBytes.length,
    },
    salt: saltBytes,
    hash: hashBytes,
  };
}

/** Memory scrypt needs (128*N*r*p plus slack), passed as maxmem: 256 MiB for the N=2^17, r=8 hashes stored before. */
export function scryptMaxmem(params: Pick<ScryptParams, 'log2N' | 'r' | 'p'>): number {
  return 2 * 128 * 2 ** params.log2N * params.r * params.p;
}

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** params.log2N,
    r: params.r,
    p: params.p,
    maxmem: scryptMaxmem(params),
  };
  return new Promise((resolve, reject) => {
    scryptCallback(normalizePassword(password), salt, params.keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

// ---------------------------------------------------------------------------------------------

const sameBytes = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

/** Makes Argon2id hashes; verifies Argon2id and legacy scrypt hashes. */
export class Argon2PasswordHasher implements PasswordHasher {
  /** `computeArgon2id` is replaceable so a test can count the Argon2id computations each path runs. */
  constructor(
    readonly params: Argon2Params = OWASP_ARGON2ID_PARAMS,
    private readonly computeArgon2id: Argon2idFunction = argon2id,
  ) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(this.params.saltLength);
    return formatArgon2Hash(this.params, salt, await this.computeArgon2id(password, salt, this.params));
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const argon2 = parseArgon2Hash(stored);
    if (argon2) return sameBytes(await this.computeArgon2id(password, argon2.salt, argon2.params), argon2.hash);
    const legacy = parseScryptHash(stored);
    if (legacy) return sameBytes(await scrypt(password, legacy.salt, legacy.params), legacy.hash);
    await this.verifyWithoutHash(password);
    return false;
  }

  async verifyWithoutHash(password: string): Promise<false> {
    const key = await this.computeArgon2id(password, randomBytes(this.params.saltLength), this.params);
    // Compare against a buffer of the same length so this path does the same work as verify.
    timingSafeEqual(key, Buffer.alloc(key.length));
    return false;
  }

  needsRehash(stored: string): boolean {
    const parsed = parseArgon2Hash(stored);
    if (!parsed) return true; // scrypt, or not a hash we can read
    const { memoryCost, timeCost, parallelism, hashLength, saltLength } = parsed.params;
    return (
      memoryCost !== this.params.memoryCost ||
      timeCost !== this.params.timeCost ||
      parallelism !== this.params.parallelism ||
      hashLength !== this.params.hashLength ||
      saltLength !== this.params.saltLength
    );
  }
}
