// Builds JWTs for the negative-token suites with node:crypto only (no code from the system under test).
import { createHmac, createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const b64url = (value: object | string | Buffer) =>
  (Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8')).toString('base64url');

export function decodePart<T = any>(token: string, index: 0 | 1): T {
  return JSON.parse(Buffer.from(token.split('.')[index] as string, 'base64url').toString('utf8')) as T;
}

export function rs256(header: object, payload: object, key: KeyObject, hash = 'sha256'): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${b64url(sign(hash, Buffer.from(input), key))}`;
}

export function hs256(header: object, payload: object, secret: string | Buffer): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function unsigned(header: object, payload: object): string {
  return `${b64url(header)}.${b64url(payload)}.`;
}

export function freshRsaKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

/** The local stage's key file (made by the stack on first use): only for suites inside describeLocal. */
export const LOCAL_KEY_FILE = resolve(import.meta.dirname, '..', '..', '.local', 'keys', 'jwt-keys.json');

export function localSigningKey(): { kid: string; key: KeyObject } {
  const set = JSON.parse(readFileSync(LOCAL_KEY_FILE, 'utf8')) as { current: { kid: string; privateKeyPem: string } };
  return { kid: set.current.kid, key: createPrivateKey(set.current.privateKeyPem) };
}

/** The claims of a real token (so iss/aud are the stage's), re-timed to be valid now, with overrides. */
export function claimsLike(token: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { ...decodePart(token, 1), iat: now, nbf: now, exp: now + 600, jti: randomUUID(), ...overrides };
}
