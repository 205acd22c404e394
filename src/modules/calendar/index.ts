/**
 * calendar (port 8030): community events with approval, capacity and a waitlist, weekly/monthly series, a
 * time zone per community, attendee reminders on the durable scheduler, and an iCalendar feed per community.
 * Chat: `!calendar …` (commands.ts); HTTP: the feed and the REST API (routes.ts). See docs/calendar.md.
 */
import { defineModule, type ModuleDefinition } from '../../runtime/module.js'
import { createScheduler, type SchedulerClock } from '../../runtime/scheduler/index.js'
import { calendarCommands } from './commands.js'
import { manifest } from './manifest.js'
import { calendarMigrations } from './migrations.js'
import { createReminders } from './reminders.js'
import { calendarRoutes } from './routes.js'
import { type CalendarConfig, calendarConfigSchema } from './settings.js'
import type { CalendarState } from './state.js'

export type { CalendarConfig } from './settings.js'
export type { CalendarState } from './state.js'

export interface CalendarOptions {
  /** Time and timers for the module and its scheduler (default the real ones; tests pass a fake clock). */
  readonly clock?: SchedulerClock
  /** Longest wait between two looks at the scheduler's table (default the scheduler's, 1 s). */
  readonly pollMs?: number
}

export function createCalendarModule(options: CalendarOptions = {}): ModuleDefinition<CalendarConfig, CalendarState> {
  return defineModule<CalendarConfig, CalendarState>({
    name: manifest.name,
    version: '0.1.0',
    kind: manifest.kind,
    summary: manifest.summary,
    port: manifest.port,
    config: calendarConfigSchema,
    migrations: calendarMigrations,
    commands: calendarCommands(),
    setup(ctx) {
      const now = options.clock ? () => options.clock!.now() : Date.now
      const scheduler = createScheduler({
        storage: ctx.storage,
        owner: ctx.module,
        log: ctx.log,
        clock: options.clock,
        pollMs: options.pollMs,
      })
      const reminders = createReminders(ctx, scheduler, now)
      scheduler.start()
      return { now, scheduler, reminders }
    },
    teardown: ({ state }) => state.scheduler.stop(),
    routes: calendarRoutes,
  })
}

export default createCalendarModule()
