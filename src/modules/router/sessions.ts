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

/** Sessions in one process: insertion order is expiry order, since every session lives the same time. */
export class LocalSessions implements SessionStore {
  readonly #entity = new Map<string, number>()
  readonly #entities: string[] = []
  readonly #entityIndex = new Map<string, number>()
  #ids: string[] = []
  #times: number[] = []
  #head = 0

  constructor(
    private readonly ttlMs = SESSION_TTL_MS,
    private readonly max = MAX_LOCAL_SESSIONS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#entity.size
  }

  remember(sessionId: string, entityId: string): void {
    let index = this.#entityIndex.get(entityId)
    if (index === undefined) {
      index = this.#entities.push(entityId) - 1
      this.#entityIndex.set(entityId, index)
    }
    const now = this.now()
    this.#entity.set(sessionId, index)
    this.#ids.push(sessionId)
    this.#times.push(now)
    this.#expire(now)
  }

  async entityOf(sessionId: string): Promise<string | undefined> {
    this.#expire(this.now())
    const index = this.#entity.get(sessionId)
    return index === undefined ? undefined : this.#entities[index]
  }

  /** Drops sessions past their time, and the oldest beyond `max`. */
  #expire(now: number): void {
    const ids = this.#ids
    const times = this.#times
    let head = this.#head
    while (head < ids.length && (times[head]! + this.ttlMs <= now || this.#entity.size > this.max)) {
      this.#entity.delete(ids[head]!)
      head++
    }
    if (head > 4096 && head * 2 > ids.length) {
      this.#ids = ids.slice(head)
      this.#times = times.slice(head)
      head = 0
    }
    this.#head = head
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
