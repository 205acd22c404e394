/**
 * Types of the coordination store (CONTRACT §4.3): which collector container serves which entity.
 * A claim is held by `claimed_by` until `claim_expires` (epoch ms); after that it is free for anyone.
 */

/** Stream state of an entity. Whether it is claimed is separate: see `claimed_by` / `claim_expires`. */
export type EntityStatus = 'offline' | 'live' | 'error'

/** One row of the `coordination` table, as the API returns it (booleans as booleans, times as epoch ms). */
export interface CoordinationEntity {
  readonly entity_id: string
  readonly platform: string
  readonly server_id: string | null
  readonly channel_id: string | null
  readonly status: EntityStatus
  readonly is_live: boolean
  readonly viewer_count: number
  /** When the entity last went offline → live; null while offline. */
  readonly live_since: number | null
  /** Last `status` call with `has_activity: true`. */
  readonly last_activity: number | null
  /** Lower is claimed first (after live entities). Default 100. */
  readonly priority: number
  readonly claimed_by: string | null
  readonly claimed_at: number | null
  readonly claim_expires: number | null
  /** Last check-in, heartbeat or status call of the holder. */
  readonly last_checkin: number | null
  /** Consecutive errors; reset by activity. */
  readonly error_count: number
  readonly last_error: string | null
}

/** An entity to register (`POST /coordination/entities`, or the config seed). */
export interface EntityInput {
  readonly entity_id: string
  readonly server_id?: string | undefined
  readonly channel_id?: string | undefined
  /** Lower is claimed first; default 100 for new entities, unchanged for known ones when omitted. */
  readonly priority?: number | undefined
}

export interface UpsertResult {
  /** Entities written (new or updated). */
  readonly upserted: number
  /** Of those, entities that did not exist before. */
  readonly created: number
}

export interface CoordinationOptions {
  /** How long a claim lasts without a check-in. Default 30 min. */
  readonly claimTtlMs?: number | undefined
  /** How often containers are told to check in. Default 5 min; must be below `claimTtlMs`. */
  readonly checkinIntervalMs?: number | undefined
  /** Consecutive errors after which an entity gets status `error` and its claim is released. Default 3. */
  readonly maxErrors?: number | undefined
  /** Clock (epoch ms); tests inject one. Default `Date.now`. */
  readonly now?: (() => number) | undefined
}

/** The resolved timings of a coordination store. */
export interface CoordinationTimings {
  readonly claimTtlMs: number
  readonly checkinIntervalMs: number
  readonly maxErrors: number
}

/** What the holder reports about one entity (`POST /coordination/status`). */
export interface StatusUpdate {
  readonly is_live?: boolean | undefined
  readonly viewer_count?: number | undefined
  /** Chat or other activity seen: sets `last_activity` and resets the error count. */
  readonly has_activity?: boolean | undefined
}

/** Why a holder-only operation was refused. */
export type RefusalReason = 'not_holder' | 'unknown_entity'

/**
 * The result of a holder-only operation: applied, or refused without any change.
 * `held_by` names the current holder (null when nobody holds a live claim).
 */
export type HolderResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: RefusalReason; readonly entity_id: string; readonly held_by: string | null }

export interface ErrorOutcome {
  readonly entity: CoordinationEntity
  /** True when this error reached `maxErrors`: status is now `error` and the claim was released. */
  readonly released: boolean
}

export interface CheckinResult {
  readonly container_id: string
  readonly timestamp: number
  /** Entities whose claim was renewed. A claim missing here is no longer this container's. */
  readonly renewed: readonly string[]
  /** The new expiry of every renewed claim (null when nothing was renewed). */
  readonly claim_expires: number | null
}

export interface HeartbeatResult {
  readonly container_id: string
  readonly timestamp: number
  /** The entities this container holds (claims not extended). */
  readonly entities: readonly CoordinationEntity[]
}

export interface ReleaseResult {
  readonly container_id: string
  readonly released: readonly string[]
  /** Requested entities this container did not hold: left untouched. */
  readonly not_held: readonly string[]
}

export interface ClaimCounts {
  readonly total: number
  /** Held by a container whose claim has not expired. */
  readonly claimed: number
  readonly unclaimed: number
  /** `claimed_by` set but `claim_expires` passed: free for any container. */
  readonly expired: number
  readonly by_status: Readonly<Record<EntityStatus, number>>
}

export interface CoordinationStats extends ClaimCounts {
  readonly timestamp: number
  readonly by_platform: Readonly<Record<string, ClaimCounts>>
  /** Unexpired claims per container. */
  readonly containers: Readonly<Record<string, number>>
  readonly claim_ttl_ms: number
  readonly checkin_interval_ms: number
}

/** The coordination store: every operation is one atomic step on SQLite and on Postgres. */
export interface Coordination {
  readonly timings: CoordinationTimings
  /** Registers entities of `platform`; idempotent. `resetErrors` returns `error` entities to rotation. */
  upsertEntities(
    platform: string,
    entities: readonly EntityInput[],
    options?: { resetErrors?: boolean },
  ): Promise<UpsertResult>
  /** Claims free entities of `platform` until `containerId` holds at most `maxClaims` (default 5). */
  claim(platform: string, containerId: string, maxClaims?: number): Promise<CoordinationEntity[]>
  /** Renews every claim `containerId` holds: `claim_expires = now + claimTtlMs`. */
  checkin(containerId: string): Promise<CheckinResult>
  /** Liveness only: sets `last_checkin` on its claims without extending them. */
  heartbeat(containerId: string): Promise<HeartbeatResult>
  /** The holder reports live state, viewers and activity of one entity. */
  status(containerId: string, entityId: string, update: StatusUpdate): Promise<HolderResult<CoordinationEntity>>
  /** The holder reports an error on one entity. */
  error(containerId: string, entityId: string, message: string): Promise<HolderResult<ErrorOutcome>>
  /** Releases the named claims (all of them when `entityIds` is omitted). */
  release(containerId: string, entityIds?: readonly string[]): Promise<ReleaseResult>
  /** Releases the holder's entities that are not live. */
  releaseOffline(containerId: string): Promise<{ readonly container_id: string; readonly released: readonly string[] }>
  stats(): Promise<CoordinationStats>
}
