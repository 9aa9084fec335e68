import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import {
  Argon2PasswordHasher,
  OWASP_ARGON2ID_PARAMS,
  argon2id,
  formatArgon2Hash,
  parseArgon2Hash,
  parseScryptHash,
  scryptMaxmem,
} from './password-hasher.js';

const hasher = new Argon2PasswordHasher();
// A cheap setting, for the tests that are about the format and not about the cost.
const cheap = new Argon2PasswordHasher({
  ...OWASP_ARGON2ID_PARAMS,
  memoryCost: 1024,
  timeCost: 1,
});

/**
 * A legacy hash as the scrypt hasher stored it before Argon2id, made here with node:crypto directly
 * (not with the code under test): `$scrypt$ln=<log2 N>,r=8,p=1$<16-byte salt>$<32-byte key>`.
 */
function legacyScryptHash(password: string, log2N: number): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFKC'), salt, 32, {
    N: 2 ** log2N,
    r: 8,
    p: 1,
    maxmem: scryptMaxmem({ log2N, r: 8, p: 1 }),
  });
  const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=${log2N},r=8,p=1$${b64(salt)}$${b64(key)}`;
}

describe('Argon2PasswordHasher at the OWASP setting', () => {
  it('uses Argon2id with m=19 MiB, t=2, p=1, a 16-byte salt and a 32-byte hash', () => {
    expect(OWASP_ARGON2ID_PARAMS).toEqual({
      memoryCost: 19_456,
      timeCost: 2,
      parallelism: 1,
      hashLength: 32,
      saltLength: 16,
    });
  });

  it('makes a PHC string carrying its parameters (reference order m,t,p), salt and hash, and never the password', async () => {
    const stored = await hasher.hash('correct horse battery');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(stored).not.toContain('correct horse battery');
    const parsed = parseArgon2Hash(stored);
    expect(parsed?.params).toEqual(OWASP_ARGON2ID_PARAMS);
    expect(parsed?.salt).toHaveLength(16);
    expect(parsed?.hash).toHaveLength(32);
    expect(hasher.needsRehash(stored)).toBe(false);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hasher.hash('correct horse battery');
    expect(await hasher.verify('correct horse battery', stored)).toBe(true);
    expect(await hasher.verify('correct horse batterY', stored)).toBe(false);
    expect(await hasher.verify('', stored)).toBe(false);
  });

  it('computes real Argon2id: the reference implementation test vector (password/somesalt, m=64 MiB, t=2, p=1)', async () => {
    // phc-winner-argon2 src/test.c, Argon2id v=19.
    const vector = '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc';
    expect(await hasher.verify('password', vector)).toBe(true);
    expect(await hasher.verify('passwore', vector)).toBe(false);
    // Other parameters than the current ones: upgraded at the next log-in.
    expect(hasher.needsRehash(vector)).toBe(true);
    const parsed = parseArgon2Hash(vector);
    expect(parsed && formatArgon2Hash(parsed.params, parsed.salt, parsed.hash)).toBe(vector);
  });
});

describe('Argon2PasswordHasher (format and rules)', () => {
  it('salts: the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([cheap.hash('same password'), cheap.hash('same password')]);
    expect(a).not.toBe(b);
    expect(await cheap.verify('same password', a)).toBe(true);
    expect(await cheap.verify('same password', b)).toBe(true);
  });

  it('normalises Unicode (NFKC), so a composed and a decomposed é are the same password', async () => {
    const stored = await cheap.hash('caf\u00e9 au lait');
    expect(await cheap.verify('cafe\u0301 au lait', stored)).toBe(true);
  });

  it('verifies hashes made with weaker parameters (they carry their own), and says they need a rehash', async () => {
    const weaker = await cheap.hash('an older password');
    expect(weaker).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(await hasher.verify('an older password', weaker)).toBe(true);
    expect(hasher.needsRehash(weaker)).toBe(true);
    const shorterSalt = new Argon2PasswordHasher({
      ...OWASP_ARGON2ID_PARAMS,
      memoryCost: 1024,
      timeCost: 1,
      saltLength: 8,
    });
    expect(cheap.needsRehash(await shorterSalt.hash('x'))).toBe(true);
  });

  it('reads the parameters in either order (node-argon2 itself writes m,p,t)', async () => {
    const stored = await cheap.hash('either order');
    const mpt = stored.replace('m=1024,t=1,p=1', 'm=1024,p=1,t=1');
    expect(parseArgon2Hash(mpt)?.params).toEqual(parseArgon2Hash(stored)?.params);
    expect(await cheap.verify('either order', mpt)).toBe(true);
    expect(cheap.needsRehash(mpt)).toBe(false);
  });

  // A well-formed record (the control below) and variants of it that are each wrong in one way.
  const salt = 'c29tZXNhbHRzb21lc2FsdA'; // 16 bytes
  const key = 'aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g'; // 32 bytes
  const argon2 = (head: string) => `${head}$${salt}$${key}`;

  it('reads the well-formed record the malformed cases below are made from', () => {
    expect(parseArgon2Hash(argon2('$argon2id$v=19$m=19456,t=2,p=1'))?.params).toEqual(OWASP_ARGON2ID_PARAMS);
  });

  it.each([
    ['empty', ''],
    ['argon2i', argon2('$argon2i$v=19$m=19456,t=2,p=1')],
    ['version 0x10', argon2('$argon2id$v=16$m=19456,t=2,p=1')],
    ['no version', argon2('$argon2id$m=19456,t=2,p=1')],
    ['memory beyond the bound (4 GiB)', argon2('$argon2id$v=19$m=4194304,t=2,p=1')],
    ['passes beyond the bound', argon2('$argon2id$v=19$m=19456,t=99,p=1')],
    ['lanes beyond the bound', argon2('$argon2id$v=19$m=19456,t=2,p=64')],
    ['less than 8 KiB per lane', argon2('$argon2id$v=19$m=16,t=2,p=4')],
    ['a zero', argon2('$argon2id$v=19$m=19456,t=0,p=1')],
    ['a parameter twice', argon2('$argon2id$v=19$m=19456,m=8,t=2,p=1')],
    ['a parameter missing', argon2('$argon2id$v=19$m=19456,t=2')],
    ['associated data', argon2('$argon2id$v=19$m=19456,t=2,p=1,data=YWQ')],
    ['a cut-off hash', `$argon2id$v=19$m=19456,t=2,p=1$${salt}`],
    ['scrypt N beyond the bound', `$scrypt$ln=30,r=8,p=1$${'A'.repeat(22)}$${'A'.repeat(43)}`],
    ['scrypt r beyond the bound', `$scrypt$ln=10,r=99,p=1$${'A'.repeat(22)}$${'A'.repeat(43)}`],
    ['a cut-off scrypt hash', '$scrypt$ln=10,r=8,p=1$AAAA'],
  ])('refuses a malformed stored hash (%s) without throwing, and says it needs a rehash', async (_case, stored) => {
    expect(parseArgon2Hash(stored)).toBeUndefined();
    expect(await cheap.verify('whatever', stored)).toBe(false);
    expect(cheap.needsRehash(stored)).toBe(true);
  });
});

describe('Argon2PasswordHasher.verifyWithoutHash (the unknown-email path of a log-in)', () => {
  /** A hasher at the current (OWASP) setting whose Argon2id computations are recorded, each still run for real. */
  function spiedHasher() {
    const computeArgon2id = vi.fn(argon2id);
    return { computeArgon2id, spied: new Argon2PasswordHasher(OWASP_ARGON2ID_PARAMS, computeArgon2id) };
  }
  const costOf = (params: object) => {
    const { memoryCost, timeCost, parallelism, hashLength } = params as typeof OWASP_ARGON2ID_PARAMS;
    return { memoryCost, timeCost, parallelism, hashLength };
  };
  const { saltLength, ...currentCost } = OWASP_ARGON2ID_PARAMS;

  it('runs exactly one real Argon2id at the current parameters, the same one verify of a current hash runs, and fails', async () => {
    const { computeArgon2id, spied } = spiedHasher();
    const stored = await spied.hash('correct horse battery');
    computeArgon2id.mockClear();
    // control: what a log-in to a known account spends
    expect(await spied.verify('correct horse battery', stored)).toBe(true);
    expect(computeArgon2id).toHaveBeenCalledTimes(1);
    const verifyCost = costOf(computeArgon2id.mock.calls[0]?.[2] as object);
    expect(verifyCost).toEqual(currentCost);
    computeArgon2id.mockClear();

    expect(await spied.verifyWithoutHash('a password for nobody')).toBe(false);
    expect(computeArgon2id).toHaveBeenCalledTimes(1);
    const [password, salt, params] = computeArgon2id.mock.calls[0] as Parameters<typeof argon2id>;
    expect(password).toBe('a password for nobody');
    expect(salt).toHaveLength(saltLength);
    expect(costOf(params)).toEqual(verifyCost);
    // the computation was not short-cut: the addon produced a full-length key
    await expect(computeArgon2id.mock.results[0]?.value).resolves.toHaveLength(currentCost.hashLength);
  });

  it('a fresh random salt each time (nothing to precompute or cache)', async () => {
    const { computeArgon2id, spied } = spiedHasher();
    await spied.verifyWithoutHash('same');
    await spied.verifyWithoutHash('same');
    expect(computeArgon2id).toHaveBeenCalledTimes(2);
    const [first, second] = computeArgon2id.mock.calls.map(([, salt]) => salt.toString('hex'));
    expect(first).not.toBe(second);
  });

  it('verify of an unreadable stored hash spends the same one Argon2id at the current parameters', async () => {
    const { computeArgon2id, spied } = spiedHasher();
    expect(await spied.verify('whatever', '$argon2id$v=19$m=19456,t=2')).toBe(false);
    expect(computeArgon2id).toHaveBeenCalledTimes(1);
    expect(costOf(computeArgon2id.mock.calls[0]?.[2] as object)).toEqual(currentCost);
  });
});

describe('Argon2PasswordHasher with legacy scrypt hashes', () => {
  it('verifies a scrypt hash and says it needs a rehash (to Argon2id)', async () => {
    const legacy = legacyScryptHash('an old password', 10);
    expect(parseScryptHash(legacy)?.params).toEqual({
      log2N: 10,
      r: 8,
      p: 1,
      keyLength: 32,
      saltLength: 16,
    });
    expect(await hasher.verify('an old password', legacy)).toBe(true);
    expect(await hasher.verify('an old passworD', legacy)).toBe(false);
    expect(await hasher.verify('cafe\u0301', legacyScryptHash('caf\u00e9', 10))).toBe(true);
    expect(hasher.needsRehash(legacy)).toBe(true);
  });

  // One scrypt at N=2^17 costs ~0.6 s of CPU (and 128 MiB); on a busy 2-core CI machine it needs room.
  it('verifies a hash at the setting production stored (N=2^17, r=8, p=1: 256 MiB maxmem)', { timeout: 60_000 }, async () => {
    expect(scryptMaxmem({ log2N: 17, r: 8, p: 1 })).toBe(256 * 1024 * 1024);
    const legacy = legacyScryptHash('correct horse battery', 17);
    expect(legacy).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.verify('correct horse battery', legacy)).toBe(true);
    expect(hasher.needsRehash(legacy)).toBe(true);
  });

  it('upgrades on log-in: the rehash of a verified scrypt password is a current Argon2id hash', async () => {
    const legacy = legacyScryptHash('moving on', 10);
    expect(await hasher.verify('moving on', legacy)).toBe(true);
    const upgraded = await hasher.hash('moving on');
    expect(hasher.needsRehash(upgraded)).toBe(false);
    expect(await hasher.verify('moving on', upgraded)).toBe(true);
  });
});
