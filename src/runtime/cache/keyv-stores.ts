/**
 * Keyv 5 storage adapters written for waddlebot: one over an existing ioredis client (the project's only
 * Redis library) and one over a better-sqlite3 database. Keyv hands both stores already-serialised
 * strings (`{"value":…,"expires":…}`) and a TTL in milliseconds; the stores expire entries on their own
 * as well, so nothing lingers when Keyv never reads a key again.
 */
import type BetterSqlite3 from 'better-sqlite3'
import type { Redis } from 'ioredis'
import type { KeyvStoreAdapter, StoredData } from 'keyv'

/** Keys removed per DEL while clearing a prefix. */
const CLEAR_BATCH = 500

/** Keyv gives stores strings; anything else is stored as JSON. */
function toText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** A positive whole number of milliseconds, or undefined for "no expiry". */
function ttlOf(ttl: number | undefined): number | undefined {
  if (ttl === undefined || !Number.isFinite(ttl) || ttl <= 0) return undefined
  return Math.ceil(ttl)
}

/** Escapes the glob characters of a Redis MATCH pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`)
}

/**
 * Keyv requires stores to be event emitters and listens for `error`. Our stores report every failure by
 * rejecting the call (Keyv is used with `throwOnErrors`), and have no background work that could fail,
 * so they never emit: `on` accepts the listener and returns the store.
 */
function on<T>(this: T): T {
  return this
}

/**
 * A Keyv store over an ioredis client. Every key is stored as `prefix + key`; a TTL becomes `SET … PX`.
 * `clear()` removes every key under `prefix` (SCAN + DEL, never KEYS), whatever Keyv namespace wrote it.
 * The client stays owned by the caller: the store never closes it.
 * @param redis a connected (or lazily connecting) ioredis client
 * @param prefix non-empty key prefix, e.g. `waddlebot:kv:`
 */
export function createIoredisKeyvStore(redis: Redis, prefix: string): KeyvStoreAdapter {
  if (prefix === '')
    throw new Error('createIoredisKeyvStore: prefix must not be empty (clear() would wipe the database)')
  return {
    opts: { prefix },
    namespace: undefined,
    on,
    async get<Value>(key: string) {
      return ((await redis.get(prefix + key)) ?? undefined) as StoredData<Value> | undefined
    },
    async getMany<Value>(keys: string[]) {
      if (keys.length === 0) return []
      const values = await redis.mget(keys.map((k) => prefix + k))
      return values.map((v) => (v ?? undefined) as StoredData<Value | undefined>)
    },
    async has(key: string) {
      return (await redis.exists(prefix + key)) === 1
    },
    async set(key: string, value: unknown, ttl?: number) {
      const ms = ttlOf(ttl)
      if (ms === undefined) await redis.set(prefix + key, toText(value))
      else await redis.set(prefix + key, toText(value), 'PX', ms)
      return true
    },
    async delete(key: string) {
      return (await redis.del(prefix + key)) > 0
    },
    async deleteMany(keys: string[]) {
      return keys.length > 0 && (await redis.del(...keys.map((k) => prefix + k))) > 0
    },
    async clear() {
      const pattern = `${escapeGlob(prefix)}*`
      let cursor = '0'
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', CLEAR_BATCH)
        if (found.length > 0) await redis.del(...found)
        cursor = next
      } while (cursor !== '0')
    },
  }
}

interface Row {
  value: string
  expires: number | null
}

/**
 * A Keyv store over a better-sqlite3 database, in `table(key text primary key, value text, expires integer)`
 * (created when missing). `expires` is a Unix time in ms; expired rows are deleted when read.
 * `clear()` empties the whole table, whatever Keyv namespace wrote the rows.
 * @param db an open better-sqlite3 database (the caller closes it)
 * @param table table name: letters, digits and `_` only
 */
export function createSqliteKeyvStore(db: BetterSqlite3.Database, table = 'keyv'): KeyvStoreAdapter {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table))
    throw new Error(`createSqliteKeyvStore: invalid table name ${JSON.stringify(table)}`)
  db.exec(
    `CREATE TABLE IF NOT EXISTS "${table}" (key TEXT PRIMARY KEY, value TEXT, expires INTEGER);
     CREATE INDEX IF NOT EXISTS "${table}_expires" ON "${table}" (expires)`,
  )
  const select = db.prepare<[string], Row>(`SELECT value, expires FROM "${table}" WHERE key = ?`)
  const upsert = db.prepare<[string, string, number | null]>(
    `INSERT INTO "${table}" (key, value, expires) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
  )
  const remove = db.prepare<[string]>(`DELETE FROM "${table}" WHERE key = ?`)
  const removeExpired = db.prepare<[string, number]>(`DELETE FROM "${table}" WHERE key = ? AND expires <= ?`)
  const removeAll = db.prepare<[]>(`DELETE FROM "${table}"`)
  /** better-sqlite3 is synchronous; Keyv wants promises, and a throw must become a rejection. */
  const guard = async <T>(run: () => T): Promise<T> => run()
  const read = (key: string): string | undefined => {
    const row = select.get(key)
    if (row === undefined) return undefined
    const now = Date.now()
    if (row.expires !== null && row.expires <= now) {
      removeExpired.run(key, now)
      return undefined
    }
    return row.value
  }
  const deleteMany = db.transaction((keys: string[]) => keys.reduce((n, k) => n + remove.run(k).changes, 0))
  return {
    opts: { table },
    namespace: undefined,
    on,
    get: <Value>(key: string) => guard(() => read(key) as StoredData<Value> | undefined),
    getMany: <Value>(keys: string[]) => guard(() => keys.map((k) => read(k) as StoredData<Value | undefined>)),
    has: (key: string) => guard(() => read(key) !== undefined),
    set: (key: string, value: unknown, ttl?: number) =>
      guard(() => {
        const ms = ttlOf(ttl)
        upsert.run(key, toText(value), ms === undefined ? null : Date.now() + ms)
        return true
      }),
    delete: (key: string) => guard(() => remove.run(key).changes > 0),
    deleteMany: (keys: string[]) => guard(() => deleteMany(keys) > 0),
    clear: () =>
      guard(() => {
        removeAll.run()
      }),
  }
}
