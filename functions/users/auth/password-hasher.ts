/**
 * Password hashing with node:crypto scrypt at the OWASP-recommended cost (N=2^17, r=8, p=1: 128 MiB
 * and ~0.5 s of one core per hash). Hashes are PHC strings that carry their own parameters,
 * `$scrypt$ln=17,r=8,p=1$<salt>$<hash>` (base64, no padding), so the cost can be raised later:
 * `needsRehash` tells a successful login to re-hash with the current setting.
 * No AWS imports: this is the users context's own domain service.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  log2N: number;
  r: number;
  p: number;
  keyLength: number;
  saltLength: number;
}

/** OWASP Password Storage Cheat Sheet: scrypt N=2^17 (128 MiB), r=8 (1024-byte block), p=1. */
export const OWASP_SCRYPT_PARAMS: ScryptParams = { log2N: 17, r: 8, p: 1, keyLength: 32, saltLength: 16 };

// Bounds for what a stored hash may ask for: a corrupt or hostile record must not make us allocate gigabytes.
const MAX_LOG2N = 20;
const MAX_R = 32;
const MAX_P = 16;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** True when `password` matches `stored`; false for a mismatch or a malformed stored hash. */
  verify(password: string, stored: string): Promise<boolean>;
  /** Costs what `verify` costs and always fails: run it when there is no user, so timing tells nothing. */
  verifyWithoutHash(password: string): Promise<false>;
  /** True when `stored` was made with other parameters than the current ones. */
  needsRehash(stored: string): boolean;
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,88})\$([A-Za-z0-9+/]{22,172})$/;

export function parseScryptHash(stored: string): ParsedHash | undefined {
  const match = PHC.exec(stored);
  if (!match) return undefined;
  const [, ln, r, p, salt, hash] = match as unknown as [string, string, string, string, string, string];
  const params = { log2N: Number(ln), r: Number(r), p: Number(p) };
  if (params.log2N < 1 || params.log2N > MAX_LOG2N || params.r < 1 || params.r > MAX_R || params.p < 1 || params.p > MAX_P) return undefined;
  const saltBytes = Buffer.from(salt, 'base64');
  const hashBytes = Buffer.from(hash, 'base64');
  return { params: { ...params, keyLength: hashBytes.length, saltLength: saltBytes.length }, salt: saltBytes, hash: hashBytes };
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

/** Memory scrypt needs (128*N*r*p plus slack), passed as maxmem: 256 MiB at the OWASP setting. */
export function scryptMaxmem(params: Pick<ScryptParams, 'log2N' | 'r' | 'p'>): number {
  return 2 * 128 * 2 ** params.log2N * params.r * params.p;
}

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** params.log2N, r: params.r, p: params.p, maxmem: scryptMaxmem(params) };
  return new Promise((resolve, reject) => {
    scryptCallback(normalizePassword(password), salt, params.keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** NIST SP 800-63B 5.1.1.2: normalise Unicode so the same password typed on another device matches. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

export class ScryptPasswordHasher implements PasswordHasher {
  constructor(readonly params: ScryptParams = OWASP_SCRYPT_PARAMS) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(this.params.saltLength);
    const key = await scrypt(password, salt, this.params);
    return `$scrypt$ln=${this.params.log2N},r=${this.params.r},p=${this.params.p}$${b64(salt)}$${b64(key)}`;
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const parsed = parseScryptHash(stored);
    if (!parsed) {
      await this.verifyWithoutHash(password);
      return false;
    }
    const key = await scrypt(password, parsed.salt, parsed.params);
    return key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
  }

  async verifyWithoutHash(password: string): Promise<false> {
    const key = await scrypt(password, randomBytes(this.params.saltLength), this.params);
    // Compare against a buffer of the same length so this path does the same work as verify.
    timingSafeEqual(key, Buffer.alloc(key.length));
    return false;
  }

  needsRehash(stored: string): boolean {
    const parsed = parseScryptHash(stored);
    if (!parsed) return true;
    const { log2N, r, p, keyLength, saltLength } = parsed.params;
    return (
      log2N !== this.params.log2N ||
      r !== this.params.r ||
      p !== this.params.p ||
      keyLength !== this.params.keyLength ||
      saltLength !== this.params.saltLength
    );
  }
}
