/**
 * Reminders to an event's attendees 1 day, 1 hour and 15 minutes before it starts, as jobs of the durable
 * scheduler (src/runtime/scheduler, docs/scheduler.md): they survive restarts and fire once with several
 * calendar processes. One job per occurrence and offset (key `event:<id>:<start>:<offset>`, scope
 * `event:<id>`); a fired reminder plans the next occurrence of a series. A reminder goes to the channel the
 * event was created in through the router's announcement path, naming the people going; an event without
 * attendees, or no longer approved, stays silent.
 */
import type { SetupContext } from '../../runtime/module.js'
import type { Job, Scheduler } from '../../runtime/scheduler/index.js'
import { occurrences } from './recurrence.js'
import { clip } from './replies.js'
import type { CalendarConfig } from './settings.js'
import * as store from './store.js'
import { describeLocal, toLocal } from './zoned-time.js'

export const REMINDER_KIND = 'event-reminder'
/** The entity of an event created over REST without a channel: it has attendees but nowhere to post. */
export const API_ENTITY = 'api:'

export const OFFSETS = [
  { tag: '1d', ms: 86_400_000, words: '1 day' },
  { tag: '1h', ms: 3_600_000, words: '1 hour' },
  { tag: '15m', ms: 900_000, words: '15 minutes' },
] as const

interface Payload {
  readonly event_id: number
  readonly community_id: string
  /** The occurrence's start, epoch ms. */
  readonly at: number
  readonly offset: (typeof OFFSETS)[number]['tag']
}

export interface Reminders {
  /** (Re)plans the reminders of `event` from now: cancels them unless it is approved. */
  schedule(event: store.CalendarEvent): Promise<void>
}

const scopeOf = (id: number) => `event:${id}`

export function createReminders(ctx: SetupContext<CalendarConfig>, scheduler: Scheduler, now: () => number): Reminders {
  /** Schedules the reminders still ahead for the first occurrence after `from` that has any. */
  async function plan(event: store.CalendarEvent, from: number): Promise<void> {
    let looked = 0
    for (const o of occurrences(store.seriesOf(event))) {
      if (o.at < from) continue
      let planned = 0
      for (const offset of OFFSETS) {
        const dueAt = o.at - offset.ms
        if (dueAt <= now()) continue
        const payload: Payload = { event_id: event.id, community_id: event.community_id, at: o.at, offset: offset.tag }
        await scheduler.schedule({
          kind: REMINDER_KIND,
          dueAt,
          payload,
          key: `${scopeOf(event.id)}:${o.at}:${offset.tag}`,
          scope: scopeOf(event.id),
        })
        planned++
      }
      if (planned > 0 || ++looked >= 3) return
    }
  }

  async function fire(job: Job<Payload>): Promise<void> {
    const p = job.payload
    const event = await store.getEvent(ctx.storage, p.community_id, p.event_id)
    if (event?.status !== 'approved') return
    await plan(event, p.at + 1)
    const going = (await store.attendees(ctx.storage, event.id)).filter((a) => a.status === 'going')
    if (going.length === 0 || event.entity_id.startsWith(API_ENTITY)) return
    const offset = OFFSETS.find((o) => o.tag === p.offset)!
    const where = event.location ? ` at ${clip(event.location, 60)}` : ''
    const names = going.map((a) => a.user_name)
    const who = names.length > 15 ? `${names.slice(0, 15).join(', ')} and ${names.length - 15} more` : names.join(', ')
    const text = `Reminder: #${event.id} "${clip(event.title)}" starts in ${offset.words} (${describeLocal(toLocal(event.timezone, p.at))} ${event.timezone})${where}. Going: ${who}`
    const res = await ctx.modules.request('router', '/api/v1/announcements', {
      body: { module: ctx.module, entity_id: event.entity_id, responses: [{ type: 'chat', text }] },
      timeoutMs: 5000,
    })
    if (!res.ok) throw new Error(`router refused the reminder (${res.status}): ${(await res.text()).slice(0, 200)}`)
  }

  scheduler.handle(REMINDER_KIND, (job) => fire(job as Job<Payload>))

  return {
    async schedule(event) {
      for (const job of await scheduler.list({ kind: REMINDER_KIND, scope: scopeOf(event.id) }))
        await scheduler.cancel(job.id)
      if (event.status === 'approved') await plan(event, now())
    },
  }
}
