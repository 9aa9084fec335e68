import { describe, expect, it } from 'vitest';
import { OWASP_SCRYPT_PARAMS, ScryptPasswordHasher, parseScryptHash, scryptMaxmem } from './password-hasher.js';

const hasher = new ScryptPasswordHasher();
// A cheap setting, for the tests that are about the format and not about the cost.
const cheap = new ScryptPasswordHasher({ ...OWASP_SCRYPT_PARAMS, log2N: 10 });

// Each scrypt at N=2^17 costs ~0.6 s of CPU; on a busy 2-core CI machine a few of them need room.
describe('ScryptPasswordHasher at the OWASP setting', { timeout: 60_000 }, () => {
  it('uses N=2^17, r=8, p=1 with a 256 MiB memory cap', () => {
    expect(OWASP_SCRYPT_PARAMS).toMatchObject({ log2N: 17, r: 8, p: 1 });
    expect(scryptMaxmem(OWASP_SCRYPT_PARAMS)).toBe(256 * 1024 * 1024);
  });

  it('makes a PHC string carrying its parameters, salt and hash, and never the password', async () => {
    const stored = await hasher.hash('correct horse battery');
    expect(stored).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(stored).not.toContain('correct horse battery');
    const parsed = parseScryptHash(stored);
    expect(parsed?.params).toEqual(OWASP_SCRYPT_PARAMS);
    expect(parsed?.salt).toHaveLength(16);
    expect(parsed?.hash).toHaveLength(32);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hasher.hash('correct horse battery');
    expect(await hasher.verify('correct horse battery', stored)).toBe(true);
    expect(await hasher.verify('correct horse batterY', stored)).toBe(false);
    expect(await hasher.verify('', stored)).toBe(false);
  });
});

describe('ScryptPasswordHasher (format and rules)', () => {
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

  it('verifies hashes made with other parameters (they carry their own), and says they need a rehash', async () => {
    const old = await cheap.hash('an older password');
    expect(await hasher.verify('an older password', old)).toBe(true);
    expect(hasher.needsRehash(old)).toBe(true);
    expect(hasher.needsRehash(await hasher.hash('current'))).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['another scheme', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA'],
    ['N beyond the bound', `$scrypt$ln=30,r=8,p=1$${'A'.repeat(22)}$${'A'.repeat(43)}`],
    ['r beyond the bound', `$scrypt$ln=10,r=99,p=1$${'A'.repeat(22)}$${'A'.repeat(43)}`],
    ['a cut-off hash', '$scrypt$ln=10,r=8,p=1$AAAA'],
  ])('refuses a malformed stored hash (%s) without throwing', async (_case, stored) => {
    expect(parseScryptHash(stored)).toBeUndefined();
    expect(await cheap.verify('whatever', stored)).toBe(false);
    expect(cheap.needsRehash(stored)).toBe(true);
  });

  it('verifyWithoutHash always fails (it only spends the same time)', async () => {
    expect(await cheap.verifyWithoutHash('anything')).toBe(false);
  });
});
