/**
 * Timers (like Nightbot's): a line posted to a channel every N minutes, but only when at least M human chat
 * lines were seen in the community since that timer last posted. Each timer is a row of memories_timers plus
 * one repeating scheduler job (kind `timer`, key `timer:<id>`); a disabled timer has no job. Chat lines are
 * counted per community in the cache (`memories:lines:<community>`, one increment per plain chat message the
 * router hands to the module); each timer keeps the count it last posted at (`lines_mark`).
 */
import type { Cache } from '../../runtime/cache/types.js'
import type { Job, Scheduler } from '../../runtime/scheduler/index.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Storage } from '../../runtime/storage/types.js'
import type { Announce } from './announce.js'

export const TIMER = 'timer'

export interface Timer {
  id: number
  entity_id: string
  community_id: string
  name: string
  interval_minutes: number
  min_lines: number | null
  text: string
  enabled: number
  lines_mark: number
  last_posted_at: number | null
  created_by: string
  created_at: number
}

export interface NewTimer {
  readonly entityId: string
  readonly communityId: string
  readonly name: string
  readonly minutes: number
  readonly minLines?: number | null
  readonly text: string
  readonly createdBy: string
  readonly now: number
}

export const TIMER_NAME = /^[a-z0-9_-]{1,32}$/

const COLUMNS = sql.raw(
  'id, entity_id, community_id, name, interval_minutes, min_lines, text, enabled, lines_mark, last_posted_at, created_by, created_at',
)
const jobKey = (id: number) => `timer:${id}`
export const linesKey = (communityId: string) => `memories:lines:${communityId}`

export interface TimerDeps {
  readonly storage: Storage
  readonly cache: Cache
  readonly scheduler: Scheduler
  readonly now: () => number
  /** M when a timer has none of its own. */
  readonly defaultMinLines: number
}

export function timerService(deps: TimerDeps) {
  const { storage, scheduler } = deps
  const byId = (id: number) => storage.one<Timer>(sql`select ${COLUMNS} from memories_timers where id = ${id}`)
  const arm = (t: Pick<Timer, 'id' | 'interval_minutes'>) => {
    const every = t.interval_minutes * 60_000
    return scheduler.schedule({
      kind: TIMER,
      key: jobKey(t.id),
      dueAt: deps.now() + every,
      repeatMs: every,
      payload: { timer_id: t.id },
    })
  }
  const lines = (communityId: string) => deps.cache.incr(linesKey(communityId), 0)

  return {
    byId,
    find: (entityId: string, name: string) =>
      storage.one<Timer>(sql`select ${COLUMNS} from memories_timers where entity_id = ${entityId} and name = ${name}`),
    list: (entityId?: string) =>
      storage.query<Timer>(
        entityId === undefined
          ? sql`select ${COLUMNS} from memories_timers order by entity_id, name`
          : sql`select ${COLUMNS} from memories_timers where entity_id = ${entityId} order by name`,
      ),

    /** Creates and arms a timer; undefined when the channel has one of that name. */
    async add(t: NewTimer): Promise<Timer | undefined> {
      const mark = await lines(t.communityId)
      const inserted = await storage.execute(sql`insert into memories_timers
        (entity_id, community_id, name, interval_minutes, min_lines, text, enabled, lines_mark, created_by, created_at)
        values (${t.entityId}, ${t.communityId}, ${t.name}, ${t.minutes}, ${t.minLines ?? null}, ${t.text}, 1, ${mark},
          ${t.createdBy}, ${t.now})
        on conflict (entity_id, name) do nothing`)
      if (inserted.changes === 0) return undefined
      const timer = await storage.one<Timer>(
        sql`select ${COLUMNS} from memories_timers where entity_id = ${t.entityId} and name = ${t.name}`,
      )
      if (timer) await arm(timer)
      return timer
    },

    /** Changes a timer; a new interval or enabling re-arms it, disabling removes its job. */
    async update(
      id: number,
      changes: { minutes?: number; minLines?: number | null; text?: string; enabled?: boolean },
    ): Promise<Timer | undefined> {
      const sets = [
        ...(changes.minutes === undefined ? [] : [sql`interval_minutes = ${changes.minutes}`]),
        ...(changes.minLines === undefined ? [] : [sql`min_lines = ${changes.minLines}`]),
        ...(changes.text === undefined ? [] : [sql`text = ${changes.text}`]),
        ...(changes.enabled === undefined ? [] : [sql`enabled = ${changes.enabled ? 1 : 0}`]),
      ]
      if (sets.length > 0) await storage.execute(sql`update memories_timers set ${sql.join(sets)} where id = ${id}`)
      const timer = await byId(id)
      if (!timer) return undefined
      if (!timer.enabled) await scheduler.cancelKey(jobKey(id))
      else if (changes.enabled !== undefined || changes.minutes !== undefined) await arm(timer)
      return timer
    },

    async remove(id: number): Promise<boolean> {
      await scheduler.cancelKey(jobKey(id))
      return (await storage.execute(sql`delete from memories_timers where id = ${id}`)).changes > 0
    },

    /** The scheduler handler: posts when enough chat lines passed, else waits for the next interval. */
    handler: (announce: Announce) => async (job: Job<{ timer_id: number }>) => {
      const timer = await byId(Number(job.payload?.timer_id))
      if (!timer) {
        await scheduler.cancel(job.id)
        return
      }
      if (!timer.enabled) return
      const count = await lines(timer.community_id)
      const mark = count < Number(timer.lines_mark) ? 0 : Number(timer.lines_mark) // the counter was reset
      if (count - mark < (timer.min_lines ?? deps.defaultMinLines)) return
      await announce(timer.entity_id, timer.text)
      await storage.execute(
        sql`update memories_timers set lines_mark = ${count}, last_posted_at = ${deps.now()} where id = ${timer.id}`,
      )
    },
  }
}

export type TimerService = ReturnType<typeof timerService>
