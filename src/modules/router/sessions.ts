/**
 * The router's sessions: which entity (channel) an event's session belongs to, kept one hour so that a
 * module's later reply (`POST /api/v1/responses`) goes back to the right channel.
 *
 * With Redis they are cache keys (`session:<id>`), shared by every router process. With the in-process
 * cache they live in one compact table per cache instead: a Map from session id to a small number naming
 * the entity, and the ids in the order they were stored, to expire and bound them. One entry is one string
 * and one Map slot; through the generic cache it was five objects (the key, Keyv's JSON, the expiry) and a
 * JSON round trip per command (≈ 18 % of the in-process pipeline's CPU and much of its GC, docs/performance.md).
 */
import { isCacheOutage } from '../../runtime/cache/index.js'
import type { Cache } from '../../runtime/cache/types.js'

export const SESSION_TTL_MS = 60 * 60 * 1000
/** Sessions kept at most in one process on the in-process cache; the oldest go first. */
export const MAX_LOCAL_SESSIONS = 200_000

export interface SessionStore {
  /** Stores a session without waiting; a failure is reported through `onError` (a Redis outage is not). */
  remember(sessionId: string, entityId: string): void
  /** The entity of a stored, unexpired session. */
  entityOf(sessionId: string): Promise<string | undefined>
}

/** Sessions per generation at most (an eighth of the bound when that is smaller): a Map never grows past it. */
const GENERATION = 16_384
/** Entity numbers take the low 21 bits of a stored value, the second it was stored the rest (< 2^53). */
const ENTITY_BITS = 2 ** 21

/**
 * Sessions in one process, in generations of at most {@link GENERATION}: one Map per generation, from
 * session id to the second it was stored and the number of its entity. Every session lives the same time,
 * so whole generations expire oldest first, and the oldest generation goes while there are more than `max`.
 *
 * One Map of 200,000 sessions with the oldest deleted at every insert stalled for up to 12 ms whenever V8
 * rehashed it (15 stalls over 1.5 million inserts, 0.95–1.86 s in all); generations that only grow took
 * 0.26 s for the same inserts, their longest stall 3.6 ms (docs/performance.md).
 */
export class LocalSessions implements SessionStore {
  #generations: Map<string, number>[] = [new Map()]
  /** The second each generation's first session was stored (parallel to #generations). */
  #started: number[] = [0]
  readonly #entities: string[] = []
  readonly #entityIndex = new Map<string, number>()
  #size = 0
  readonly #generation: number

  constructor(
    private readonly ttlMs = SESSION_TTL_MS,
    private readonly max = MAX_LOCAL_SESSIONS,
    private readonly now: () => number = Date.now,
  ) {
    this.#generation = Math.max(1, Math.min(GENERATION, Math.floor(max / 8)))
  }

  /** Sessions held: expired ones count until their whole generation goes. */
  get size(): number {
    return this.#size
  }

  remember(sessionId: string, entityId: string): void {
    let index = this.#entityIndex.get(entityId)
    if (index === undefined) {
      // More distinct entities than a value holds (2 million): start the numbering again.
      if (this.#entities.length >= ENTITY_BITS) this.#forgetAll()
      index = this.#entities.push(entityId) - 1
      this.#entityIndex.set(entityId, index)
    }
    const second = Math.floor(this.now() / 1000)
    let current = this.#generations[this.#generations.length - 1]!
    if (current.size >= this.#generation) {
      current = new Map()
      this.#generations.push(current)
      this.#started.push(second)
    }
    current.set(sessionId, second * ENTITY_BITS + index)
    this.#size++
    this.#expire(second)
  }

  async entityOf(sessionId: string): Promise<string | undefined> {
    const now = this.now()
    this.#expire(Math.floor(now / 1000))
    for (let g = this.#generations.length - 1; g >= 0; g--) {
      const value = this.#generations[g]!.get(sessionId)
      if (value === undefined) continue
      if (Math.floor(value / ENTITY_BITS) * 1000 + this.ttlMs <= now) return undefined
      return this.#entities[value % ENTITY_BITS]
    }
    return undefined
  }

  /** Drops the oldest generations while all their sessions have expired, or while there are more than `max`. */
  #expire(second: number): void {
    const generations = this.#generations
    while (generations.length > 1) {
      const oldest = generations[0]!
      // The oldest generation's last session was stored no later than the next generation's first.
      const expired = this.#started[1]! * 1000 + this.ttlMs <= second * 1000
      if (!expired && this.#size <= this.max) break
      this.#size -= oldest.size
      generations.shift()
      this.#started.shift()
    }
  }

  #forgetAll(): void {
    this.#generations = [new Map()]
    this.#started = [0]
    this.#entities.length = 0
    this.#entityIndex.clear()
    this.#size = 0
  }
}

/** Sessions as `session:<id>` keys of a shared cache (Redis). */
export class CachedSessions implements SessionStore {
  constructor(
    private readonly cache: Cache,
    private readonly onError: (err: unknown) => void,
  ) {}

  remember(sessionId: string, entityId: string): void {
    this.cache.set(`session:${sessionId}`, { entity_id: entityId }, SESSION_TTL_MS).catch((err: unknown) => {
      // A Redis outage is reported once, when it starts; not once per event.
      if (!isCacheOutage(err)) this.onError(err)
    })
  }

  async entityOf(sessionId: string): Promise<string | undefined> {
    return (await this.cache.get<{ entity_id: string }>(`session:${sessionId}`))?.entity_id
  }
}

/** One local table per in-process cache, so a router module reloaded in the same process keeps its sessions. */
const local = new WeakMap<Cache, LocalSessions>()

/** The session store for a router using `cache`. */
export function sessionStoreFor(cache: Cache, onError: (err: unknown) => void): SessionStore {
  if (cache.kind !== 'memory') return new CachedSessions(cache, onError)
  let store = local.get(cache)
  if (!store) {
    store = new LocalSessions()
    local.set(cache, store)
  }
  return store
}
