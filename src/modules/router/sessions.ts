/**
 * The router's sessions: which entity (channel) an event's session belongs to, kept one hour so that a
 * module's later reply (`POST /api/v1/responses`) goes back to the right channel.
 *
 * With Redis they are cache keys (`session:<id>`), shared by every router process. With the in-process
 * cache they live in one compact table per cache instead (LocalSessions): through the generic cache each was
 * five objects (the key, Keyv's JSON, the expiry) and a JSON round trip per command (≈ 18 % of the in-process
 * pipeline's CPU and much of its GC, docs/performance.md).
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

/** Sessions per generation at most (an eighth of the bound when that is smaller). */
const GENERATION = 16_384
/** Entity names held at most; beyond, the numbering (and every session) starts again. */
const ENTITY_LIMIT = 2 ** 21
/** Generations kept for reuse once dropped (each ≈ 450 KB of typed arrays). */
const SPARE_GENERATIONS = 2

/** A session id's 128 bits, when it is a UUID as `randomUUID()` writes it (36 characters, lowercase). */
const parsed = new Uint32Array(4)

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48 // 0-9
  if (c >= 97 && c <= 102) return c - 87 // a-f
  return -1
}

/** Fills `parsed` with the id's bits; false when it is not a lowercase UUID. Allocates nothing. */
function parseUuid(id: string): boolean {
  if (id.length !== 36) return false
  let word = 0
  let nibbles = 0
  for (let i = 0; i < 36; i++) {
    const c = id.charCodeAt(i)
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false // '-'
      continue
    }
    const v = hexValue(c)
    if (v < 0) return false
    word = (word << 4) | v
    if (++nibbles % 8 === 0) {
      parsed[nibbles / 8 - 1] = word >>> 0
      word = 0
    }
  }
  return true
}

/**
 * One generation: up to `capacity` sessions in typed arrays (4 words of id, the entity's number, the second
 * it was stored) and an open-addressing table of their positions. Nothing in it is a JavaScript object per
 * session, so the garbage collector neither copies nor marks sessions.
 */
class Generation {
  readonly ids: Uint32Array
  readonly entities: Uint32Array
  readonly seconds: Uint32Array
  /** Position + 1 of the session in each slot, 0 when empty; twice the capacity, a power of two. */
  readonly slots: Uint16Array
  readonly mask: number
  size = 0
  /** The second its first session was stored. */
  started = 0

  constructor(readonly capacity: number) {
    this.ids = new Uint32Array(capacity * 4)
    this.entities = new Uint32Array(capacity)
    this.seconds = new Uint32Array(capacity)
    let tableSize = 2
    while (tableSize < capacity * 2) tableSize *= 2
    this.slots = new Uint16Array(tableSize)
    this.mask = tableSize - 1
  }

  reset(second: number): this {
    this.slots.fill(0)
    this.size = 0
    this.started = second
    return this
  }

  /** Stores the id in `parsed` (the caller checked there is room). */
  add(entity: number, second: number): void {
    const at = this.size++
    this.ids.set(parsed, at * 4)
    this.entities[at] = entity
    this.seconds[at] = second
    let slot = parsed[0]! & this.mask
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask
    this.slots[slot] = at + 1
  }

  /** Position of the id in `parsed`, or -1. */
  find(): number {
    const { ids, slots, mask } = this
    for (let slot = parsed[0]! & mask; ; slot = (slot + 1) & mask) {
      const held = slots[slot]!
      if (held === 0) return -1
      const k = (held - 1) * 4
      if (ids[k] === parsed[0] && ids[k + 1] === parsed[1] && ids[k + 2] === parsed[2] && ids[k + 3] === parsed[3])
        return held - 1
    }
  }
}

/**
 * Sessions in one process, in generations of at most {@link GENERATION}: every session lives the same time,
 * so whole generations expire oldest first, and the oldest generation goes while there are more than `max`.
 * Session ids are the router's own `randomUUID()`s, kept as their 128 bits; any other id is never stored,
 * so it is unknown.
 *
 * One Map of 200,000 sessions with the oldest deleted at every insert stalled for up to 12 ms whenever V8
 * rehashed it; Maps per generation then kept each session as a string and a number on the heap, ≈ 100 bytes
 * that every garbage collection moved or marked (at 5,000 commands/s ≈ 0.5 MB/s promoted to the old
 * generation, a major collection every few seconds). Typed arrays hold none (docs/performance.md).
 */
export class LocalSessions implements SessionStore {
  #generations: Generation[] = []
  readonly #spare: Generation[] = []
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
    if (!parseUuid(sessionId)) return
    let index = this.#entityIndex.get(entityId)
    if (index === undefined) {
      // More distinct entities than the table keeps (2 million): start the numbering again.
      if (this.#entities.length >= ENTITY_LIMIT) this.#forgetAll()
      index = this.#entities.push(entityId) - 1
      this.#entityIndex.set(entityId, index)
    }
    const second = Math.floor(this.now() / 1000)
    let current = this.#generations[this.#generations.length - 1]
    if (!current || current.size >= current.capacity) {
      current = (this.#spare.pop() ?? new Generation(this.#generation)).reset(second)
      this.#generations.push(current)
    }
    current.add(index, second)
    this.#size++
    this.#expire(second)
  }

  async entityOf(sessionId: string): Promise<string | undefined> {
    const now = this.now()
    this.#expire(Math.floor(now / 1000))
    if (!parseUuid(sessionId)) return undefined
    for (let g = this.#generations.length - 1; g >= 0; g--) {
      const generation = this.#generations[g]!
      const at = generation.find()
      if (at < 0) continue
      if (generation.seconds[at]! * 1000 + this.ttlMs <= now) return undefined
      return this.#entities[generation.entities[at]!]
    }
    return undefined
  }

  /** Drops the oldest generations while all their sessions have expired, or while there are more than `max`. */
  #expire(second: number): void {
    const generations = this.#generations
    while (generations.length > 1) {
      const oldest = generations[0]!
      // The oldest generation's last session was stored no later than the next generation's first.
      const expired = generations[1]!.started * 1000 + this.ttlMs <= second * 1000
      if (!expired && this.#size <= this.max) break
      this.#size -= oldest.size
      generations.shift()
      if (this.#spare.length < SPARE_GENERATIONS) this.#spare.push(oldest)
    }
  }

  #forgetAll(): void {
    this.#generations = []
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
