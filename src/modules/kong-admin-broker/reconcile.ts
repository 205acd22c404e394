/**
 * One reconcile pass: makes Kong's waddlebot-tagged consumers, key-auth credentials and ACL groups match the
 * active keys of waddlebot (`api_keys`, and `user_api_keys` when the identity module's tables exist).
 * - an outbox row whose key is active: the consumer (upserted), its groups, the credential with the sealed
 *   plaintext (upserted under an id derived from the key), then the row is deleted;
 * - a credential whose key is revoked, expired or gone: deleted; one on the wrong consumer (identities
 *   merged): moved; a consumer left without credentials: deleted;
 * - an active key with neither a credential nor an outbox row cannot be mirrored (its plaintext is gone):
 *   counted as `unmirrorable` (docs/kong.md: re-issue it).
 * Every step is idempotent, so a pass that fails half-way is simply run again.
 */
import { createHash } from 'node:crypto'
import type { Logger } from '../../runtime/logger.js'
import { type MirroredKeyKind, openSealed } from '../../runtime/kong-outbox.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Storage } from '../../runtime/storage/types.js'
import type { KongAdmin } from './kong-admin.js'

export const KONG_TAG = 'waddlebot'

export interface PassResult {
  mirrored: number
  removed: number
  moved: number
  consumers_removed: number
  /** Outbox rows still waiting (sealed with another service key). */
  pending: number
  unmirrorable: number
  credentials: number
}

interface Wanted {
  consumer: string
  customId: string
  groups: string[]
}

/** The Kong names of a key: consumer per API key, consumer per identity for user keys. */
export function consumerFor(kind: MirroredKeyKind, owner: string): Omit<Wanted, 'groups'> {
  return kind === 'api'
    ? { consumer: `wbot-api-${owner}`, customId: `waddlebot:api:${owner}` }
    : { consumer: `wbot-user-${owner}`, customId: `waddlebot:identity:${owner}` }
}

/** The credential's id in Kong: a UUID derived from the key, so a repeated upsert hits the same entity. */
export function credentialId(kind: MirroredKeyKind, id: string): string {
  const h = createHash('sha256').update(`waddlebot:${kind}:${id}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

const keyTag = (kind: MirroredKeyKind, id: string) => `wb-${kind}-${id}`
function parseTag(tags: readonly string[] | null): { kind: MirroredKeyKind; id: string } | undefined {
  for (const t of tags ?? []) {
    const m = /^wb-(api|user)-(.+)$/.exec(t)
    if (m) return { kind: m[1] as MirroredKeyKind, id: m[2]! }
  }
  return undefined
}

/** Active keys by `kind:id`; `user` is undefined when the identity tables do not exist (yet). */
async function activeKeys(db: Storage, now: number): Promise<{ keys: Map<string, Wanted>; userKnown: boolean }> {
  const keys = new Map<string, Wanted>()
  const api = await db.query<{ id: string; scope: string }>(
    sql`select id, scope from api_keys where revoked_at is null`,
  )
  for (const k of api) keys.set(`api:${k.id}`, { ...consumerFor('api', k.id), groups: [k.scope] })
  let userKnown = true
  try {
    const users = await db.query<{ id: string; identity_id: string }>(sql`select id, identity_id from user_api_keys
      where revoked_at is null and (expires_at is null or expires_at > ${now})`)
    for (const k of users) keys.set(`user:${k.id}`, { ...consumerFor('user', k.identity_id), groups: ['user'] })
  } catch {
    userKnown = false // identity not migrated here: leave user credentials in Kong alone
  }
  return { keys, userKnown }
}

export async function reconcile(
  db: Storage,
  kong: KongAdmin,
  serviceKey: string,
  log: Logger,
  now = Date.now(),
): Promise<PassResult> {
  const r: PassResult = {
    mirrored: 0,
    removed: 0,
    moved: 0,
    consumers_removed: 0,
    pending: 0,
    unmirrorable: 0,
    credentials: 0,
  }
  // The outbox first: a row is committed with its key, so the keys read after it include every row's key
  // (read the other way round, a key made in between would look revoked and its row be dropped).
  const outbox = await db.query<{ key_kind: MirroredKeyKind; key_id: string; sealed: string }>(
    sql`select key_kind, key_id, sealed from kong_outbox order by created_at`,
  )
  const { keys, userKnown } = await activeKeys(db, now)
  const tags = (kind: MirroredKeyKind, id: string) => [KONG_TAG, keyTag(kind, id)]
  const fresh = new Set<string>()
  const pending = new Set<string>()
  for (const row of outbox) {
    const ref = `${row.key_kind}:${row.key_id}`
    const want = keys.get(ref)
    const drop = () =>
      db.execute(sql`delete from kong_outbox where key_kind = ${row.key_kind} and key_id = ${row.key_id}`)
    if (!want) {
      if (row.key_kind === 'api' || userKnown) await drop() // revoked (or expired) before it reached Kong
      continue
    }
    const plaintext = openSealed(serviceKey, row.key_kind, row.key_id, row.sealed)
    if (plaintext === undefined) {
      pending.add(ref)
      log.warn({ key: ref }, 'kong outbox row sealed with another service key; it stays until a broker can open it')
      continue
    }
    await kong.putConsumer(want.consumer, want.customId, [KONG_TAG])
    await kong.setGroups(want.consumer, want.groups, [KONG_TAG])
    await kong.putKeyAuth(
      want.consumer,
      credentialId(row.key_kind, row.key_id),
      plaintext,
      tags(row.key_kind, row.key_id),
    )
    await drop()
    fresh.add(ref)
    r.mirrored++
  }

  const consumers = new Map((await kong.consumers(KONG_TAG)).map((c) => [c.id, c]))
  const inKong = new Set<string>()
  for (const cred of await kong.keyAuths(KONG_TAG)) {
    const key = parseTag(cred.tags)
    if (!key || (key.kind === 'user' && !userKnown)) continue
    const ref = `${key.kind}:${key.id}`
    const want = keys.get(ref)
    if (!want) {
      await kong.deleteKeyAuth(cred.id)
      r.removed++
      continue
    }
    inKong.add(ref)
    if (fresh.has(ref) || consumers.get(cred.consumer.id)?.username === want.consumer) continue
    const target = await kong.putConsumer(want.consumer, want.customId, [KONG_TAG])
    await kong.setGroups(want.consumer, want.groups, [KONG_TAG])
    await kong.moveKeyAuth(cred.id, target.id)
    r.moved++
  }

  const remaining = await kong.keyAuths(KONG_TAG)
  r.credentials = remaining.length
  const used = new Set(remaining.map((c) => c.consumer.id))
  for (const c of await kong.consumers(KONG_TAG)) {
    if (used.has(c.id) || (!userKnown && c.username?.startsWith('wbot-user-'))) continue
    await kong.deleteConsumer(c.id)
    r.consumers_removed++
  }
  r.pending = pending.size
  for (const ref of keys.keys()) if (!inKong.has(ref) && !fresh.has(ref) && !pending.has(ref)) r.unmirrorable++
  return r
}
