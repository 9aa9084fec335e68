/**
 * AWS schedule expressions (EventBridge rules and EventBridge Scheduler): rate(), cron() and at(), and when each
 * fires next. AWS's cron is Quartz-like, not unix cron: six fields with a year, `?` in one of the two day fields,
 * day-of-week 1-7 = SUN-SAT, and L, W, #. We parse and check that syntax here (AWS's field table:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html) and leave calendar and
 * time-zone arithmetic, DST included, to cron-parser, given plain unix fields.
 */
import cronParser from 'cron-parser';

export interface ScheduleExpression {
  readonly expression: string;
  readonly kind: 'rate' | 'cron' | 'at';
  /**
   * The first fire time strictly after `after`; undefined when it never fires again. `start` is when the schedule
   * began counting: rate() fires at start + k * interval (on AWS from the rule's creation; locally from when the
   * scheduler starts), so re-arming from the clock never drifts.
   */
  next(after: Date, start: Date): Date | undefined;
}

const RATE_UNITS_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** `timezone` (IANA) applies to cron() and at(): EventBridge Scheduler's ScheduleExpressionTimezone. */
export function parseScheduleExpression(expression: string, timezone = 'UTC'): ScheduleExpression {
  const fail = (what: string): never => {
    throw new Error(`Invalid schedule expression ${JSON.stringify(expression)}: ${what}`);
  };
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    fail(`unknown time zone ${JSON.stringify(timezone)}`);
  }
  const [, kind, body] = /^(rate|cron|at)\((.*)\)$/.exec(expression) ?? [];
  if (kind === 'rate') return rate(expression, body as string, fail);
  if (kind === 'cron') return cron(expression, body as string, timezone, fail);
  if (kind === 'at') return at(expression, body as string, timezone, fail);
  return fail('expected rate(...), cron(...) or at(...)');
}

/**
 * AWS: a positive whole number and minute(s), hour(s) or day(s), singular exactly when the value is 1 (rate(1 hours)
 * and rate(5 hour) are refused). second(s) is ours: AWS refuses it, it exists so that local and test stages can
 * shorten a schedule through a stage parameter. Never use it for a deployed stage.
 */
function rate(expression: string, body: string, fail: (what: string) => never): ScheduleExpression {
  const [, count, unit, plural] = /^(\d+) (second|minute|hour|day)(s?)$/.exec(body) ?? [];
  if (!count || !unit) return fail('expected rate(<value> <unit>), unit one of minute(s), hour(s), day(s)');
  const value = Number(count);
  if (value < 1) fail('the value must be a positive whole number');
  if ((value === 1) !== (plural === '')) fail(`use ${value === 1 ? `1 ${unit}` : `${value} ${unit}s`} (singular only for 1)`);
  const everyMs = value * (RATE_UNITS_MS[unit] as number);
  return {
    expression,
    kind: 'rate',
    next: (after, start) =>
      new Date(start.getTime() + everyMs * Math.max(1, Math.floor((after.getTime() - start.getTime()) / everyMs) + 1)),
  };
}

/** at(yyyy-mm-ddThh:mm:ss), a one-time schedule (Scheduler only), as a wall-clock time in `timezone`. */
function at(expression: string, body: string, timezone: string, fail: (what: string) => never): ScheduleExpression {
  const parts = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body)?.slice(1).map(Number);
  if (!parts) return fail('expected at(yyyy-mm-ddThh:mm:ss)');
  const [year, month, day, hour, minute, second] = parts as [number, number, number, number, number, number];
  const naive = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (naive.getUTCMonth() !== month - 1 || naive.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    fail('no such date or time');
  }
  // The wall-clock time's instant in the zone: the first match of that second after a point earlier than any offset
  // allows (UTC-12 to UTC+14) is the one in that year.
  const when = cronParser
    .parseExpression(`${second} ${minute} ${hour} ${day} ${month} *`, {
      currentDate: new Date(naive.getTime() - 15 * 3_600_000),
      tz: timezone,
    })
    .next()
    .toDate();
  return { expression, kind: 'at', next: (after) => (when.getTime() > after.getTime() ? when : undefined) };
}

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: string[];
}
const MINUTES: FieldRule = { name: 'minutes', min: 0, max: 59 };
const HOURS: FieldRule = { name: 'hours', min: 0, max: 23 };
const DAY_OF_MONTH: FieldRule = { name: 'day-of-month', min: 1, max: 31 };
const MONTH: FieldRule = { name: 'month', min: 1, max: 12, names: MONTHS };
const DAY_OF_WEEK: FieldRule = { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS };
const YEAR: FieldRule = { name: 'year', min: 1970, max: 2199 };

