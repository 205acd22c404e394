/** The hub's audit_log rows (logins, links, every admin change made through the hub). */
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'

export interface AuditEntry {
  readonly actor: string
  readonly action: string
  readonly target_type: string
  readonly target_id: string
  readonly details?: unknown
  readonly ip?: string | undefined
}

export async function writeAudit(db: Queryable, e: AuditEntry, now: number): Promise<void> {
  await db.execute(sql`insert into audit_log (actor, action, target_type, target_id, details, ip, created_at)
    values (${e.actor}, ${e.action}, ${e.target_type}, ${e.target_id}, ${JSON.stringify(e.details ?? {})}, ${e.ip ?? null}, ${now})`)
}
