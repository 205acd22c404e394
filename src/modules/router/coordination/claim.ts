/**
 * The claim: the one operation where containers race. Atomic on both dialects, with no entity ever
 * handed to two containers and no container holding more than `maxClaims` live claims.
 *
 * - Postgres: one transaction. A transaction-scoped advisory lock per container serialises that
 *   container's own concurrent claims (so its count of held claims stays true); candidates are
 *   locked with `SELECT … FOR UPDATE SKIP LOCKED` (other containers' in-flight picks are skipped, not
 *   waited for) and taken with `UPDATE … RETURNING`.
 * - SQLite: one `UPDATE … WHERE entity_id IN (SELECT … LIMIT n) RETURNING` statement. A writing
 *   statement takes SQLite's write lock before it reads (BEGIN IMMEDIATE semantics) and holds it only
 *   while the statement runs. It deliberately does not go through `storage.transaction()`: that keeps
 *   the write lock across `await`s, and better-sqlite3 waits for a lock synchronously, so a second
 *   connection in the same process would block the event loop the first one needs to commit, until
 *   the busy timeout fails it. One statement never yields while it holds the lock.
 */
import { sql } from '../../../runtime/storage/sql.js'
import type { Storage } from '../../../runtime/storage/types.js'
import { COLUMNS, type CoordinationRow, claimOrder, toEntity } from './rows.js'
import type { CoordinationEntity } from './types.js'

/** First key of the two-key advisory locks taken by claims ("coor"); the second is the container's hash. */
const ADVISORY_NAMESPACE = 0x636f6f72

/** An unclaimed entity, or one whose claim has expired; never one in `error`. */
const claimable = (platform: string, now: number) =>
  sql`platform = ${platform} and (claimed_by is null or claim_expires is null or claim_expires <= ${now})
    and status <> 'error'`

export interface ClaimRequest {
  readonly platform: string
  readonly containerId: string
  readonly maxClaims: number
  readonly now: number
  readonly expires: number
}

/** Claims for `request.containerId`; returns the newly claimed entities in claim order. */
export async function claimEntities(storage: Storage, request: ClaimRequest): Promise<CoordinationEntity[]> {
  const rows =
    storage.dialect === 'postgres' ? await claimPostgres(storage, request) : await claimSqlite(storage, request)
  return rows.map(toEntity).sort(claimOrder)
}

function claimSqlite(storage: Storage, r: ClaimRequest): Promise<CoordinationRow[]> {
  return storage.query<CoordinationRow>(sql`update coordination
    set claimed_by = ${r.containerId}, claimed_at = ${r.now}, claim_expires = ${r.expires}, last_checkin = ${r.now}
    where entity_id in (
      select entity_id from coordination
      where ${claimable(r.platform, r.now)}
      order by is_live desc, priority asc, last_activity desc nulls last, entity_id asc
      limit max(0, ${r.maxClaims} - (
        select count(*) from coordination where claimed_by = ${r.containerId} and claim_expires > ${r.now})))
    returning ${COLUMNS}`)
}

function claimPostgres(storage: Storage, r: ClaimRequest): Promise<CoordinationRow[]> {
  return storage.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(cast(${ADVISORY_NAMESPACE} as integer), hashtext(cast(${r.containerId} as text)))`,
    )
    const held = await tx.one<{ n: number }>(
      sql`select count(*) as n from coordination where claimed_by = ${r.containerId} and claim_expires > ${r.now}`,
    )
    const room = r.maxClaims - Number(held?.n ?? 0)
    if (room <= 0) return []
    const picked = await tx.query<{ entity_id: string }>(sql`select entity_id from coordination
      where ${claimable(r.platform, r.now)}
      order by is_live desc, priority asc, last_activity desc nulls last, entity_id collate "C" asc
      limit ${room}
      for update skip locked`)
    if (picked.length === 0) return []
    // The rows are locked by this transaction, so the guard cannot change under us; it stays as a backstop.
    return tx.query<CoordinationRow>(sql`update coordination
      set claimed_by = ${r.containerId}, claimed_at = ${r.now}, claim_expires = ${r.expires}, last_checkin = ${r.now}
      where entity_id in (${sql.join(picked.map((p) => p.entity_id))}) and ${claimable(r.platform, r.now)}
      returning ${COLUMNS}`)
  })
}
