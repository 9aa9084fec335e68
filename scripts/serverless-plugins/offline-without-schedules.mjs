// Local Serverless plugin: when the local stack runs serverless offline (it sets LOCAL_STACK_FIRES_SCHEDULES=1),
// offline's own scheduler is left out. The local stack fires the compiled template's schedules itself
// (local/scheduler.ts): every scheduled rule and EventBridge Scheduler schedule, with AWS's cron syntax and
// AWS's event, where offline knows only `schedule` events, as unix cron, with an event of its own.
import process from 'node:process';

export default class OfflineWithoutSchedules {
  constructor(serverless) {
    this.hooks = {
      'before:offline:start:init': () => {
        if (process.env.LOCAL_STACK_FIRES_SCHEDULES !== '1') return;
        for (const fn of Object.values(serverless.service.functions ?? {})) {
          fn.events = (fn.events ?? []).filter((event) => !event.schedule);
        }
      },
    };
  }
}
