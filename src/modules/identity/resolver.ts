/**
 * Platform account → identity id, for the router (every event) and this module. An account seen for the
 * first time gets an identity of its own (`idn_…`); a link moves it into another person's identity. Keyed on
 * the platform's immutable user id: a rename (same id, new login) keeps the identity and updates the names.
 *
 * Cached in process (bounded, 5 minutes); `identity:changed` (published on link/unlink, delivered to every
 * replica through the cache's pub/sub) drops the accounts it names at once.
 */
import { randomUUID } from 'node:crypto'
import type { Cache } from '../../runtime/cache/types.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'

/** The pub/sub channel of link/unlink: `{accounts: [{platform, user_id}]}`. */
export const IDENTITY_CHANGED = 'identity:changed'

const TTL_MS = 5 * 60_000
const MAX_ENTRIES = 100_000

/** An account as an event carries it. */
export interface AccountRef {
  readonly platform: string
  readonly user_id: string
  readonly user_name: string
  readonly display_name?: string | undefined
}

interface Entry {
  identity: string
  name: string
  display: string | null
  at: number
}

export const newIdentityId = (): string => `idn_${randomUUID().replaceAll('-', '')}`

export interface IdentityResolver {
  /** The account's identity id (created on first sight; names refreshed on a rename). */
  resolve(account: AccountRef): Promise<string>
  /** Drops cached accounts (this process); others learn it through IDENTITY_CHANGED. */
  forget(accounts: readonly { platform: string; user_id: string }[]): void
  close(): Promise<void>
}

/** A resolver over the identity tables; subscribes to IDENTITY_CHANGED on `cache`. */
export async function createIdentityResolver(
  db: Queryable,
  cache: Cache,
  now: () => number = Date.now,
): Promise<IdentityResolver> {
  const entries = new Map<string, Entry>()
  const keyOf = (platform: string, userId: string) => `${platform}\u0000${userId}`
  const forget: IdentityResolver['forget'] = (accounts) => {
    for (const a of accounts) entries.delete(keyOf(a.platform, a.user_id))
  }
  const unsubscribe = await cache.subscribe(IDENTITY_CHANGED, (message) => {
    const accounts = (message as { accounts?: unknown }).accounts
    if (Array.isArray(accounts)) forget(accounts as { platform: string; user_id: string }[])
  })

  async function load(a: AccountRef, name: string, display: string | null): Promise<Entry> {
    const t = now()
    let row = await db.one<{ identity_id: string; user_name: string; display_name: string | null }>(
      sql`select identity_id, user_name, display_name from identity_links
        where platform = ${a.platform} and platform_user_id = ${a.user_id}`,
    )
    if (!row) {
      await db.execute(sql`insert into identity_links (platform, platform_user_id, identity_id, user_name, display_name, linked_at, last_seen_at)
        values (${a.platform}, ${a.user_id}, ${newIdentityId()}, ${name}, ${display}, ${t}, ${t})
        on conflict (platform, platform_user_id) do nothing`)
      row = await db.one(sql`select identity_id, user_name, display_name from identity_links
        where platform = ${a.platform} and platform_user_id = ${a.user_id}`)
    }
    if (!row) throw new Error(`identity of ${a.platform}:${a.user_id} not stored`)
    if (row.user_name !== name || row.display_name !== display) await rename(a, name, display, t)
    return { identity: row.identity_id, name, display, at: t }
  }

  async function rename(a: AccountRef, name: string, display: string | null, t: number): Promise<void> {
    await db.execute(sql`update identity_links set user_name = ${name}, display_name = ${display}, last_seen_at = ${t}
      where platform = ${a.platform} and platform_user_id = ${a.user_id}`)
  }

  return {
    async resolve(a) {
      const name = a.user_name.toLowerCase()
      const display = a.display_name ?? null
      const key = keyOf(a.platform, a.user_id)
      const hit = entries.get(key)
      if (hit && now() - hit.at < TTL_MS) {
        if (hit.name !== name || hit.display !== display) {
          await rename(a, name, display, now())
          hit.name = name
          hit.display = display
        }
        return hit.identity
      }
      const entry = await load(a, name, display)
      if (entries.size >= MAX_ENTRIES) entries.clear()
      entries.set(key, entry)
      return entry.identity
    },
    forget,
    close: unsubscribe,
  }
}
