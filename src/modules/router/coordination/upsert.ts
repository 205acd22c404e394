/**
 * Registering entities: `INSERT … ON CONFLICT (entity_id) DO UPDATE`, in chunks, so calling it again
 * with the same list changes nothing. Claims, live state and errors of known entities are kept;
 * `server_id` / `channel_id` / `priority` change only when given.
 */
import { sql } from '../../../runtime/storage/sql.js'
import type { Sql, Storage } from '../../../runtime/storage/types.js'
import type { EntityInput, UpsertResult } from './types.js'

/** Rows per statement: 5 parameters each, far below both drivers' parameter limits. */
const CHUNK = 200

const RESET_ERRORS: Sql = sql`, status = case when coordination.status = 'error' then 'offline' else coordination.status end,
  error_count = 0, last_error = null`

const KEEP_IDS: Sql = sql`platform = excluded.platform,
  server_id = coalesce(excluded.server_id, coordination.server_id),
  channel_id = coalesce(excluded.channel_id, coordination.channel_id)`

/** Upserts `entities` of `platform`; the last entry wins when an id repeats. */
export async function upsertEntities(
  storage: Storage,
  platform: string,
  entities: readonly EntityInput[],
  resetErrors: boolean,
): Promise<UpsertResult> {
  const unique = [...new Map(entities.map((e) => [e.entity_id, e])).values()]
  const reset = resetErrors ? RESET_ERRORS : sql.empty
  let created = 0
  for (let i = 0; i < unique.length; i += CHUNK) {
    const chunk = unique.slice(i, i + CHUNK)
    const known = await storage.query<{ entity_id: string }>(
      sql`select entity_id from coordination where entity_id in (${sql.join(chunk.map((e) => e.entity_id))})`,
    )
    created += chunk.length - known.length
    const withPriority = chunk.filter((e) => e.priority !== undefined)
    const without = chunk.filter((e) => e.priority === undefined)
    if (withPriority.length > 0) {
      const rows = withPriority.map(
        (e) => sql`(${e.entity_id}, ${platform}, ${e.server_id ?? null}, ${e.channel_id ?? null}, ${e.priority})`,
      )
      await storage.execute(sql`insert into coordination (entity_id, platform, server_id, channel_id, priority)
        values ${sql.join(rows)}
        on conflict (entity_id) do update set ${KEEP_IDS}, priority = excluded.priority${reset}`)
    }
    if (without.length > 0) {
      const rows = without.map(
        (e) => sql`(${e.entity_id}, ${platform}, ${e.server_id ?? null}, ${e.channel_id ?? null})`,
      )
      await storage.execute(sql`insert into coordination (entity_id, platform, server_id, channel_id)
        values ${sql.join(rows)}
        on conflict (entity_id) do update set ${KEEP_IDS}${reset}`)
    }
  }
  return { upserted: unique.length, created }
}
