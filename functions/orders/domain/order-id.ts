/**
 * Order ids: ULID-shaped (26 Crockford base32 characters), built with node:crypto only.
 * The first 10 characters are the creation time in milliseconds, so ids sort by time (newest-first
 * listing is a reverse key order); the last 16 carry 80 random bits, so ids are not guessable.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const MAX_TIME = 2 ** 48 - 1;

export const ORDER_ID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export function newOrderId(nowMs: number = Date.now(), random: Uint8Array = randomBytes(10)): string {
  if (!Number.isInteger(nowMs) || nowMs < 0 || nowMs > MAX_TIME) throw new RangeError(`time ${nowMs} cannot be encoded`);
  if (random.length !== 10) throw new RangeError('an order id needs 10 random bytes');
  let time = '';
  let t = nowMs;
  for (let i = 0; i < TIME_CHARS; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let bits = 0n;
  for (const byte of random) bits = (bits << 8n) | BigInt(byte);
  let rest = '';
  for (let i = 0; i < RANDOM_CHARS; i++) {
    rest = ALPHABET[Number(bits & 31n)] + rest;
    bits >>= 5n;
  }
  return time + rest;
}

/** The creation time encoded in an order id (ms since the epoch). */
export function orderIdTime(orderId: string): number {
  let t = 0;
  for (const char of orderId.slice(0, TIME_CHARS)) t = t * 32 + ALPHABET.indexOf(char);
  return t;
}

/** A small, stable number derived from the id's random part (spreads pending orders over index shards). */
export function orderIdShard(orderId: string, shards: number): number {
  return ALPHABET.indexOf(orderId.charAt(orderId.length - 1)) % shards;
}
