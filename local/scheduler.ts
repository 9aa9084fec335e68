/**
 * Fires the template's schedules locally: scheduled EventBridge rules and EventBridge Scheduler schedules, each
 * invoking its target functions with the event AWS would send. Written here because serverless-offline's own
 * scheduler knows only its `schedule` events, not the compiled template, and sends its own event shape.
 */
import { randomUUID } from 'node:crypto';
import type { ScheduleSpec, ScheduleTarget } from './cloudformation.js';
import { parseScheduleExpression, type ScheduleExpression } from './schedule-expression.js';
import type { Invoker } from './sqs-poller.js';

export interface LocalSchedulerOptions {
  schedules: ScheduleSpec[];
  invoke: Invoker;
  region: string;
  accountId: string;
  log?: (message: string) => void;
}

/** Node runs a longer timeout after 1 ms (2^31 - 1 ms is about 24.8 days): longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Schedule {
  spec: ScheduleSpec;
  expression: ScheduleExpression;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
}

export class LocalScheduler {
  private readonly schedules: Schedule[];
  private startedAt = new Date();
  private stopped = true;

  /** Parses every expression now, so that a bad one stops the stack at start rather than at its first fire. */
  constructor(private readonly options: LocalSchedulerOptions) {
    this.schedules = options.schedules.map((spec) => {
      try {
        if (spec.service === 'events' && spec.expression.startsWith('at(')) throw new Error('rules take rate() or cron(), not at()');
        return { spec, expression: parseScheduleExpression(spec.expression, spec.timezone) };
      } catch (error) {
        throw new Error(`${spec.logicalId}: ${(error as Error).message}`);
      }
    });
  }

  /** rate() schedules count from here: on AWS they count from the rule's creation, which has no local equivalent. */
  start(): void {
    this.stopped = false;
    this.startedAt = new Date();
    for (const schedule of this.schedules) {
      const { logicalId, expression, targets, enabled } = schedule.spec;
      const first = enabled ? this.arm(schedule, this.startedAt) : undefined;
      const functions = targets.map((t) => t.functionName).join(', ');
      this.log(
        `${logicalId}: ${expression} -> ${functions}: ${first ? `first at ${first.toISOString()}` : enabled ? 'never fires' : 'disabled'}`,
      );
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const schedule of this.schedules) clearTimeout(schedule.timer);
    await Promise.all(this.schedules.flatMap((schedule) => (schedule.running ? [schedule.running] : [])));
  }

  /**
   * One timer per schedule, for its next fire time computed from the clock (never by adding intervals, which would
   * drift and would replay missed fires after the machine sleeps). `after` is the last fire time, so a timer that
   * runs a little early cannot fire the same time twice.
   */
  private arm(schedule: Schedule, after: Date): Date | undefined {
    if (this.stopped) return undefined;
    const now = new Date();
    const due = schedule.expression.next(now > after ? now : after, this.startedAt);
    if (!due) return undefined;
    const wait = due.getTime() - now.getTime();
    schedule.timer =
      wait > MAX_TIMER_MS
        ? setTimeout(() => this.arm(schedule, after), MAX_TIMER_MS)
        : setTimeout(() => this.fire(schedule, due), Math.max(0, wait));
    return due;
  }

  private fire(schedule: Schedule, due: Date): void {
    // Lambda would run an overlapping fire concurrently; locally a slow sweeper piling up runs on one machine
    // against one database, which is worse than a missed run, so the fire is skipped.
    if (schedule.running) this.log(`${schedule.spec.logicalId}: skipped the ${awsTime(due)} fire, the previous one is still running`);
    else schedule.running = this.invokeTargets(schedule.spec, due).finally(() => (schedule.running = undefined));
    if (!this.arm(schedule, due)) this.log(`${schedule.spec.logicalId}: ${schedule.spec.expression} does not fire again`);
  }

  /** Never rejects: a failed invocation is logged (AWS's retries and dead-letter queues are not emulated). */
  private async invokeTargets(spec: ScheduleSpec, due: Date): Promise<void> {
    const eventId = randomUUID(); // one event per fire: every target of a rule sees the same id
    await Promise.all(
      spec.targets.map(async (target) => {
        try {
          const result = await this.options.invoke(target.functionName, this.eventFor(spec, target, due, eventId));
          if (!result.ok) this.log(`${spec.logicalId}: ${target.functionName} failed: ${result.error}`);
        } catch (error) {
          this.log(`${spec.logicalId}: could not invoke ${target.functionName}: ${(error as Error).message}`);
        }
      }),
    );
  }

  /**
   * With an Input, the function gets that JSON (Scheduler first replaces its context attributes, such as
   * <aws.scheduler.scheduled-time>). Without one, each service sends its scheduled event: EventBridge's has
   * detail {}; Scheduler's "default notification" has source aws.scheduler and detail "{}", a string.
   */
  private eventFor(spec: ScheduleSpec, target: ScheduleTarget, due: Date, eventId: string): unknown {
    const { region, accountId } = this.options;
    const time = awsTime(due);
    const arn =
      spec.service === 'events'
        ? `arn:aws:events:${region}:${accountId}:rule/${spec.name}`
        : `arn:aws:scheduler:${region}:${accountId}:schedule/${spec.groupName ?? 'default'}/${spec.name}`;
    if (target.input !== undefined) {
      if (spec.service === 'events') return JSON.parse(target.input);
      const attributes: Record<string, string> = {
        'schedule-arn': arn,
        'scheduled-time': time,
        'execution-id': randomUUID(),
        'attempt-number': '1',
      };
      return JSON.parse(target.input.replace(/<aws\.scheduler\.([a-z-]+)>/g, (text, name: string) => attributes[name] ?? text));
    }
    return {
      version: '0',
      id: eventId,
      'detail-type': 'Scheduled Event',
      source: spec.service === 'events' ? 'aws.events' : 'aws.scheduler',
      account: accountId,
      time,
      region,
      resources: [arn],
      detail: spec.service === 'events' ? {} : '{}',
    };
  }

  private log(message: string): void {
    this.options.log?.(message);
  }
}

/** AWS writes event times to the second: 2024-06-03T12:00:00Z. */
function awsTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
