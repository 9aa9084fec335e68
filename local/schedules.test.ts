import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ScheduleSpec } from './cloudformation.js';
import { rateMs, startSchedules } from './schedules.js';
import type { InvokeResult } from './sqs-poller.js';

const schedule = (overrides: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  logicalId: 'SweepSchedule',
  expression: 'rate(1 minute)',
  enabled: true,
  targets: [{ functionName: 'ecommerce-local-sweepPendingOrders', input: {} }],
  ...overrides,
});

describe('rateMs', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(2 hours)', 7_200_000],
    ['rate(1 day)', 86_400_000],
  ])('%s is %d ms', (expression, ms) => expect(rateMs(expression)).toBe(ms));

  it.each(['rate(1 minutes)', 'rate(2 minute)', 'rate(0 minutes)', 'cron(0 12 * * ? *)', 'rate(1 second)'])('refuses %s', (expression) =>
    expect(rateMs(expression)).toBeUndefined(),
  );
});

describe('startSchedules', () => {
  afterEach(() => vi.useRealTimers());

  it('invokes each target with its input once per period, and stops', () => {
    vi.useFakeTimers();
    const calls: Array<[string, unknown]> = [];
    const invoke = async (name: string, input: unknown): Promise<InvokeResult> => {
      calls.push([name, input]);
      return { ok: true, payload: null };
    };
    const running = startSchedules([schedule(), schedule({ logicalId: 'Off', enabled: false })], invoke, () => undefined);
    vi.advanceTimersByTime(59_999);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual([['ecommerce-local-sweepPendingOrders', {}]]);
    vi.advanceTimersByTime(120_000);
    expect(calls).toHaveLength(3);
    running.stop();
    vi.advanceTimersByTime(600_000);
    expect(calls).toHaveLength(3);
  });

  it('says so when it cannot fire a schedule (cron), rather than ignore it', () => {
    const lines: string[] = [];
    startSchedules(
      [schedule({ expression: 'cron(0 12 * * ? *)' })],
      async () => ({ ok: true, payload: null }),
      (line) => lines.push(line),
    ).stop();
    expect(lines).toEqual(['Schedule SweepSchedule (cron(0 12 * * ? *)) is not fired locally: only rate(...) expressions are.']);
  });
});
