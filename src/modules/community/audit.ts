/**
 * The audit log and the activity feed of communities (core tables `audit_log`, `community_activity`).
 * Every admin action writes one audit row: who (`actor`: `cli:<os user>`, `<platform>:<user id>`, an API key),
 * what (`action`, e.g. `community.role`), on what (`target_type`, `target_id`) and the details as JSON.
 */
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'

export interface AuditEntry {
  readonly actor: string
  readonly action: string
  readonly target_type: string
  readonly target_id: string
  readonly details?: Record<string, unknown>
  readonly ip?: string | undefined
}

export async function audit(db: Queryable, e: AuditEntry, now = Date.now()): Promise<void> {
  await db.execute(sql`insert into audit_log (actor, action, target_type, target_id, details, ip, created_at)
    values (${e.actor}, ${e.action}, ${e.target_type}, ${e.target_id}, ${JSON.stringify(e.details ?? {})}, ${e.ip ?? null}, ${now})`)
}

export interface ActivityEntry {
  readonly community_id: string
  readonly activity_type: string
  readonly entity_id?: string | null
  readonly user_id?: string | null
  readonly data?: Record<string, unknown>
}

export async function activity(db: Queryable, a: ActivityEntry, now = Date.now()): Promise<void> {
  await db.execute(sql`insert into community_activity (community_id, entity_id, user_id, activity_type, data, created_at)
    values (${a.community_id}, ${a.entity_id ?? null}, ${a.user_id ?? null}, ${a.activity_type}, ${JSON.stringify(a.data ?? {})}, ${now})`)
}

export interface AuditRow {
  id: number
  actor: string
  action: string
  target_type: string | null
  target_id: string | null
  details: string
  created_at: number
}

/** The audit rows about one community (newest first). */
export function auditOf(db: Queryable, communityId: string, limit = 100): Promise<AuditRow[]> {
  return db.query<AuditRow>(sql`select id, actor, action, target_type, target_id, details, created_at from audit_log
    where target_type = 'community' and target_id = ${communityId} order by id desc limit ${limit}`)
}

export interface ActivityRow {
  id: number
  entity_id: string | null
  user_id: string | null
  activity_type: string
  data: string
  created_at: number
}

/** The activity feed of one community (newest first). */
export function activityOf(db: Queryable, communityId: string, limit = 50): Promise<ActivityRow[]> {
  return db.query<ActivityRow>(sql`select id, entity_id, user_id, activity_type, data, created_at from community_activity
    where community_id = ${communityId} order by id desc limit ${limit}`)
}
