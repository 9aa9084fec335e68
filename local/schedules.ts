/**
 * Fires the template's scheduled rules (`AWS::Events::Rule` with a `rate(...)` ScheduleExpression) locally,
 * invoking each target function with its input as EventBridge does, so the sweeper runs by itself under
 * `npm start`. Written here because serverless-offline does not run schedules. `cron(...)` expressions are
 * not fired (none in the template today): they are logged, not silently ignored.
 */
import type { ScheduleSpec } from './cloudformation.js';
import type { Invoker } from './sqs-poller.js';

const UNIT_MS: Record<string, number> = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** The period of a `rate(N unit)` expression in milliseconds, or undefined for anything else. */
export function rateMs(expression: string): number | undefined {
  const match = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (!match) return undefined;
  const count = Number(match[1]);
  // AWS: the singular unit for 1, the plural otherwise.
  if (count < 1 || (count === 1) !== !(match[2] as string).endsWith('s')) return undefined;
  return count * (UNIT_MS[match[2] as string] as number);
}

export interface LocalSchedules {
  stop(): void;
}

/** Starts a timer per enabled rate schedule; `periodMs` lets a caller (a test) replace the template's period. */
export function startSchedules(
  schedules: ScheduleSpec[],
  invoke: Invoker,
  log: (message: string) => void,
  periodMs: (schedule: ScheduleSpec) => number | undefined = (schedule) => rateMs(schedule.expression),
): LocalSchedules {
  const timers: NodeJS.Timeout[] = [];
  for (const schedule of schedules.filter((s) => s.enabled)) {
    const period = periodMs(schedule);
    if (period === undefined) {
      log(`Schedule ${schedule.logicalId} (${schedule.expression}) is not fired locally: only rate(...) expressions are.`);
      continue;
    }
    const fire = () => {
      for (const target of schedule.targets) {
        void invoke(target.functionName, target.input).then((result) => {
          if (!result.ok) log(`scheduled ${target.functionName} failed: ${result.error}`);
        });
      }
    };
    timers.push(setInterval(fire, period));
  }
  return { stop: () => timers.forEach((timer) => clearInterval(timer)) };
}
