/**
 * The custom commands of every community (`alias_commands`), with an in-memory copy per community for the
 * hot path (a chat line looks its alias up in a Map). The copy is dropped when a change is announced on the
 * cache channel `alias:changed` (every process, with Redis), and when another connection committed to the
 * SQLite file (a CLI edit without Redis): see {@link AliasStore.lookup}.
 */
import type { Cache } from '../../runtime/cache/types.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable, Storage } from '../../runtime/storage/types.js'

/** The cache channel that announces a change: `{community_id}`. */
export const CHANGED_CHANNEL = 'alias:changed'

export interface AliasRow {
  readonly id: number
  readonly community_id: string
  readonly name: string
  readonly response: string
  readonly permission_level: string
  readonly cooldown_ms: number
  readonly user_cooldown_ms: number
  readonly enabled: boolean
  readonly use_count: number
  readonly created_by: string
  readonly created_at: number
  readonly updated_at: number
}

/** What `add` takes; the settings default to everyone, no cooldowns, enabled. */
export interface AliasInput {
  readonly name: string
  readonly response: string
  readonly created_by: string
  readonly permission_level?: string
  readonly cooldown_ms?: number
  readonly user_cooldown_ms?: number
  readonly enabled?: boolean
}

/** What `update` may change. */
export type AliasPatch = Partial<
  Pick<AliasRow, 'response' | 'permission_level' | 'cooldown_ms' | 'user_cooldown_ms' | 'enabled'>
>

type RawRow = Omit<AliasRow, 'enabled' | 'id' | 'use_count' | 'created_at' | 'updated_at'> &
  Record<'enabled' | 'id' | 'use_count' | 'created_at' | 'updated_at', number | string | boolean>

function toRow(r: RawRow): AliasRow {
  return {
    ...r,
    id: Number(r.id),
    enabled: Number(r.enabled) === 1,
    use_count: Number(r.use_count),
    cooldown_ms: Number(r.cooldown_ms),
    user_cooldown_ms: Number(r.user_cooldown_ms),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
  }
}

export async function listAliases(db: Queryable, communityId: string): Promise<AliasRow[]> {
  const rows = await db.query<RawRow>(
    sql`select * from alias_commands where community_id = ${communityId} order by name`,
  )
  return rows.map(toRow)
}

export async function getAlias(db: Queryable, communityId: string, name: string): Promise<AliasRow | undefined> {
  const row = await db.one<RawRow>(
    sql`select * from alias_commands where community_id = ${communityId} and name = ${name}`,
  )
  return row ? toRow(row) : undefined
}

/** Inserts a new alias; undefined when the name is taken in that community. */
export async function insertAlias(
  db: Queryable,
  communityId: string,
  input: AliasInput,
): Promise<AliasRow | undefined> {
  const now = Date.now()
  const row = await db.one<RawRow>(sql`insert into alias_commands (community_id, name, response, permission_level,
      cooldown_ms, user_cooldown_ms, enabled, use_count, created_by, created_at, updated_at)
    values (${communityId}, ${input.name}, ${input.response}, ${input.permission_level ?? 'everyone'},
      ${input.cooldown_ms ?? 0}, ${input.user_cooldown_ms ?? 0}, ${input.enabled === false ? 0 : 1}, 0,
      ${input.created_by}, ${now}, ${now})
    on conflict (community_id, name) do nothing
    returning *`)
  return row ? toRow(row) : undefined
}

/** Applies `patch`; undefined when there is no such alias. */
export async function updateAlias(
  db: Queryable,
  communityId: string,
  name: string,
  patch: AliasPatch,
): Promise<AliasRow | undefined> {
  const current = await getAlias(db, communityId, name)
  if (!current) return undefined
  const next = { ...current, ...patch }
  const row = await db.one<RawRow>(sql`update alias_commands set response = ${next.response},
      permission_level = ${next.permission_level}, cooldown_ms = ${next.cooldown_ms},
      user_cooldown_ms = ${next.user_cooldown_ms}, enabled = ${next.enabled ? 1 : 0}, updated_at = ${Date.now()}
    where id = ${current.id} returning *`)
  return row ? toRow(row) : undefined
}

export async function deleteAlias(db: Queryable, communityId: string, name: string): Promise<boolean> {
  const done = await db.execute(sql`delete from alias_commands where community_id = ${communityId} and name = ${name}`)
  return done.changes > 0
}

/** Raises the `{count}` counter by one and returns the new value: one atomic statement, exact under concurrency. */
export async function bumpCount(db: Queryable, id: number): Promise<number> {
  const row = await db.one<{ use_count: number | string }>(
    sql`update alias_commands set use_count = use_count + 1 where id = ${id} returning use_count`,
  )
  return Number(row?.use_count ?? 0)
}

/** Tells every process that `communityId`'s aliases changed; a cache failure is not an error of the edit. */
export async function announceChanged(cache: Cache, communityId: string): Promise<void> {
  await cache.publish(CHANGED_CHANNEL, { community_id: communityId }).catch(() => {})
}

/** How often the SQLite file's data version is compared (see {@link AliasBook.lookup}). */
export const VERSION_CHECK_MS = 1000

/** The in-memory copy of each community's aliases, for the catch-all's lookup. */
export class AliasBook {
  #byCommunity = new Map<string, Map<string, AliasRow>>()
  #loading = new Map<string, Promise<Map<string, AliasRow>>>()
  #version: number | undefined
  #checkedAt = 0

  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = Date.now,
  ) {
    this.#version = storage.dataVersion?.()
  }

  /**
   * The alias `name` of `communityId`, from memory (loaded on the community's first use). Whether another
   * connection wrote to the SQLite file is asked at most once a second (the pragma costs more than the
   * whole lookup): a CLI edit without Redis is seen within a second.
   */
  async lookup(communityId: string, name: string): Promise<AliasRow | undefined> {
    if (this.storage.dataVersion) {
      const now = this.now()
      if (now - this.#checkedAt >= VERSION_CHECK_MS) {
        this.#checkedAt = now
        const version = this.storage.dataVersion()
        if (version !== this.#version) {
          this.#version = version
          this.#byCommunity.clear()
        }
      }
    }
    const book = this.#byCommunity.get(communityId) ?? (await this.#load(communityId))
    return book.get(name)
  }

  /** Forgets a community's copy (after a change). */
  forget(communityId: string): void {
    this.#byCommunity.delete(communityId)
  }

  #load(communityId: string): Promise<Map<string, AliasRow>> {
    let pending = this.#loading.get(communityId)
    if (!pending) {
      pending = listAliases(this.storage, communityId)
        .then((rows) => {
          const book = new Map(rows.map((r) => [r.name, r]))
          this.#byCommunity.set(communityId, book)
          return book
        })
        .finally(() => this.#loading.delete(communityId))
      this.#loading.set(communityId, pending)
    }
    return pending
  }
}
