/**
 * Hub users are identities (the identity module's `identity_links`): logging in with any linked account is
 * logging in as that person. A user named in the CLI is `platform:user_name` (an account that has chatted or
 * was linked), an identity id (`idn_…`), or a bare name: a hub-only account `hub:<name>` (created by
 * `hub admin create`, it links a real platform account on first login when OAuth is configured).
 */
import { IDENTITY_CHANGED } from '../identity/public.js'
import type { Cache } from '../../runtime/cache/types.js'
import { WaddleError } from '../../runtime/errors.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'
import { type CommunityRole, COMMUNITY_ROLES } from './api.js'

export interface Account {
  platform: string
  platform_user_id: string
  user_name: string
  display_name: string | null
}

export const newUserId = (): string => `idn_${crypto.randomUUID().replaceAll('-', '')}`

export function accountsOf(db: Queryable, userId: string): Promise<Account[]> {
  return db.query<Account>(sql`select platform, platform_user_id, user_name, display_name from identity_links
    where identity_id = ${userId} order by platform, user_name`)
}

export async function userOfAccount(
  db: Queryable,
  platform: string,
  platformUserId: string,
): Promise<string | undefined> {
  const row = await db.one<{ identity_id: string }>(sql`select identity_id from identity_links
    where platform = ${platform} and platform_user_id = ${platformUserId}`)
  return row?.identity_id
}

/** The user a CLI/login name means, or undefined. */
export async function findUser(db: Queryable, spec: string): Promise<string | undefined> {
  const s = spec.trim()
  if (s.startsWith('idn_')) {
    const row = await db.one<{ identity_id: string }>(
      sql`select identity_id from identity_links where identity_id = ${s}`,
    )
    return row?.identity_id
  }
  const colon = s.indexOf(':')
  const platform = colon > 0 ? s.slice(0, colon).toLowerCase() : 'hub'
  const name = (colon > 0 ? s.slice(colon + 1) : s).toLowerCase().replace(/^@/, '')
  const row = await db.one<{ identity_id: string }>(sql`select identity_id from identity_links
    where platform = ${platform} and user_name = ${name}`)
  return row?.identity_id
}

/** Like findUser; a bare name that is unknown becomes a new hub-only account `hub:<name>`. */
export async function findOrCreateHubUser(db: Queryable, spec: string, now: number): Promise<string> {
  const found = await findUser(db, spec)
  if (found) return found
  if (spec.includes(':') || spec.startsWith('idn_')) throw new WaddleError('WB_HUB_USER_UNKNOWN', { user: spec })
  const name = spec.trim().toLowerCase().replace(/^@/, '')
  if (!/^[a-z0-9_.-]{1,64}$/.test(name))
    throw new WaddleError('WB_INPUT_INVALID', {
      field: 'user',
      reason: 'use 1-64 letters, digits, dot, dash or underscore',
    })
  const id = newUserId()
  await db.execute(sql`insert into identity_links (platform, platform_user_id, identity_id, user_name, display_name, linked_at, last_seen_at)
    values ('hub', ${name}, ${id}, ${name}, ${name}, ${now}, ${now})`)
  return id
}

export async function isPlatformAdmin(db: Queryable, userId: string): Promise<boolean> {
  const row = await db.one(sql`select 1 as x from platform_admins p where p.user_id = ${userId}
    or exists (select 1 from identity_links l where l.identity_id = ${userId}
      and l.platform = p.platform and l.platform_user_id = p.platform_user_id)`)
  return row !== undefined
}

/** The user's highest role in a community (members rows of any linked account; the owner_id), or undefined. */
export async function communityRole(
  db: Queryable,
  communityId: string,
  userId: string,
): Promise<CommunityRole | undefined> {
  const rows = await db.query<{
    role: string
  }>(sql`select m.role from community_members m where m.community_id = ${communityId}
    and (m.user_id = ${userId} or exists (select 1 from identity_links l where l.identity_id = ${userId}
      and l.platform = m.platform and l.platform_user_id = m.platform_user_id))`)
  const owner = await db.one(sql`select 1 as x from communities where id = ${communityId} and owner_id = ${userId}`)
  let best = owner ? 3 : -1
  for (const r of rows) best = Math.max(best, COMMUNITY_ROLES.indexOf(r.role as CommunityRole))
  return best < 0 ? undefined : COMMUNITY_ROLES[best]
}

/**
 * Links a platform account (proved by OAuth) to `userId`. An account linked to another identity moves here
 * together with every account of that identity (as `!verify` does). Tells every process to forget the cache.
 */
export async function linkAccount(db: Queryable, cache: Cache, userId: string, a: Account, now: number): Promise<void> {
  const current = await userOfAccount(db, a.platform, a.platform_user_id)
  const moved: { platform: string; user_id: string }[] = [{ platform: a.platform, user_id: a.platform_user_id }]
  if (current === undefined) {
    await db.execute(sql`insert into identity_links (platform, platform_user_id, identity_id, user_name, display_name, linked_at, last_seen_at)
      values (${a.platform}, ${a.platform_user_id}, ${userId}, ${a.user_name.toLowerCase()}, ${a.display_name}, ${now}, ${now})
      on conflict (platform, platform_user_id) do update set identity_id = ${userId}`)
  } else if (current !== userId) {
    for (const other of await accountsOf(db, current))
      moved.push({ platform: other.platform, user_id: other.platform_user_id })
    await db.execute(
      sql`update identity_links set identity_id = ${userId}, linked_at = ${now} where identity_id = ${current}`,
    )
    await db.execute(sql`update community_members set user_id = ${userId} where user_id = ${current}`)
  }
  await cache.publish(IDENTITY_CHANGED, { accounts: moved })
}

/** Moves one account out of `userId` into an identity of its own; false when it is not the user's or the last one. */
export async function unlinkAccount(
  db: Queryable,
  cache: Cache,
  userId: string,
  platform: string,
  platformUserId: string,
  now: number,
): Promise<boolean> {
  const accounts = await accountsOf(db, userId)
  if (accounts.length < 2 || !accounts.some((a) => a.platform === platform && a.platform_user_id === platformUserId))
    return false
  await db.execute(sql`update identity_links set identity_id = ${newUserId()}, linked_at = ${now}
    where platform = ${platform} and platform_user_id = ${platformUserId} and identity_id = ${userId}`)
  await cache.publish(IDENTITY_CHANGED, { accounts: [{ platform, user_id: platformUserId }] })
  return true
}

export function displayName(accounts: readonly Account[]): string {
  const real = accounts.find((a) => a.platform !== 'hub') ?? accounts[0]
  return real ? (real.display_name ?? real.user_name) : 'unknown'
}
