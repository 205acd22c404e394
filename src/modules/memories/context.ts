/** The memories module's config, state and the helpers its commands share. */
import { z } from 'zod'
import { type CommandContext, PERMISSION_LEVELS } from '../../runtime/module.js'
import type { Scheduler } from '../../runtime/scheduler/index.js'
import type { Announce } from './announce.js'
import type { TimerService } from './timers.js'

/** `modules.memories` settings and their defaults (docs/memories.md). */
export const memoriesConfigSchema = z.object({
  /** M: chat lines a timer waits for between two posts, unless the timer sets its own. */
  timer_min_lines: z.number().int().min(0).max(10_000).default(5),
  /** The shortest timer interval, minutes. */
  timer_min_minutes: z.number().int().min(1).max(1440).default(5),
  max_timers_per_channel: z.number().int().min(1).max(200).default(20),
  max_reminders_per_user: z.number().int().min(1).max(1000).default(10),
  max_reminder_days: z.number().int().min(1).max(3650).default(365),
  max_text_length: z.number().int().min(20).max(2000).default(400),
  quote_add_permission: z.enum(PERMISSION_LEVELS).default('everyone'),
  remind_others_permission: z.enum(PERMISSION_LEVELS).default('moderator'),
  /** How often the scheduler looks for due reminders and timers, ms. */
  poll_ms: z.number().int().min(50).max(60_000).default(1000),
})
export type MemoriesConfig = z.infer<typeof memoriesConfigSchema>

export interface MemoriesState {
  readonly scheduler: Scheduler
  readonly timers: TimerService
  readonly announce: Announce
  readonly now: () => number
}

export type Ctx = CommandContext<MemoriesConfig, MemoriesState>

/** The raw message after the command word and `skip` more words, spacing kept. */
export function rest(ctx: Ctx, skip: number): string {
  const pattern = new RegExp(`^\\s*\\S+(?:\\s+\\S+){${skip}}\\s*`, 'u')
  const raw = ctx.request.raw_message
  const m = pattern.exec(raw)
  return m ? raw.slice(m[0].length).trim() : ''
}

export const userName = (ctx: Ctx) => ctx.request.user.display_name ?? ctx.request.user.name

/** `12`, `#12` → 12; anything else undefined. */
export function numberArg(word: string | undefined): number | undefined {
  if (!word || !/^#?\d{1,9}$/.test(word)) return undefined
  return Number(word.replace('#', ''))
}

export const gameKey = (entityId: string) => `memories:game:${entityId}`
