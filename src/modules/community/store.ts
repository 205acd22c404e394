/**
 * Communities, their entities and their members, over the core tables (`communities`, `entities`,
 * `community_members`). Every change that an admin makes writes an audit row in the same transaction
 * (audit.ts). Used by the chat commands, the REST routes and the CLI (through public.ts).
 */
import { PLATFORMS } from '../../contract/events.js'
import { WaddleError } from '../../runtime/errors.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable, Storage } from '../../runtime/storage/types.js'
import { activity, audit } from './audit.js'

export const COMMUNITY_ROLES = ['owner', 'admin', 'moderator', 'member'] as const
export type CommunityRole = (typeof COMMUNITY_ROLES)[number]
export const roleRank = (role: string): number => {
  const i = COMMUNITY_ROLES.indexOf(role as CommunityRole)
  return i < 0 ? 0 : COMMUNITY_ROLES.length - 1 - i
}

export interface Community {
  id: string
  name: string
  display_name: string
  owner_id: string | null
  created_at: number
}

export interface CommunitySummary extends Community {
  entities: number
  members: number
}

export interface Member {
  community_id: string
  user_id: string | null
  platform: string
  platform_user_id: string
  display_name: string | null
  role: string
  joined_at: number
}

/** A chat account that acts on a community. */
export interface Actor {
  readonly platform: string
  readonly user_id: string
  readonly name: string
  /** The identity id (identity module), when known. */
  readonly identity_id?: string | undefined
}

export const actorLabel = (a: Actor): string => `${a.platform}:${a.user_id}`

/** `My Stream Team` → `my-stream-team` (the community id). */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
}

/** Checks a community name: 2–64 characters with at least one letter or digit. */
export function checkName(name: string): string {
  const trimmed = name.trim()
  if (trimmed.length < 2 || trimmed.length > 64 || slug(trimmed) === '')
    throw new WaddleError('WB_INPUT_INVALID', { field: 'name', reason: 'use 2-64 characters, with letters or digits' })
  return trimmed
}

/** A community by id or name (case-insensitive). */
export function findCommunity(db: Queryable, ref: string): Promise<Community | undefined> {
  return db.one<Community>(sql`select id, name, display_name, owner_id, created_at from communities
    where id = ${ref} or lower(name) = ${ref.toLowerCase()} limit 1`)
}

export async function requireCommunity(db: Queryable, ref: string): Promise<Community> {
  const c = await findCommunity(db, ref)
  if (!c) throw new WaddleError('WB_COMMUNITY_UNKNOWN', { community: ref })
  return c
}

export async function listCommunities(db: Queryable): Promise<CommunitySummary[]> {
  const rows = await db.query<CommunitySummary>(sql`select c.id, c.name, c.display_name, c.owner_id, c.created_at,
      (select count(*) from entities e where e.community_id = c.id) as entities,
      (select count(*) from community_members m where m.community_id = c.id) as members
    from communities c order by c.id`)
  return rows.map((r) => ({
    ...r,
    created_at: Number(r.created_at),
    entities: Number(r.entities),
    members: Number(r.members),
  }))
}

/** Creates a community (WB_COMMUNITY_EXISTS when the name is taken); `owner` becomes its owner member. */
export async function createCommunity(
  db: Storage,
  input: { name: string; actor: string; owner?: Actor },
): Promise<Community> {
  const name = checkName(input.name)
  const id = slug(name)
  const now = Date.now()
  const ownerId = input.owner ? (input.owner.identity_id ?? actorLabel(input.owner)) : null
  await db.transaction(async (tx) => {
    if (await findCommunity(tx, id)) throw new WaddleError('WB_COMMUNITY_EXISTS', { community: name })
    if (await findCommunity(tx, name)) throw new WaddleError('WB_COMMUNITY_EXISTS', { community: name })
    await tx.execute(sql`insert into communities (id, name, display_name, owner_id, is_public, config, created_at)
      values (${id}, ${name}, ${name}, ${ownerId}, 1, '{}', ${now})`)
    if (input.owner) await putMember(tx, id, input.owner, 'owner', now)
    await audit(
      tx,
      { actor: input.actor, action: 'community.create', target_type: 'community', target_id: id, details: { name } },
      now,
    )
    await activity(tx, { community_id: id, activity_type: 'created', user_id: ownerId, data: { name } }, now)
  })
  return { id, name, display_name: name, owner_id: ownerId, created_at: now }
}

/** `twitch:123:456` → its parts; WB_INPUT_INVALID naming the problem. */
export function parseEntityId(entityId: string): { platform: string; server_id: string; channel_id: string } {
  const m = /^([a-z]+):([^:\s]+):([^:\s]+)$/.exec(entityId)
  if (!m)
    throw new WaddleError('WB_INPUT_INVALID', {
      field: 'entity',
      reason: 'use <platform>:<server>:<channel>, e.g. twitch:12345:12345',
    })
  if (!(PLATFORMS as readonly string[]).includes(m[1]!))
    throw new WaddleError('WB_INPUT_INVALID', {
      field: 'entity',
      reason: `platform must be one of ${PLATFORMS.join(', ')}`,
    })
  return { platform: m[1]!, server_id: m[2]!, channel_id: m[3]! }
}

