import { describe, expect, it } from 'vitest';
import { parseScheduleExpression } from './schedule-expression.js';

/** The next fire time after `after` (ISO), for expressions that do not depend on when counting began. */
function next(expression: string, after: string, timezone?: string): string | undefined {
  return parseScheduleExpression(expression, timezone).next(new Date(after), new Date(after))?.toISOString();
}

describe('rate()', () => {
  const start = new Date('2024-06-03T10:00:00Z');
  const at = (expression: string, after: string) => parseScheduleExpression(expression).next(new Date(after), start)?.toISOString();

  it('fires at start + k * interval, strictly after the given time', () => {
    expect(at('rate(5 minutes)', '2024-06-03T10:00:00Z')).toBe('2024-06-03T10:05:00.000Z');
    expect(at('rate(5 minutes)', '2024-06-03T10:12:30Z')).toBe('2024-06-03T10:15:00.000Z');
    expect(at('rate(5 minutes)', '2024-06-03T10:15:00Z')).toBe('2024-06-03T10:20:00.000Z');
    expect(at('rate(1 minute)', '2024-06-03T09:00:00Z')).toBe('2024-06-03T10:01:00.000Z');
    expect(at('rate(2 hours)', '2024-06-03T11:59:59Z')).toBe('2024-06-03T12:00:00.000Z');
    expect(at('rate(1 day)', '2024-06-03T10:00:01Z')).toBe('2024-06-04T10:00:00.000Z');
  });

  it('accepts seconds (a local-only extension) under the same singular/plural rule', () => {
    expect(at('rate(10 seconds)', '2024-06-03T10:00:25Z')).toBe('2024-06-03T10:00:30.000Z');
    expect(at('rate(1 second)', '2024-06-03T10:00:00Z')).toBe('2024-06-03T10:00:01.000Z');
  });

  it('refuses what AWS refuses: wrong number for the unit, zero, other units, fractions', () => {
    for (const bad of [
      'rate(1 minutes)',
      'rate(5 minute)',
      'rate(1 days)',
      'rate(0 minutes)',
      'rate(2 weeks)',
      'rate(1.5 hours)',
      'rate(5)',
    ]) {
      expect(() => parseScheduleExpression(bad), bad).toThrow(bad);
    }
    expect(() => parseScheduleExpression('rate(1 hours)')).toThrow(/use 1 hour/);
  });
});

