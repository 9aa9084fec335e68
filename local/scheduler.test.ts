import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScheduleSpec } from './cloudformation.js';
import { LocalScheduler } from './scheduler.js';
import type { InvokeResult } from './sqs-poller.js';

const MINUTE = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const rule = (overrides: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  logicalId: 'SweepRule',
  service: 'events',
  name: 'SweepRule',
  expression: 'rate(1 minute)',
  timezone: 'UTC',
  enabled: true,
  targets: [{ id: 'sweep', functionName: 'shop-test-sweep' }],
  ...overrides,
});

/** Records each invocation; `pending` makes them hang until released. */
function fakeInvoker(result: InvokeResult = { ok: true, payload: null }) {
  const calls: Array<{ functionName: string; event: any }> = [];
  let release: (() => void) | undefined;
  let pending = false;
  const invoke = async (functionName: string, event: unknown): Promise<InvokeResult> => {
    calls.push({ functionName, event });
    if (pending) await new Promise<void>((resolve) => (release = resolve));
    return result;
  };
  return {
    calls,
    invoke,
    hold: () => (pending = true),
    release: () => {
      pending = false;
      release?.();
    },
  };
}

function scheduler(schedules: ScheduleSpec[], invoke: ReturnType<typeof fakeInvoker>['invoke'], log = vi.fn()) {
  return new LocalScheduler({ schedules, invoke, region: 'eu-west-1', accountId: '123456789012', log });
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2024-06-01T10:00:00.250Z')); // a Saturday
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LocalScheduler', () => {
  it('sends EventBridge scheduled events to a rule target without Input, one per fire, re-armed from the clock', async () => {
    const invoker = fakeInvoker();
    const s = scheduler([rule()], invoker.invoke);
    s.start();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(MINUTE - 1);
    expect(invoker.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(invoker.calls).toEqual([
      {
        functionName: 'shop-test-sweep',
        event: {
          version: '0',
          id: expect.stringMatching(UUID),
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          account: '123456789012',
          time: '2024-06-01T10:01:00Z',
          region: 'eu-west-1',
          resources: ['arn:aws:events:eu-west-1:123456789012:rule/SweepRule'],
          detail: {},
        },
      },
    ]);
    await vi.advanceTimersByTimeAsync(2 * MINUTE);
    expect(invoker.calls.map((c) => c.event.time)).toEqual(['2024-06-01T10:01:00Z', '2024-06-01T10:02:00Z', '2024-06-01T10:03:00Z']);
    expect(new Set(invoker.calls.map((c) => c.event.id)).size).toBe(3);
    expect(vi.getTimerCount()).toBe(1);
    await s.stop();
  });

  it("passes a rule target's Input as its event, and every target of one fire the same event id", async () => {
    const invoker = fakeInvoker();
    const s = scheduler(
      [
        rule({
          targets: [
            { id: 'a', functionName: 'fn-a', input: '{"mode":"sweep","limit":10}' },
            { id: 'b', functionName: 'fn-b' },
            { id: 'c', functionName: 'fn-c' },
          ],
        }),
      ],
      invoker.invoke,
    );
    s.start();
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(invoker.calls.find((c) => c.functionName === 'fn-a')?.event).toEqual({ mode: 'sweep', limit: 10 });
    const [b, c] = ['fn-b', 'fn-c'].map((name) => invoker.calls.find((call) => call.functionName === name)?.event);
    expect(b.id).toMatch(UUID);
    expect(c.id).toBe(b.id);
    await s.stop();
  });

  it("sends Scheduler's default notification without Input, and fills its context attributes into an Input", async () => {
    const invoker = fakeInvoker();
    const schedule = (input?: string): ScheduleSpec => ({
      logicalId: input ? 'WithInput' : 'Bare',
      service: 'scheduler',
      name: input ? 'with-input' : 'bare',
      groupName: 'reports',
      expression: 'cron(0 12 ? * MON-FRI *)',
      timezone: 'UTC',
      enabled: true,
      targets: [{ id: 'Target', functionName: input ? 'fn-input' : 'fn-bare', ...(input ? { input } : {}) }],
    });
    const s = scheduler(
      [
        schedule(),
        schedule('{"at":"<aws.scheduler.scheduled-time>","by":"<aws.scheduler.schedule-arn>","try":"<aws.scheduler.attempt-number>"}'),
      ],
      invoker.invoke,
    );
    s.start();
    await vi.advanceTimersByTimeAsync(new Date('2024-06-03T11:59:59Z').getTime() - Date.now());
    expect(invoker.calls).toHaveLength(0); // Saturday, Sunday, Monday morning: nothing
    await vi.advanceTimersByTimeAsync(1000);
    const arn = (name: string) => `arn:aws:scheduler:eu-west-1:123456789012:schedule/reports/${name}`;
    expect(invoker.calls.find((c) => c.functionName === 'fn-bare')?.event).toEqual({
      version: '0',
      id: expect.stringMatching(UUID),
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
      account: '123456789012',
      time: '2024-06-03T12:00:00Z',
      region: 'eu-west-1',
      resources: [arn('bare')],
      detail: '{}',
    });
    expect(invoker.calls.find((c) => c.functionName === 'fn-input')?.event).toEqual({
      at: '2024-06-03T12:00:00Z',
      by: arn('with-input'),
      try: '1',
    });
    await s.stop();
  });

  it('skips a fire while the previous one still runs, with a log line, and never sets a second timer', async () => {
    const invoker = fakeInvoker();
    const log = vi.fn();
    const s = scheduler([rule()], invoker.invoke, log);
    invoker.hold();
    s.start();
    await vi.advanceTimersByTimeAsync(2 * MINUTE);
    expect(invoker.calls).toHaveLength(1);
    expect(log).toHaveBeenCalledWith('SweepRule: skipped the 2024-06-01T10:02:00Z fire, the previous one is still running');
    expect(vi.getTimerCount()).toBe(1);
    invoker.release();
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(invoker.calls.map((c) => c.event.time)).toEqual(['2024-06-01T10:01:00Z', '2024-06-01T10:03:00Z']);
    await s.stop();
  });

  it('logs a failed or throwing invocation and keeps firing', async () => {
    const log = vi.fn();
    const failing = fakeInvoker({ ok: false, error: 'Task timed out' });
    const s = scheduler([rule()], failing.invoke, log);
    s.start();
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(log).toHaveBeenCalledWith('SweepRule: shop-test-sweep failed: Task timed out');
    await s.stop();

    const throwing = scheduler([rule()], () => Promise.reject(new Error('connection refused')), log);
    throwing.start();
    await vi.advanceTimersByTimeAsync(2 * MINUTE);
    expect(log).toHaveBeenCalledWith('SweepRule: could not invoke shop-test-sweep: connection refused');
    expect(log.mock.calls.filter(([line]) => String(line).includes('connection refused'))).toHaveLength(2);
    await throwing.stop();
  });

  it('stop() clears the timers and waits for invocations in flight', async () => {
    const invoker = fakeInvoker();
    const s = scheduler([rule()], invoker.invoke);
    invoker.hold();
    s.start();
    await vi.advanceTimersByTimeAsync(MINUTE);
    let stopped = false;
    const stopping = s.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(stopped).toBe(false);
    invoker.release();
    await stopping;
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(10 * MINUTE);
    expect(invoker.calls).toHaveLength(1);
  });

  it('waits longer than a Node timer can (about 24.8 days) in steps, without firing early', async () => {
    const invoker = fakeInvoker();
    const s = scheduler([rule({ expression: 'cron(0 0 1 1 ? 2025)' })], invoker.invoke);
    s.start();
    await vi.advanceTimersByTimeAsync(100 * 24 * 60 * MINUTE);
    expect(invoker.calls).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(new Date('2025-01-01T00:00:00Z').getTime() - Date.now());
    expect(invoker.calls.map((c) => c.event.time)).toEqual(['2025-01-01T00:00:00Z']);
    expect(vi.getTimerCount()).toBe(0); // the year list is exhausted
    await s.stop();
  });

  it('fires an at() schedule once; sets no timer for a disabled schedule', async () => {
    const invoker = fakeInvoker();
    const once: ScheduleSpec = { ...rule({ logicalId: 'Once', service: 'scheduler', expression: 'at(2024-06-01T10:30:00)' }) };
    const s = scheduler([once, rule({ logicalId: 'Off', enabled: false })], invoker.invoke);
    s.start();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(24 * 60 * MINUTE);
    expect(invoker.calls.map((c) => c.event.time)).toEqual(['2024-06-01T10:30:00Z']);
    expect(vi.getTimerCount()).toBe(0);
    await s.stop();
  });

  it('refuses a bad expression at construction, naming the schedule', () => {
    const { invoke } = fakeInvoker();
    expect(() => scheduler([rule({ expression: 'rate(1 minutes)' })], invoke)).toThrow(/SweepRule: .*rate\(1 minutes\)/);
    expect(() => scheduler([rule({ expression: 'at(2030-01-01T00:00:00)' })], invoke)).toThrow(
      /SweepRule: rules take rate\(\) or cron\(\)/,
    );
  });
});