/** Puts an entity (channel / server / workspace) in a community, creating its row if the router never saw it. */
export async function addEntity(
  db: Storage,
  input: { community: string; entityId: string; actor: string },
): Promise<{ community: Community; entity_id: string; previous: string | null }> {
  const parts = parseEntityId(input.entityId)
  const now = Date.now()
  return db.transaction(async (tx) => {
    const community = await requireCommunity(tx, input.community)
    const before = await tx.one<{ community_id: string | null }>(
      sql`select community_id from entities where entity_id = ${input.entityId}`,
    )
    await tx.execute(sql`insert into entities (entity_id, platform, server_id, channel_id, community_id, is_active, config, first_seen_at, last_seen_at)
      values (${input.entityId}, ${parts.platform}, ${parts.server_id}, ${parts.channel_id}, ${community.id}, 1, '{}', ${now}, ${now})
      on conflict (entity_id) do update set community_id = excluded.community_id`)
    const previous = before?.community_id ?? null
    await audit(
      tx,
      {
        actor: input.actor,
        action: 'community.add_entity',
        target_type: 'community',
        target_id: community.id,
        details: { entity_id: input.entityId, previous },
      },
      now,
    )
    await activity(tx, { community_id: community.id, entity_id: input.entityId, activity_type: 'entity_added' }, now)
    return { community, entity_id: input.entityId, previous }
  })
}

export function entitiesOf(db: Queryable, communityId: string): Promise<{ entity_id: string; platform: string }[]> {
  return db.query(sql`select entity_id, platform from entities where community_id = ${communityId} order by entity_id`)
}

export function membersOf(db: Queryable, communityId: string): Promise<Member[]> {
  return db.query<Member>(sql`select community_id, user_id, platform, platform_user_id, display_name, role, joined_at
    from community_members where community_id = ${communityId} order by display_name`)
}

async function putMember(db: Queryable, communityId: string, who: Actor, role: string, now: number): Promise<void> {
  await db.execute(sql`insert into community_members (community_id, user_id, platform, platform_user_id, display_name, role, joined_at)
    values (${communityId}, ${who.identity_id ?? null}, ${who.platform}, ${who.user_id}, ${who.name}, ${role}, ${now})
    on conflict (community_id, platform, platform_user_id) do update set role = excluded.role,
      user_id = coalesce(excluded.user_id, community_members.user_id), display_name = excluded.display_name`)
}

/** The highest role of `who` in the community: their account's row or any row of their identity. */
export async function roleOf(db: Queryable, communityId: string, who: Actor): Promise<string | undefined> {
  const rows = await db.query<{
    role: string
  }>(sql`select role from community_members where community_id = ${communityId}
    and ((platform = ${who.platform} and platform_user_id = ${who.user_id}) or user_id = ${who.identity_id ?? null})`)
  let best: string | undefined
  for (const r of rows) if (best === undefined || roleRank(r.role) > roleRank(best)) best = r.role
  return best
}

/** Joins as a member; false when already one. */
export async function join(db: Storage, communityId: string, who: Actor): Promise<boolean> {
  if (await roleOf(db, communityId, who)) return false
  const now = Date.now()
  await db.transaction(async (tx) => {
    await putMember(tx, communityId, who, 'member', now)
    await activity(
      tx,
      {
        community_id: communityId,
        user_id: who.identity_id ?? actorLabel(who),
        activity_type: 'joined',
        data: { name: who.name },
      },
      now,
    )
  })
  return true
}

/** Leaves (every row of the account and of its identity); false when not a member. */
export async function leave(db: Storage, communityId: string, who: Actor): Promise<boolean> {
  const now = Date.now()
  return db.transaction(async (tx) => {
    const r = await tx.execute(sql`delete from community_members where community_id = ${communityId}
      and ((platform = ${who.platform} and platform_user_id = ${who.user_id}) or user_id = ${who.identity_id ?? null})`)
    if (r.changes === 0) return false
    await activity(
      tx,
      {
        community_id: communityId,
        user_id: who.identity_id ?? actorLabel(who),
        activity_type: 'left',
        data: { name: who.name },
      },
      now,
    )
    return true
  })
}

/** Members whose name matches (any platform of the community), for `!community role <user>`. */
export function membersNamed(db: Queryable, communityId: string, name: string): Promise<Member[]> {
  return db.query<Member>(sql`select community_id, user_id, platform, platform_user_id, display_name, role, joined_at
    from community_members where community_id = ${communityId} and lower(display_name) = ${name.toLowerCase().replace(/^@/, '')}`)
}

/** Sets a member's role; audited. */
export async function setRole(
  db: Storage,
  input: { communityId: string; member: Member; role: CommunityRole; actor: string },
): Promise<void> {
  const now = Date.now()
  await db.transaction(async (tx) => {
    await tx.execute(sql`update community_members set role = ${input.role} where community_id = ${input.communityId}
      and platform = ${input.member.platform} and platform_user_id = ${input.member.platform_user_id}`)
    const details = {
      member: `${input.member.platform}:${input.member.platform_user_id}`,
      name: input.member.display_name,
      from: input.member.role,
      to: input.role,
    }
    await audit(
      tx,
      { actor: input.actor, action: 'community.role', target_type: 'community', target_id: input.communityId, details },
      now,
    )
    await activity(
      tx,
      { community_id: input.communityId, user_id: input.member.user_id, activity_type: 'role_changed', data: details },
      now,
    )
  })
}
