/**
 * API keys: `wbot_<scope>_<43 url-safe chars>`, shown once, stored as SHA-256 hashes.
 * Scopes: collector (send events, coordination), module (execute, responses), admin (everything).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { WaddleError } from './errors.js'
import type { KeyMirror } from './kong-outbox.js'
import { sql } from './storage/sql.js'
import type { Queryable, Storage } from './storage/types.js'

export const KEY_SCOPES = ['collector', 'module', 'admin'] as const
export type KeyScope = (typeof KEY_SCOPES)[number]

export interface ApiKeyInfo {
  id: string
  name: string
  scope: KeyScope
  key_prefix: string
  created_at: number
  last_used_at: number | null
  revoked_at: number | null
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

/**
 * Creates a key; the plaintext is returned once and never stored (with a Kong `mirror`, it is also sealed
 * into the Kong outbox for the kong-admin-broker, in the same transaction when `db` is a Storage).
 */
export async function createApiKey(
  db: Queryable,
  name: string,
  scope: KeyScope,
  mirror?: KeyMirror,
): Promise<ApiKeyInfo & { key: string }> {
  if (!KEY_SCOPES.includes(scope))
    throw new WaddleError('WB_INPUT_INVALID', { field: 'scope', reason: `must be one of ${KEY_SCOPES.join(', ')}` })
  if (!/^[\w.-]{1,64}$/.test(name))
    throw new WaddleError('WB_INPUT_INVALID', {
      field: 'name',
      reason: 'use 1-64 letters, digits, dot, dash or underscore',
    })
  const key = `wbot_${scope}_${randomBytes(32).toString('base64url')}`
  const info: ApiKeyInfo = {
    id: randomUUID().slice(0, 8),
    name,
    scope,
    key_prefix: key.slice(0, scope.length + 10),
    created_at: Date.now(),
    last_used_at: null,
    revoked_at: null,
  }
  const insert = async (tx: Queryable) => {
    await tx.execute(sql`insert into api_keys (id, name, scope, key_hash, key_prefix, created_at)
      values (${info.id}, ${name}, ${scope}, ${hashKey(key)}, ${info.key_prefix}, ${info.created_at})`)
    await mirror?.record(tx, 'api', info.id, key)
  }
  const storage = db as Partial<Storage>
  if (mirror && storage.transaction) await storage.transaction(insert)
  else await insert(db)
  await mirror?.notify()
  return { ...info, key }
}

export async function listApiKeys(db: Queryable): Promise<ApiKeyInfo[]> {
  return db.query<ApiKeyInfo>(sql`select id, name, scope, key_prefix, created_at, last_used_at, revoked_at
    from api_keys order by created_at, id`)
}

export async function revokeApiKey(db: Queryable, id: string): Promise<void> {
  const { changes } = await db.execute(
    sql`update api_keys set revoked_at = ${Date.now()} where id = ${id} and revoked_at is null`,
  )
  verified.delete(db) // a revocation through this connection does not change its data_version
  if (changes === 0) {
    const [row] = await db.query<{ revoked_at: number | null }>(sql`select revoked_at from api_keys where id = ${id}`)
    if (row?.revoked_at)
      throw new WaddleError('WB_KEY_REVOKED', { id, when: new Date(Number(row.revoked_at)).toISOString() })
    throw new WaddleError('WB_KEY_UNKNOWN', { id })
  }
}

/**
 * Valid keys already checked, per storage, while its version stays the same:
 * - SQLite: its data_version, read at most once per {@link SQLITE_RECHECK_MS}. Any commit by another
 *   connection (a `waddlebot keys revoke` in another process, among others) empties it, so a revoked key is
 *   refused from the first check after the revocation, within a millisecond. Reading data_version is a read
 *   transaction (two `fcntl` locks): on every request it was ≈ 8 % of the HTTP route's CPU.
 * - Postgres: the count of `waddlebot_api_keys` notifications (a trigger on `api_keys` sends one per change,
 *   committed with it). A revocation elsewhere is refused once its notification arrives (well under a
 *   millisecond on one machine); while the listening connection is down every request asks the database.
 */
const verified = new WeakMap<
  object,
  { version: number; checkedAt: number; keys: Map<string, { id: string; scope: KeyScope }> }
>()
const VERIFIED_MAX = 10_000
/** How long (ms) one read of SQLite's data_version answers for. */
export const SQLITE_RECHECK_MS = 1
/** The channel core migration 0007's trigger notifies on every change to `api_keys`. */
const API_KEYS_CHANNEL = 'waddlebot_api_keys'

/** The scope of a valid, unrevoked key, or undefined. `now` (ms, `performance.now()`) is for tests. */
export async function lookupApiKey(
  db: Queryable,
  key: string,
  now: number = performance.now(),
): Promise<{ id: string; scope: KeyScope } | undefined> {
  if (!key.startsWith('wbot_')) return undefined
  const storage = db as Partial<Storage>
  let memo = verified.get(db)
  let version: number | undefined
  if (storage.dataVersion) {
    version = memo && now - memo.checkedAt < SQLITE_RECHECK_MS ? memo.version : storage.dataVersion()
  } else version = storage.changeVersion?.(API_KEYS_CHANNEL)
  if (version === undefined) return queryApiKey(db, key)
  if (memo?.version !== version) {
    memo = { version, checkedAt: now, keys: new Map() }
    verified.set(db, memo)
  } else if (now - memo.checkedAt >= SQLITE_RECHECK_MS) memo.checkedAt = now
  const known = memo.keys.get(key)
  if (known) return known
  const found = await queryApiKey(db, key)
  if (found && memo.keys.size < VERIFIED_MAX) memo.keys.set(key, found)
  return found
}

async function queryApiKey(db: Queryable, key: string): Promise<{ id: string; scope: KeyScope } | undefined> {
  return db.one<{ id: string; scope: KeyScope }>(
    sql`select id, scope from api_keys where key_hash = ${hashKey(key)} and revoked_at is null`,
  )
}
