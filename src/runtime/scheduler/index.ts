/** The runtime's durable job scheduler (docs/scheduler.md). */
export { createScheduler, nextRun, SCHEDULER_DEFAULTS } from './scheduler.js'
export type {
  Job,
  JobChanges,
  JobHandler,
  ListFilter,
  ScheduleInput,
  Scheduler,
  SchedulerClock,
  SchedulerOptions,
} from './types.js'
