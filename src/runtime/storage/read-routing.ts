/**
 * Read routing with read-your-writes. `storage.read(...scopes)` sends reads to the read replica
 * (`DATABASE_READ_URL`) unless one of the scopes (`user:<id>`, `community:<id>`, `commands`, …) was written
 * within the last few seconds, in which case they go to the primary: whoever just changed something reads
 * it back, while everyone else's lists, leaderboards and pages come off the replica. Without a replica every
 * read goes to the primary and marking costs nothing.
 *
 * The marks live in the shared cache (Redis with `REDIS_URL`, so a write on one process routes the reads of
 * every process) and in this process's memory; a cache that cannot answer sends the read to the primary.
 */
import type { Cache } from '../cache/types.js'
import type { Queryable, Sql, Storage } from './types.js'

/** How long a write keeps its scopes' reads on the primary: well past any replica lag worth running with. */
export const READ_YOUR_WRITES_MS = 5000

/** Where "scope X was just written" is remembered. */
export interface WriteMarks {
  /** True when any of `scopes` was marked within the window. */
  recent(scopes: readonly string[]): Promise<boolean>
  mark(scopes: readonly string[]): Promise<void>
}

/** A storage before read routing is added (what the drivers build). */
export type BaseStorage = Omit<Storage, 'read' | 'wrote' | 'scope'>

/** Marks in this process only (the drivers' default; the host replaces them with {@link cacheWriteMarks}). */
export function memoryWriteMarks(windowMs = READ_YOUR_WRITES_MS): WriteMarks {
  const until = new Map<string, number>()
  return {
    async recent(scopes) {
      const now = Date.now()
      let hit = false
      for (const s of scopes) {
        const t = until.get(s)
        if (t === undefined) continue
        if (t > now) hit = true
        else until.delete(s)
      }
      return hit
    },
    async mark(scopes) {
      const t = Date.now() + windowMs
      for (const s of scopes) until.set(s, t)
      if (until.size > 10_000) for (const [k, v] of until) if (v <= Date.now()) until.delete(k)
    },
  }
}

/** Marks shared through `cache` (key `rw:<scope>`, expiring after the window), checked locally first. */
export function cacheWriteMarks(cache: Cache, windowMs = READ_YOUR_WRITES_MS): WriteMarks {
  const local = memoryWriteMarks(windowMs)
  return {
    async recent(scopes) {
      if (await local.recent(scopes)) return true
      try {
        const found = await Promise.all(scopes.map((s) => cache.get(`rw:${s}`)))
        return found.some((v) => v !== undefined)
      } catch {
        return true // unsure: the primary is never stale
      }
    },
    async mark(scopes) {
      await local.mark(scopes)
      await Promise.all(scopes.map((s) => cache.set(`rw:${s}`, 1, windowMs))).catch(() => {
        // Redis away: this process still routes to the primary; others fall back once their cache errors too.
      })
    },
  }
}

/**
 * Adds `read`, `wrote` and `scope` to `base`. `hasReplica` false: `read()` is the primary and marks are
 * skipped (nothing to be stale against).
 */
export function withReadRouting(base: BaseStorage, marks: WriteMarks, hasReplica: boolean): Storage {
  const primary: Queryable = { dialect: base.dialect, query: base.query, one: base.one, execute: base.execute }
  const replica = base.replica

  const read = (...scopes: string[]): Queryable => {
    if (!hasReplica) return primary
    if (scopes.length === 0) return replica
    const pick = async (): Promise<Queryable> => ((await marks.recent(scopes)) ? primary : replica)
    return {
      dialect: base.dialect,
      query: async <TRow>(s: Sql) => (await pick()).query<TRow>(s),
      one: async <TRow>(s: Sql) => (await pick()).one<TRow>(s),
      execute: (s: Sql) => primary.execute(s), // a write never goes to a replica
    }
  }
  const wrote = async (...scopes: string[]): Promise<void> => {
    if (hasReplica && scopes.length > 0) await marks.mark(scopes)
  }

  const storage: Storage = {
    ...base,
    read,
    wrote,
    scope: (...scopes: string[]): Storage => scoped(storage, scopes),
  }
  return storage
}

/** A view of `storage` whose writes (execute, transaction) mark `scopes` and whose `replica` honours them. */
function scoped(storage: Storage, scopes: readonly string[]): Storage {
  const view: Storage = {
    ...storage,
    replica: storage.read(...scopes),
    execute: async (s) => {
      const result = await storage.execute(s)
      await storage.wrote(...scopes)
      return result
    },
    transaction: async (work) => {
      const result = await storage.transaction(work)
      await storage.wrote(...scopes)
      return result
    },
    read: (...more) => storage.read(...scopes, ...more),
    wrote: (...more) => storage.wrote(...scopes, ...more),
    scope: (...more) => scoped(storage, [...scopes, ...more]),
  }
  return view
}
