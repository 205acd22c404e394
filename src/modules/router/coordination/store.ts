/**
 * The coordination store over the core `coordination` table. Stateless apart from its options: every
 * call names its container, so any number of containers (and router replicas) share one table. Each
 * operation is a single statement (or, for a Postgres claim, one transaction), hence atomic.
 */
import { sql } from '../../../runtime/storage/sql.js'
import type { Sql, Storage } from '../../../runtime/storage/types.js'
import { claimEntities } from './claim.js'
import { COLUMNS, type CoordinationRow, toEntity } from './rows.js'
import { computeStats } from './stats.js'
import type {
  Coordination,
  CoordinationOptions,
  CoordinationTimings,
  EntityInput,
  StatusUpdate,
  UpsertResult,
} from './types.js'
import { upsertEntities } from './upsert.js'

/** Defaults of `createCoordination` (CONTRACT §4.3: claims last 30 min, check-in every 5 min). */
export const DEFAULT_COORDINATION_OPTIONS = {
  claimTtlMs: 30 * 60_000,
  checkinIntervalMs: 5 * 60_000,
  maxErrors: 3,
} as const satisfies CoordinationTimings

/** Default claims per container (`max_claims`). */
export const DEFAULT_MAX_CLAIMS = 5

/** Longest `last_error` kept. */
const MAX_ERROR_LENGTH = 1000

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new RangeError(`coordination ${name} must be a positive integer, got ${value}`)
  return value
}

/**
 * Creates the coordination store.
 * @example
 * const coordination = createCoordination(ctx.storage, { claimTtlMs: 30 * 60_000 })
 * const mine = await coordination.claim('twitch', 'twitch-7f3a', 5)
 */
