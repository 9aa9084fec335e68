import { describe, expect, it } from 'vitest';
import { ORDER_ID_PATTERN, newOrderId, orderIdShard, orderIdTime } from './order-id.js';

describe('order ids', () => {
  it('are 26 Crockford base32 characters', () => {
    for (let i = 0; i < 200; i++) expect(newOrderId()).toMatch(ORDER_ID_PATTERN);
  });

  it('encode their creation time and sort by it', () => {
    const t = Date.UTC(2026, 2, 1, 10, 0, 0, 123);
    expect(orderIdTime(newOrderId(t))).toBe(t);
    const ids = [t, t + 1, t + 1000, t + 86_400_000].map((ms) => newOrderId(ms));
    expect([...ids].sort()).toEqual(ids);
    expect(newOrderId(t + 1, new Uint8Array(10)) > newOrderId(t, new Uint8Array(10).fill(255))).toBe(true);
  });

  it('are unique and carry 80 random bits', () => {
    const t = Date.now();
    const ids = new Set(Array.from({ length: 10_000 }, () => newOrderId(t)));
    expect(ids.size).toBe(10_000);
    expect(newOrderId(0, new Uint8Array(10).fill(255))).toBe('0000000000ZZZZZZZZZZZZZZZZ');
    expect(newOrderId(0, new Uint8Array(10))).toBe('00000000000000000000000000');
  });

  it('refuse a time they cannot encode', () => {
    expect(() => newOrderId(-1)).toThrow(RangeError);
    expect(() => newOrderId(2 ** 48)).toThrow(RangeError);
    expect(() => newOrderId(1, new Uint8Array(9))).toThrow(RangeError);
  });

  it('spread over shards', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[orderIdShard(newOrderId(), 4)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(700);
  });
});
