/**
 * Filter settings in the database (module `router`): `router_filters` holds the overrides of one filter for
 * a community (`entity_id` = '') or one of its channels; `router_filter_chatters` remembers who has chatted in
 * a community, for the first-time-chatter rule. Changes are announced on the cache channel `filters:changed`.
 */
import type { Cache } from '../../../runtime/cache/types.js'
import { sql } from '../../../runtime/storage/sql.js'
import type { Migration, Queryable } from '../../../runtime/storage/types.js'
import { type Overrides, parseAssignments } from './settings.js'
import { type FilterName, isFilterName } from './types.js'

export const filterMigrations: Migration[] = [
  {
    id: '0102_router_filters',
    sql: `create table if not exists router_filters (
  community_id text not null,
  entity_id text not null default '',
  filter text not null,
  settings text not null default '{}',
  updated_at bigint not null,
  primary key (community_id, entity_id, filter)
)`,
  },
  {
    id: '0103_router_filter_chatters',
    sql: `create table if not exists router_filter_chatters (
  community_id text not null,
  platform text not null,
  user_id text not null,
  first_seen_at bigint not null,
  primary key (community_id, platform, user_id)
)`,
  },
]

/** Pub/sub channel announcing a settings change. */
export const FILTERS_CHANGED = 'filters:changed'

/** One stored row: the overrides of `filter` for a community, or for one of its channels. */
export interface FilterRow {
  readonly community_id: string
  /** '' for the whole community. */
  readonly entity_id: string
  readonly filter: FilterName
  readonly settings: Overrides
  readonly updated_at: number
}

function parseJson(text: unknown): Overrides {
  try {
    const v = JSON.parse(String(text))
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Overrides) : {}
  } catch {
    return {}
  }
}

/** Every stored row (optionally of one community), by community, channel, filter. */
export async function listFilterRows(db: Queryable, communityId?: string): Promise<FilterRow[]> {
  const where = communityId === undefined ? sql.empty : sql`where community_id = ${communityId}`
  const rows = await db.query<
    Record<string, unknown>
  >(sql`select community_id, entity_id, filter, settings, updated_at from router_filters ${where}
    order by community_id, entity_id, filter`)
  return rows
    .filter((r) => isFilterName(String(r.filter)))
    .map((r) => ({
      community_id: String(r.community_id),
      entity_id: String(r.entity_id ?? ''),
      filter: r.filter as FilterName,
      settings: parseJson(r.settings),
      updated_at: Number(r.updated_at),
    }))
}

/** Where a setting applies: a community, or one channel (entity) of it. */
export interface FilterScope {
  readonly communityId: string
  readonly entityId?: string | undefined
}

/**
 * Validates `key=value` pairs for `filter` and stores them over the scope's existing overrides; returns the
 * scope's overrides after the change. @throws WaddleError WB_INPUT_INVALID naming `<filter>.<key>`
 */
export async function setFilterSettings(
  db: Queryable,
  scope: FilterScope,
  filter: FilterName,
  pairs: readonly string[],
): Promise<Overrides> {
  const changes = parseAssignments(filter, pairs)
  const entity = scope.entityId ?? ''
  const row = await db.one<{ settings: unknown; updated_at: unknown }>(
    sql`select settings, updated_at from router_filters where community_id = ${scope.communityId} and entity_id = ${entity} and filter = ${filter}`,
  )
  const merged = { ...(row ? parseJson(row.settings) : {}), ...changes }
  const now = Math.max(Date.now(), row ? Number(row.updated_at) + 1 : 0)
  await db.execute(sql`insert into router_filters (community_id, entity_id, filter, settings, updated_at)
    values (${scope.communityId}, ${entity}, ${filter}, ${JSON.stringify(merged)}, ${now})
    on conflict (community_id, entity_id, filter) do update set settings = excluded.settings, updated_at = excluded.updated_at`)
  return merged
}

/** Removes a scope's overrides of `filter` (back to the community's or the defaults); true when there were some. */
export async function resetFilterSettings(db: Queryable, scope: FilterScope, filter: FilterName): Promise<boolean> {
  const { changes } = await db.execute(sql`delete from router_filters where community_id = ${scope.communityId}
    and entity_id = ${scope.entityId ?? ''} and filter = ${filter}`)
  return changes > 0
}

/** Changes whenever a row is added, changed or removed (count and latest update). */
export async function filtersFingerprint(db: Queryable): Promise<string> {
  const row = await db.one<{ n: unknown; u: unknown }>(
    sql`select count(*) as n, max(updated_at) as u from router_filters`,
  )
  return `${Number(row?.n ?? 0)}:${Number(row?.u ?? 0)}`
}

/** Records that a user chatted in a community; true when this is the first time. */
export async function recordChatter(
  db: Queryable,
  communityId: string,
  platform: string,
  userId: string,
): Promise<boolean> {
  const { changes } =
    await db.execute(sql`insert into router_filter_chatters (community_id, platform, user_id, first_seen_at)
    values (${communityId}, ${platform}, ${userId}, ${Date.now()}) on conflict (community_id, platform, user_id) do nothing`)
  return changes > 0
}

/** Tells every router to reload the filter settings. */
export async function announceFiltersChanged(cache: Cache): Promise<void> {
  await cache.publish(FILTERS_CHANGED, { at: Date.now() })
}
