/** The coordination row as stored (0/1 booleans) and its mapping to the API shape. */
import { sql } from '../../../runtime/storage/sql.js'
import type { Sql } from '../../../runtime/storage/types.js'
import type { CoordinationEntity, EntityStatus } from './types.js'

/** The columns every statement returns, in API order. */
export const COLUMNS: Sql = sql.raw(
  'entity_id, platform, server_id, channel_id, status, is_live, viewer_count, live_since, last_activity, ' +
    'priority, claimed_by, claimed_at, claim_expires, last_checkin, error_count, last_error',
)

/** A row of `COLUMNS` as the drivers return it. */
export interface CoordinationRow {
  entity_id: string
  platform: string
  server_id: string | null
  channel_id: string | null
  status: string
  is_live: number | boolean
  viewer_count: number
  live_since: number | null
  last_activity: number | null
  priority: number
  claimed_by: string | null
  claimed_at: number | null
  claim_expires: number | null
  last_checkin: number | null
  error_count: number
  last_error: string | null
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))

/** Maps a stored row to the API shape. */
export function toEntity(row: CoordinationRow): CoordinationEntity {
  return {
    entity_id: row.entity_id,
    platform: row.platform,
    server_id: row.server_id,
    channel_id: row.channel_id,
    status: row.status as EntityStatus,
    is_live: Number(row.is_live) === 1,
    viewer_count: Number(row.viewer_count),
    live_since: num(row.live_since),
    last_activity: num(row.last_activity),
    priority: Number(row.priority),
    claimed_by: row.claimed_by,
    claimed_at: num(row.claimed_at),
    claim_expires: num(row.claim_expires),
    last_checkin: num(row.last_checkin),
    error_count: Number(row.error_count),
    last_error: row.last_error,
  }
}

/**
 * The claim order: live first, then priority ascending, then most recent activity (never-active last),
 * then entity id (byte order). The SQL `ORDER BY` of a claim and this comparator agree.
 */
export function claimOrder(a: CoordinationEntity, b: CoordinationEntity): number {
  if (a.is_live !== b.is_live) return a.is_live ? -1 : 1
  if (a.priority !== b.priority) return a.priority - b.priority
  const la = a.last_activity ?? Number.NEGATIVE_INFINITY
  const lb = b.last_activity ?? Number.NEGATIVE_INFINITY
  if (la !== lb) return lb - la
  return a.entity_id < b.entity_id ? -1 : a.entity_id > b.entity_id ? 1 : 0
}
