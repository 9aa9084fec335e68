import { describe, expect, it } from 'vitest';
import { oneAtATimePer } from './one-at-a-time.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('oneAtATimePer', () => {
  it('runs one key’s work one after another and other keys’ side by side', async () => {
    const run = oneAtATimePer<string>();
    const inFlight = new Map<string, number>();
    let mostPerKey = 0;
    let mostOverall = 0;
    const work = (key: string) => async () => {
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      mostPerKey = Math.max(mostPerKey, inFlight.get(key) as number);
      mostOverall = Math.max(
        mostOverall,
        [...inFlight.values()].reduce((a, b) => a + b, 0),
      );
      await tick();
      inFlight.set(key, (inFlight.get(key) as number) - 1);
      return key;
    };
    const results = await Promise.all(['a', 'b', 'a', 'b', 'a', 'c'].map((key) => run(key, work(key))));
    expect(results).toEqual(['a', 'b', 'a', 'b', 'a', 'c']);
    expect(mostPerKey).toBe(1);
    expect(mostOverall).toBe(3);
  });

  it('goes on with a key’s queue after a failure, and the failure reaches its own caller only', async () => {
    const run = oneAtATimePer<string>();
    const order: string[] = [];
    const failed = run('a', async () => {
      order.push('first');
      throw new Error('boom');
    });
    const second = run('a', async () => {
      order.push('second');
      return 2;
    });
    await expect(failed).rejects.toThrow('boom');
    await expect(second).resolves.toBe(2);
    expect(order).toEqual(['first', 'second']);
  });
});