describe('cron() (AWS syntax, UTC unless a zone is given)', () => {
  it('day-of-week ranges by name; 1-7 counts from Sunday', () => {
    // 2024-06-01 is a Saturday.
    expect(next('cron(0 12 ? * MON-FRI *)', '2024-06-01T15:00:00Z')).toBe('2024-06-03T12:00:00.000Z');
    expect(next('cron(0 12 ? * 2-6 *)', '2024-06-01T15:00:00Z')).toBe('2024-06-03T12:00:00.000Z');
    expect(next('cron(0 12 ? * 1 *)', '2024-06-01T15:00:00Z')).toBe('2024-06-02T12:00:00.000Z');
    expect(next('cron(0 12 ? * 7 *)', '2024-06-01T11:00:00Z')).toBe('2024-06-01T12:00:00.000Z');
    expect(next('cron(0 0 ? * FRI-MON *)', '2024-06-04T00:00:00Z')).toBe('2024-06-07T00:00:00.000Z');
  });

  it('steps, lists and month names', () => {
    expect(next('cron(0/15 * * * ? *)', '2024-06-01T10:07:00Z')).toBe('2024-06-01T10:15:00.000Z');
    expect(next('cron(0/15 * * * ? *)', '2024-06-01T10:45:00Z')).toBe('2024-06-01T11:00:00.000Z');
    expect(next('cron(1/10 * * * ? *)', '2024-06-01T10:52:00Z')).toBe('2024-06-01T11:01:00.000Z');
    expect(next('cron(0 8,20 * * ? *)', '2024-06-01T08:00:00Z')).toBe('2024-06-01T20:00:00.000Z');
    expect(next('cron(0 0 1 JAN,JUL ? *)', '2024-02-01T00:00:00Z')).toBe('2024-07-01T00:00:00.000Z');
  });

  it('L: the last day of the month, the last day of the week (SAT), the last n-day of the month', () => {
    expect(next('cron(15 10 L * ? *)', '2024-02-10T00:00:00Z')).toBe('2024-02-29T10:15:00.000Z');
    expect(next('cron(15 10 L * ? *)', '2023-02-28T10:15:00Z')).toBe('2023-03-31T10:15:00.000Z');
    expect(next('cron(0 9 ? * L *)', '2024-06-03T00:00:00Z')).toBe('2024-06-08T09:00:00.000Z');
    expect(next('cron(0 9 ? * 6L *)', '2024-06-01T00:00:00Z')).toBe('2024-06-28T09:00:00.000Z');
  });

  it('W: the weekday nearest the day, never leaving the month', () => {
    // June 2024: the 1st and 15th are Saturdays, the 30th a Sunday.
    expect(next('cron(0 9 15W * ? *)', '2024-06-01T00:00:00Z')).toBe('2024-06-14T09:00:00.000Z');
    expect(next('cron(0 9 1W * ? *)', '2024-06-01T00:00:00Z')).toBe('2024-06-03T09:00:00.000Z');
    expect(next('cron(0 9 LW * ? *)', '2024-06-01T00:00:00Z')).toBe('2024-06-28T09:00:00.000Z');
    expect(next('cron(0 9 3W * ? *)', '2024-07-01T00:00:00Z')).toBe('2024-07-03T09:00:00.000Z');
  });

  it('#: the n-th given weekday of the month', () => {
    expect(next('cron(0 9 ? * 3#2 *)', '2024-06-01T00:00:00Z')).toBe('2024-06-11T09:00:00.000Z');
    expect(next('cron(0 9 ? * MON#1 *)', '2024-06-04T00:00:00Z')).toBe('2024-07-01T09:00:00.000Z');
  });

  it('the year field: skips to the next listed year, and stops after the last', () => {
    expect(next('cron(0 0 1 1 ? 2030,2032)', '2024-06-03T00:00:00Z')).toBe('2030-01-01T00:00:00.000Z');
    expect(next('cron(0 0 1 1 ? 2030,2032)', '2030-01-01T00:00:00Z')).toBe('2032-01-01T00:00:00.000Z');
    expect(next('cron(* * * * ? 2030)', '2024-06-03T00:00:00Z')).toBe('2030-01-01T00:00:00.000Z');
    expect(next('cron(0 0 1 1 ? 2020-2023)', '2024-06-03T00:00:00Z')).toBeUndefined();
  });

  it('reads the fields in the given time zone', () => {
    expect(next('cron(0 8 * * ? *)', '2024-06-03T12:00:00Z', 'Europe/Paris')).toBe('2024-06-04T06:00:00.000Z');
    expect(next('cron(0 8 * * ? *)', '2024-01-03T12:00:00Z', 'Europe/Paris')).toBe('2024-01-04T07:00:00.000Z');
    // The W day is the zone's: Saturday 15 June in Auckland is Friday 14 June 09:00 NZST, 21:00 UTC the day before.
    expect(next('cron(0 9 15W * ? *)', '2024-06-01T00:00:00Z', 'Pacific/Auckland')).toBe('2024-06-13T21:00:00.000Z');
    expect(next('cron(0 0 1 1 ? 2030)', '2024-06-01T00:00:00Z', 'America/New_York')).toBe('2030-01-01T05:00:00.000Z');
  });

  it('refuses malformed expressions, naming the expression and the problem', () => {
    const cases: Array<[string, RegExp]> = [
      ['cron(0 12 * * ?)', /6 fields/],
      ['cron(0 12 * * * *)', /exactly one of day-of-month and day-of-week must be \?/],
      ['cron(0 12 ? * ? *)', /exactly one of/],
      ['cron(60 12 * * ? *)', /minutes: "60" is not in 0-59/],
      ['cron(0 24 * * ? *)', /hours/],
      ['cron(0 12 ? * 8 *)', /day-of-week: "8" is not in 1-7/],
      ['cron(0 12 ? * 2/2 *)', /day-of-week/],
      ['cron(0 12 ? * 3#6 *)', /1-5/],
      ['cron(0 12 * FOO ? *)', /month/],
      ['cron(0 12 * * ? 1969)', /year/],
      ['cron(0 12 32 * ? *)', /day-of-month/],
      ['cron(0 0 30 2 ? *)', /day of month/],
    ];
    for (const [expression, problem] of cases) {
      expect(() => parseScheduleExpression(expression), expression).toThrow(expression);
      expect(() => parseScheduleExpression(expression), expression).toThrow(problem);
    }
  });
});

describe('at() (EventBridge Scheduler one-time schedules)', () => {
  it('fires once, at that wall-clock time in the zone', () => {
    expect(next('at(2030-01-15T08:00:00)', '2024-06-01T00:00:00Z')).toBe('2030-01-15T08:00:00.000Z');
    expect(next('at(2030-01-15T08:00:00)', '2024-06-01T00:00:00Z', 'America/New_York')).toBe('2030-01-15T13:00:00.000Z');
    expect(next('at(2030-01-15T08:00:00)', '2030-01-15T08:00:00Z')).toBeUndefined();
  });

  it('refuses dates that do not exist and other formats', () => {
    expect(() => parseScheduleExpression('at(2030-02-30T08:00:00)')).toThrow(/no such date/);
    expect(() => parseScheduleExpression('at(2030-01-15 08:00)')).toThrow(/at\(yyyy-mm-ddThh:mm:ss\)/);
  });
});

it('refuses unknown kinds and time zones', () => {
  expect(() => parseScheduleExpression('every(5 minutes)')).toThrow(/"every\(5 minutes\)".*rate\(\.\.\.\), cron\(\.\.\.\) or at\(\.\.\.\)/);
  expect(() => parseScheduleExpression('cron(0 12 * * ? *)', 'Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
});