export function createCoordination(storage: Storage, options: CoordinationOptions = {}): Coordination {
  const timings: CoordinationTimings = {
    claimTtlMs: positiveInt('claimTtlMs', options.claimTtlMs ?? DEFAULT_COORDINATION_OPTIONS.claimTtlMs),
    checkinIntervalMs: positiveInt(
      'checkinIntervalMs',
      options.checkinIntervalMs ?? DEFAULT_COORDINATION_OPTIONS.checkinIntervalMs,
    ),
    maxErrors: positiveInt('maxErrors', options.maxErrors ?? DEFAULT_COORDINATION_OPTIONS.maxErrors),
  }
  if (timings.checkinIntervalMs >= timings.claimTtlMs) {
    throw new RangeError(
      `coordination checkinIntervalMs (${timings.checkinIntervalMs}) must be below claimTtlMs (${timings.claimTtlMs})`,
    )
  }
  const clock = options.now ?? Date.now
  /** A live claim of `containerId`. */
  const heldBy = (containerId: string, now: number): Sql => sql`claimed_by = ${containerId} and claim_expires > ${now}`

  /** Why a guarded single-entity update touched nothing. */
  async function refusal(
    entityId: string,
    now: number,
  ): Promise<{ ok: false; reason: 'not_holder' | 'unknown_entity'; entity_id: string; held_by: string | null }> {
    const row = await storage.one<{ claimed_by: string | null; claim_expires: number | null }>(
      sql`select claimed_by, claim_expires from coordination where entity_id = ${entityId}`,
    )
    if (!row) return { ok: false, reason: 'unknown_entity', entity_id: entityId, held_by: null }
    const live = row.claimed_by !== null && row.claim_expires !== null && Number(row.claim_expires) > now
    return { ok: false, reason: 'not_holder', entity_id: entityId, held_by: live ? row.claimed_by : null }
  }

  return {
    timings,

    upsertEntities: (platform, entities: readonly EntityInput[], opts = {}): Promise<UpsertResult> =>
      upsertEntities(storage, platform, entities, opts.resetErrors === true),

    async claim(platform, containerId, maxClaims = DEFAULT_MAX_CLAIMS) {
      positiveInt('maxClaims', maxClaims)
      const now = clock()
      return claimEntities(storage, { platform, containerId, maxClaims, now, expires: now + timings.claimTtlMs })
    },

    async checkin(containerId) {
      const now = clock()
      const expires = now + timings.claimTtlMs
      const rows = await storage.query<{ entity_id: string }>(sql`update coordination
        set claim_expires = ${expires}, last_checkin = ${now}
        where ${heldBy(containerId, now)} returning entity_id`)
      const renewed = rows.map((r) => r.entity_id).sort()
      return { container_id: containerId, timestamp: now, renewed, claim_expires: renewed.length > 0 ? expires : null }
    },

    async heartbeat(containerId) {
      const now = clock()
      const rows = await storage.query<CoordinationRow>(sql`update coordination set last_checkin = ${now}
        where ${heldBy(containerId, now)} returning ${COLUMNS}`)
      const entities = rows.map(toEntity).sort((a, b) => (a.entity_id < b.entity_id ? -1 : 1))
      return { container_id: containerId, timestamp: now, entities }
    },

    async status(containerId, entityId, update: StatusUpdate) {
      const now = clock()
      const sets: Sql[] = [sql`last_checkin = ${now}`]
      // SET expressions read the row as it was before this statement (both dialects).
      if (update.is_live === true) {
        sets.push(sql`is_live = 1, status = 'live', live_since = case when is_live = 1 then live_since else ${now} end`)
      } else if (update.is_live === false) {
        sets.push(sql`is_live = 0, status = 'offline', live_since = null`)
      }
      if (update.viewer_count !== undefined) sets.push(sql`viewer_count = ${update.viewer_count}`)
      if (update.has_activity === true) sets.push(sql`last_activity = ${now}, error_count = 0`)
      const row = await storage.one<CoordinationRow>(sql`update coordination set ${sql.join(sets)}
        where entity_id = ${entityId} and ${heldBy(containerId, now)} returning ${COLUMNS}`)
      return row ? { ok: true, value: toEntity(row) } : refusal(entityId, now)
    },

    async error(containerId, entityId, message) {
      const now = clock()
      const text = message.slice(0, MAX_ERROR_LENGTH)
      const failing = sql`error_count + 1 >= ${timings.maxErrors}`
      const row = await storage.one<CoordinationRow>(sql`update coordination set
          error_count = error_count + 1, last_error = ${text}, last_checkin = ${now},
          status = case when ${failing} then 'error' else status end,
          is_live = case when ${failing} then 0 else is_live end,
          claimed_by = case when ${failing} then null else claimed_by end,
          claimed_at = case when ${failing} then null else claimed_at end,
          claim_expires = case when ${failing} then null else claim_expires end
        where entity_id = ${entityId} and ${heldBy(containerId, now)} returning ${COLUMNS}`)
      if (!row) return refusal(entityId, now)
      const entity = toEntity(row)
      return { ok: true, value: { entity, released: entity.status === 'error' } }
    },

    async release(containerId, entityIds) {
      if (entityIds !== undefined && entityIds.length === 0)
        return { container_id: containerId, released: [], not_held: [] }
      const only = entityIds === undefined ? sql.empty : sql` and entity_id in (${sql.join([...new Set(entityIds)])})`
      // Expired claims of this container are cleared too: they are free already, this only tidies them.
      const rows = await storage.query<{ entity_id: string }>(sql`update coordination
        set claimed_by = null, claimed_at = null, claim_expires = null
        where claimed_by = ${containerId}${only} returning entity_id`)
      const released = rows.map((r) => r.entity_id).sort()
      const done = new Set(released)
      const notHeld = entityIds === undefined ? [] : [...new Set(entityIds)].filter((id) => !done.has(id)).sort()
      return { container_id: containerId, released, not_held: notHeld }
    },

    async releaseOffline(containerId) {
      const now = clock()
      const rows = await storage.query<{ entity_id: string }>(sql`update coordination
        set claimed_by = null, claimed_at = null, claim_expires = null
        where ${heldBy(containerId, now)} and is_live = 0 returning entity_id`)
      return { container_id: containerId, released: rows.map((r) => r.entity_id).sort() }
    },

    stats: () => computeStats(storage, clock(), timings),
  }
}
