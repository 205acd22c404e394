/**
 * memories (port 8031): quotes, memos (URLs and notes), reminders and timers (docs/memories.md). Reminders and
 * timers run on the runtime's durable scheduler (docs/scheduler.md): they survive restarts and fire once
 * with several processes; they post through the router's `POST /api/v1/announcements`.
 */
import type { ModuleDefinition } from '../../runtime/module.js'
import { defineModule } from '../../runtime/module.js'
import { createScheduler, type SchedulerClock } from '../../runtime/scheduler/index.js'
import { activityHandler, chatLinesObserver } from './activity.js'
import { type Announce, routerAnnouncer } from './announce.js'
import { type MemoriesConfig, type MemoriesState, memoriesConfigSchema } from './context.js'
import { manifest } from './manifest.js'
import { memoCommand } from './memo-command.js'
import { memoriesMigrations } from './migrations.js'
import { quoteCommand } from './quote-command.js'
import { REMINDER, reminders } from './reminders.js'
import { remindCommand } from './remind-command.js'
import { memoriesRoutes } from './routes.js'
import { TIMER, timerService } from './timers.js'
import { timerCommand } from './timer-command.js'

export type { MemoriesConfig, MemoriesState } from './context.js'

export interface MemoriesOptions {
  /** Time and timers of the scheduler and of every "now" (tests pass test/helpers/fake-clock.ts). */
  readonly clock?: SchedulerClock
  /** Where reminders and timers post; default the router's announcements route. */
  readonly announce?: Announce
}

/** Builds the module; the default export uses the real clock and the router. */
export function createMemoriesModule(options: MemoriesOptions = {}): ModuleDefinition<MemoriesConfig, MemoriesState> {
  return defineModule<MemoriesConfig, MemoriesState>({
    name: manifest.name,
    version: '0.1.0',
    kind: manifest.kind,
    summary: manifest.summary,
    port: manifest.port,
    config: memoriesConfigSchema,
    migrations: memoriesMigrations,
    commands: [quoteCommand, memoCommand, remindCommand, timerCommand],
    events: [activityHandler],
    observers: [chatLinesObserver],
    setup(ctx) {
      const clock = options.clock
      const now = clock ? () => clock.now() : Date.now
      const scheduler = createScheduler({
        storage: ctx.storage,
        owner: ctx.module,
        log: ctx.log,
        clock,
        pollMs: ctx.config.poll_ms,
      })
      const announce = options.announce ?? routerAnnouncer(ctx)
      const timers = timerService({
        storage: ctx.storage,
        cache: ctx.cache,
        scheduler,
        now,
        defaultMinLines: ctx.config.timer_min_lines,
      })
      scheduler.handle(REMINDER, reminders.handler(announce))
      scheduler.handle(TIMER, timers.handler(announce))
      scheduler.start()
      return { scheduler, timers, announce, now }
    },
    teardown: ({ state }) => state.scheduler.stop(),
    routes: (app, ctx) => memoriesRoutes(app, ctx),
    async health({ state }) {
      return { pending_jobs: await state.scheduler.count() }
    },
  })
}

export default createMemoriesModule()
