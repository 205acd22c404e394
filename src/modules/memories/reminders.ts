/**
 * Reminders are scheduler jobs (kind `reminder`, scope = the channel's entity id): durable, fired once by one
 * process, posted to the channel they were asked in.
 */
import type { Job, Scheduler } from '../../runtime/scheduler/index.js'
import type { Announce } from './announce.js'

export const REMINDER = 'reminder'

export interface ReminderPayload {
  readonly entity_id: string
  readonly text: string
  readonly by_id: string
  readonly by_name: string
  /** The user to remind when it is not the asker (a name, as typed after `@`). */
  readonly for_name: string | null
}

export interface Reminder {
  readonly id: number
  readonly dueAt: number
  readonly payload: ReminderPayload
}

const toReminder = (job: Job<ReminderPayload>): Reminder => ({ id: job.id, dueAt: job.dueAt, payload: job.payload })

/** The line a reminder posts. */
export function reminderLine(p: ReminderPayload): string {
  return p.for_name ? `@${p.for_name} ⏰ reminder from ${p.by_name}: ${p.text}` : `@${p.by_name} ⏰ reminder: ${p.text}`
}

export const reminders = {
  async create(scheduler: Scheduler, dueAt: number, payload: ReminderPayload): Promise<Reminder> {
    return toReminder(await scheduler.schedule({ kind: REMINDER, dueAt, payload, scope: payload.entity_id }))
  },

  async inChannel(scheduler: Scheduler, entityId: string): Promise<Reminder[]> {
    return (await scheduler.list<ReminderPayload>({ kind: REMINDER, scope: entityId })).map(toReminder)
  },

  async get(scheduler: Scheduler, id: number): Promise<Reminder | undefined> {
    const job = await scheduler.get<ReminderPayload>(id)
    return job?.kind === REMINDER ? toReminder(job) : undefined
  },

  cancel: (scheduler: Scheduler, id: number) => scheduler.cancel(id),

  /** True when `user` asked for it or is the one reminded. */
  concerns(r: Reminder, userId: string, userName: string): boolean {
    return r.payload.by_id === userId || r.payload.for_name?.toLowerCase() === userName.toLowerCase()
  },

  /** The scheduler handler: posts the reminder to its channel. */
  handler: (announce: Announce) => async (job: Job<ReminderPayload>) => {
    await announce(job.payload.entity_id, reminderLine(job.payload))
  },
}