/** A list of values, ranges (a-b, wrapping past the maximum when a > b, as in Quartz) and steps (a/n, a-b/n, * /n). */
function expand(field: string, rule: FieldRule, fail: (what: string) => never, steps = true): number[] {
  const value = (token: string): number => {
    const named = rule.names?.indexOf(token.toUpperCase()) ?? -1;
    const n = named >= 0 ? named + rule.min : /^\d+$/.test(token) ? Number(token) : NaN;
    if (!(n >= rule.min && n <= rule.max)) fail(`${rule.name}: ${JSON.stringify(token)} is not in ${rule.min}-${rule.max}`);
    return n;
  };
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [, from, to, step] = /^(\*|\w+)(?:-(\w+))?(?:\/(\d+))?$/.exec(part) ?? [];
    if (!from || (from === '*' && to) || (step && !steps)) fail(`${rule.name}: cannot read ${JSON.stringify(part)}`);
    const first = from === '*' ? rule.min : value(from);
    const last = to ? value(to) : from === '*' || step ? rule.max : first;
    const every = step ? Number(step) : 1;
    if (every < 1) fail(`${rule.name}: the step in ${JSON.stringify(part)} must be at least 1`);
    const span = last >= first ? last - first : last - first + rule.max - rule.min + 1;
    for (let i = 0; i <= span; i += every) values.add(((first - rule.min + i) % (rule.max - rule.min + 1)) + rule.min);
  }
  return [...values].sort((a, b) => a - b);
}

/** The day a W rule picks in a month (nearest weekday to `day`, never leaving the month), or undefined. */
function weekdayNear(year: number, month0: number, day: number | 'L'): number | undefined {
  const last = new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
  const target = day === 'L' ? last : day;
  if (target > last) return undefined;
  const weekday = new Date(Date.UTC(year, month0, target)).getUTCDay();
  if (weekday === 6) return target === 1 ? 3 : target - 1;
  if (weekday === 0) return target === last ? target - 2 : target + 1;
  return target;
}

function cron(expression: string, body: string, timezone: string, fail: (what: string) => never): ScheduleExpression {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) fail(`cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`);
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) fail('exactly one of day-of-month and day-of-week must be ?');
  const list = (field: string, rule: FieldRule, steps = true) => (field === '*' ? '*' : expand(field, rule, fail, steps).join(','));

  // Day-of-month: L (cron-parser has it), nW and LW (we pick the day), or a list.
  let weekdayRule: number | 'L' | undefined;
  let unixDom = '*';
  if (dom === 'L') unixDom = 'L';
  else if (/^(\d+|L)W$/.test(dom)) weekdayRule = dom === 'LW' ? 'L' : expand(dom.slice(0, -1), DAY_OF_MONTH, fail)[0];
  else if (dom !== '?') unixDom = list(dom, DAY_OF_MONTH);

  // Day-of-week: AWS counts 1-7 from Sunday, unix 0-6. L alone is the last day of the week (SAT); nL the last
  // n-day of the month; n#k the k-th n-day. AWS has no steps here.
  let unixDow = '*';
  const unix = (token: string) => (expand(token, DAY_OF_WEEK, fail)[0] as number) - 1;
  const [, lastOf] = /^(\w+)L$/.exec(dow) ?? [];
  const [, nth, occurrence] = /^(\w+)#(\d)$/.exec(dow) ?? [];
  if (dow === 'L') unixDow = '6';
  else if (lastOf) unixDow = `${unix(lastOf)}L`;
  else if (nth && occurrence) {
    if (Number(occurrence) < 1 || Number(occurrence) > 5) fail(`day-of-week: ${dow}: the occurrence after # must be 1-5`);
    unixDow = `${unix(nth)}#${occurrence}`;
  } else if (dow !== '?' && dow !== '*')
    unixDow = expand(dow, DAY_OF_WEEK, fail, false)
      .map((d) => d - 1)
      .join(',');

  const unixExpression = `${list(minutes, MINUTES)} ${list(hours, HOURS)} ${unixDom} ${list(month, MONTH)} ${unixDow}`;
  const years = expand(year, YEAR, fail);
  const after = (from: Date) => cronParser.parseExpression(unixExpression, { currentDate: from, tz: timezone }).next();
  try {
    after(new Date(0));
  } catch (error) {
    fail((error as Error).message); // e.g. a day no month has (30 FEB): AWS's cron would never fire either
  }

  return {
    expression,
    kind: 'cron',
    next(from) {
      // cron-parser has no year field, and no W: skip the years and days they exclude, then ask again.
      for (let tries = 0; tries < 1000; tries++) {
        const candidate = after(from);
        const candidateYear = candidate.getFullYear(); // in `timezone`
        if (!years.includes(candidateYear)) {
          const nextYear = years.find((y) => y > candidateYear);
          if (nextYear === undefined) return undefined;
          const newYear = cronParser.parseExpression('0 0 1 1 *', { currentDate: new Date(Date.UTC(nextYear - 1, 11, 30)), tz: timezone });
          from = new Date(newYear.next().getTime() - 1);
          continue;
        }
        if (weekdayRule !== undefined && candidate.getDate() !== weekdayNear(candidateYear, candidate.getMonth(), weekdayRule)) {
          const nextDay = cronParser.parseExpression('0 0 * * *', { currentDate: candidate.toDate(), tz: timezone }).next();
          from = new Date(nextDay.getTime() - 1);
          continue;
        }
        return candidate.toDate();
      }
      throw new Error(`${expression}: found no fire time after ${from.toISOString()}`);
    },
  };
}
