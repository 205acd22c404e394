/**
 * The current state of each community's overlays, kept in the cache (`overlay:state:<community>:<type>`) so
 * every browser-source process sees it: the media now playing (until its duration passes, if it has one),
 * the ticker queue (items not yet finished, scheduled one after another) and the last general item (until
 * its duration passes, if it has one). A newly connected overlay is sent this state at once.
 */
import type { Cache } from '../../runtime/cache/types.js'
import { type DisplayData, lifetimeMs } from './display.js'
import type { Clock, OverlayType } from './tokens.js'

/** What an overlay page receives over its WebSocket. */
export interface OverlayMessage {
  readonly type: OverlayType | 'hello'
  readonly data: unknown
  /** When the display was accepted (epoch ms); pages compute progress from it. */
  readonly ts: number
  /** Unique per display; pages ignore a message they have seen (state and live delivery may overlap). */
  readonly id: string
}

interface SingleState {
  readonly message: OverlayMessage
  readonly expires_at: number | null
}

interface TickerItem {
  readonly message: OverlayMessage
  readonly ends_at: number
}

interface TickerState {
  readonly items: TickerItem[]
}

/** At most this many ticker items are kept pending per community. */
export const TICKER_QUEUE_MAX = 100
/** Cached state outlives its expiry by this much (the expiry itself is checked on read). */
const GC_MARGIN_MS = 60_000

/** Reads and updates the current overlay state of every community. */
export class OverlayState {
  readonly #chains = new Map<string, Promise<unknown>>()

  constructor(
    private readonly cache: Cache,
    private readonly clock: Clock,
  ) {}

  /** The cache key of a community's state of `type`. */
  static key(communityId: string, type: OverlayType): string {
    return `overlay:state:${communityId}:${type}`
  }

  /** Records a display as the new current state (media/general replace it, ticker items queue up). */
  async record(communityId: string, message: OverlayMessage & { type: OverlayType }): Promise<void> {
    const key = OverlayState.key(communityId, message.type)
    const now = this.clock.now()
    const life = lifetimeMs(message.type, message.data as DisplayData)
    if (message.type !== 'ticker') {
      const state: SingleState = { message, expires_at: life === undefined ? null : message.ts + life }
      await this.cache.set(key, state, life === undefined ? 0 : Math.max(1, message.ts + life - now) + GC_MARGIN_MS)
      return
    }
    await this.#exclusive(key, async () => {
      const pending = this.#pending(await this.cache.get<TickerState>(key), now)
      const start = Math.max(now, pending.at(-1)?.ends_at ?? 0)
      const items = [...pending, { message, ends_at: start + (life ?? 0) }].slice(-TICKER_QUEUE_MAX)
      await this.cache.set(key, { items } satisfies TickerState, items.at(-1)!.ends_at - now + GC_MARGIN_MS)
    })
  }

  /** The messages a newly connected overlay of `type` should get, oldest first. */
  async current(communityId: string, type: OverlayType): Promise<OverlayMessage[]> {
    const now = this.clock.now()
    const key = OverlayState.key(communityId, type)
    if (type === 'ticker') return this.#pending(await this.cache.get<TickerState>(key), now).map((i) => i.message)
    const state = await this.cache.get<SingleState>(key)
    if (!state || (state.expires_at !== null && state.expires_at <= now)) return []
    return [state.message]
  }

  /** Forgets a community's state of `type`. */
  async clear(communityId: string, type: OverlayType): Promise<void> {
    await this.cache.delete(OverlayState.key(communityId, type))
  }

  #pending(state: TickerState | undefined, now: number): TickerItem[] {
    return (state?.items ?? []).filter((i) => i.ends_at > now)
  }

  /** Runs `work` alone for `key`: in this process (a promise chain) and, on Redis, across processes (a lock). */
  #exclusive(key: string, work: () => Promise<void>): Promise<void> {
    const previous = this.#chains.get(key) ?? Promise.resolve()
    const run = previous
      .catch(() => {})
      .then(async () => {
        const lock = this.cache.kind === 'redis' ? await this.#lock(`${key}:lock`) : undefined
        try {
          await work()
        } finally {
          await lock?.release()
        }
      })
    this.#chains.set(key, run)
    void run
      .finally(() => {
        if (this.#chains.get(key) === run) this.#chains.delete(key)
      })
      .catch(() => {})
    return run
  }

  /** Takes the cross-process lock, waiting up to ~1 s; proceeds without it rather than dropping a display. */
  async #lock(key: string): Promise<{ release(): Promise<void> } | undefined> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const lock = await this.cache.tryLock(key, 2000)
      if (lock) return lock
      await new Promise((r) => setTimeout(r, 10))
    }
    return undefined
  }
}
