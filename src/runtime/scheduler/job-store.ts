/**
 * SQL of the durable scheduler over `scheduled_jobs`, portable between SQLite and Postgres. The claim is one
 * conditional UPDATE of one row (`where id = ? and due_at <= now and the lease is free`): whichever process's
 * UPDATE changes the row owns the job, every other one changes nothing, on both databases.
 */
import { sql } from '../storage/sql.js'
import type { Queryable } from '../storage/types.js'
import type { Job, JobChanges, ListFilter, ScheduleInput } from './types.js'

interface Row {
  id: number
  owner: string
  kind: string
  job_key: string | null
  scope: string | null
  due_at: number
  payload: string
  repeat_ms: number | null
  attempts: number
  created_at: number
}

const COLUMNS = sql.raw('id, owner, kind, job_key, scope, due_at, payload, repeat_ms, attempts, created_at')

function toJob<TPayload>(row: Row): Job<TPayload> {
  let payload: unknown = null
  try {
    payload = JSON.parse(row.payload)
  } catch {
    payload = null
  }
  return {
    id: Number(row.id),
    owner: row.owner,
    kind: row.kind,
    key: row.job_key,
    scope: row.scope,
    dueAt: Number(row.due_at),
    payload: payload as TPayload,
    repeatMs: row.repeat_ms === null ? null : Number(row.repeat_ms),
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
  }
}

export function jobStore(db: Queryable, owner: string) {
  const byId = async <T>(id: number) => {
    const row = await db.one<Row>(sql`select ${COLUMNS} from scheduled_jobs where owner = ${owner} and id = ${id}`)
    return row ? toJob<T>(row) : undefined
  }
  return {
    byId,

    async byKey<T>(key: string): Promise<Job<T> | undefined> {
      const row = await db.one<Row>(
        sql`select ${COLUMNS} from scheduled_jobs where owner = ${owner} and job_key = ${key}`,
      )
      return row ? toJob<T>(row) : undefined
    },

    async insert<T>(input: ScheduleInput<T>, now: number): Promise<Job<T>> {
      const payload = JSON.stringify(input.payload ?? {})
      const repeat = input.repeatMs ?? null
      const key = input.key ?? null
      const scope = input.scope ?? null
      const conflict = key
        ? sql`on conflict (owner, job_key) do update set kind = excluded.kind, scope = excluded.scope,
            due_at = excluded.due_at, payload = excluded.payload, repeat_ms = excluded.repeat_ms,
            claimed_by = null, claim_expires = null, attempts = 0, last_error = null`
        : sql.empty
      const row = await db.one<Row>(sql`insert into scheduled_jobs
        (owner, kind, job_key, scope, due_at, payload, repeat_ms, created_at)
        values (${owner}, ${input.kind}, ${key}, ${scope}, ${input.dueAt}, ${payload}, ${repeat}, ${now})
        ${conflict} returning ${COLUMNS}`)
      if (!row) throw new Error('scheduled_jobs insert returned no row')
      return toJob<T>(row)
    },

    async list<T>(filter: ListFilter = {}): Promise<Job<T>[]> {
      const kind = filter.kind === undefined ? sql.empty : sql` and kind = ${filter.kind}`
      const scope = filter.scope === undefined ? sql.empty : sql` and scope = ${filter.scope}`
      const rows = await db.query<Row>(
        sql`select ${COLUMNS} from scheduled_jobs where owner = ${owner}${kind}${scope} order by due_at, id`,
      )
      return rows.map((r) => toJob<T>(r))
    },

    async count(filter: ListFilter = {}): Promise<number> {
      const kind = filter.kind === undefined ? sql.empty : sql` and kind = ${filter.kind}`
      const scope = filter.scope === undefined ? sql.empty : sql` and scope = ${filter.scope}`
      const row = await db.one<{ n: number }>(
        sql`select count(*) as n from scheduled_jobs where owner = ${owner}${kind}${scope}`,
      )
      return Number(row?.n ?? 0)
    },

    async update<T>(id: number, changes: JobChanges<T>): Promise<Job<T> | undefined> {
      const sets = [
        ...(changes.dueAt === undefined ? [] : [sql`due_at = ${changes.dueAt}`]),
        ...(changes.payload === undefined ? [] : [sql`payload = ${JSON.stringify(changes.payload)}`]),
        ...(changes.repeatMs === undefined ? [] : [sql`repeat_ms = ${changes.repeatMs}`]),
      ]
      if (sets.length > 0)
        await db.execute(sql`update scheduled_jobs set ${sql.join(sets)} where owner = ${owner} and id = ${id}`)
      return byId<T>(id)
    },

    async remove(id: number): Promise<boolean> {
      const r = await db.execute(sql`delete from scheduled_jobs where owner = ${owner} and id = ${id}`)
      return r.changes > 0
    },

    async removeKey(key: string): Promise<boolean> {
      const r = await db.execute(sql`delete from scheduled_jobs where owner = ${owner} and job_key = ${key}`)
      return r.changes > 0
    },

    /** Ids of due jobs of `kinds` whose lease is free, soonest first. */
    async dueIds(kinds: readonly string[], now: number, limit: number): Promise<number[]> {
      if (kinds.length === 0) return []
      const rows = await db.query<{ id: number }>(sql`select id from scheduled_jobs
        where owner = ${owner} and due_at <= ${now} and kind in (${sql.join(kinds)})
          and (claim_expires is null or claim_expires <= ${now})
        order by due_at, id limit ${limit}`)
      return rows.map((r) => Number(r.id))
    },

    /** Takes the job for `instance` until `now + leaseMs`; the job when this call won it. */
    async claim<T>(id: number, instance: string, now: number, leaseMs: number): Promise<Job<T> | undefined> {
      const r = await db.execute(sql`update scheduled_jobs
        set claimed_by = ${instance}, claim_expires = ${now + leaseMs}, attempts = attempts + 1
        where owner = ${owner} and id = ${id} and due_at <= ${now}
          and (claim_expires is null or claim_expires <= ${now})`)
      if (r.changes !== 1) return undefined
      const job = await byId<T>(id)
      return job
    },

    /** A fired one-shot job: gone (only while this instance still holds it). */
    async finish(id: number, instance: string): Promise<void> {
      await db.execute(
        sql`delete from scheduled_jobs where owner = ${owner} and id = ${id} and claimed_by = ${instance}`,
      )
    },

    /** A fired repeating job, or a failed one to retry: due again at `dueAt`, lease released. */
    async release(id: number, instance: string, dueAt: number, error?: string): Promise<void> {
      const failed = error === undefined ? sql`attempts = 0, last_error = null` : sql`last_error = ${error}`
      await db.execute(sql`update scheduled_jobs set due_at = ${dueAt}, claimed_by = null, claim_expires = null,
        ${failed} where owner = ${owner} and id = ${id} and claimed_by = ${instance}`)
    },

    /**
     * The soonest time a job of `kinds` may be claimed: its due time, or the end of a live lease another process
     * holds on it (so a loop never spins on a job it cannot take). Undefined when there is none.
     */
    async nextDue(kinds: readonly string[], now: number): Promise<number | undefined> {
      if (kinds.length === 0) return undefined
      const row = await db.one<{ due: number | null }>(sql`select min(case
          when claim_expires is not null and claim_expires > ${now} and claim_expires > due_at then claim_expires
          else due_at end) as due
        from scheduled_jobs where owner = ${owner} and kind in (${sql.join(kinds)})`)
      return row?.due === null || row?.due === undefined ? undefined : Number(row.due)
    },
  }
}

export type JobStore = ReturnType<typeof jobStore>
