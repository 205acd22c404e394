/**
 * The player: one end-of-track timer per community. When the playing track's duration has passed, the
 * queue advances (the track is recorded as `played`, the next one starts) without a chat line; the
 * `onStart` hook shows the new track on the overlay. Timers are re-armed from the database at start, and
 * `settle()` catches up when a timer was missed (another replica started the track, or the bot was down).
 */
import type { Logger } from '../../runtime/logger.js'
import type { Storage } from '../../runtime/storage/types.js'
import { advance, allPlaying, nowPlaying, type QueueEntry } from './queue.js'

/** A cancellable one-shot timer; tests pass a manual one. */
export interface Scheduler {
  /** Calls `fn` after `ms`; `fn` returns a promise settled when the queue has advanced (tests await it). */
  set(fn: () => Promise<void>, ms: number): { cancel(): void }
}

/** setTimeout, unref'd (a pending track end never keeps the process alive). */
export const realScheduler: Scheduler = {
  set(fn, ms) {
    const timer = setTimeout(() => void fn(), Math.min(Math.max(ms, 0), 2 ** 31 - 1))
    timer.unref()
    return { cancel: () => clearTimeout(timer) }
  },
}

export interface PlayerOptions {
  readonly now: () => number
  readonly scheduler: Scheduler
  /** Called when a track starts because the previous one ended (not for commands: they reply themselves). */
  readonly onStart?: (entry: QueueEntry) => Promise<void> | void
}

/** A timer firing this early (clock drift) re-arms instead of cutting the track short. */
const EARLY_MS = 1000

export class Player {
  readonly #timers = new Map<string, { id: number; cancel(): void }>()
  #disposed = false

  constructor(
    private readonly db: Storage,
    private readonly log: Logger,
    readonly options: PlayerOptions,
  ) {}

  now(): number {
    return this.options.now()
  }

  /** When `entry` stops playing by itself (epoch ms), or undefined for an unknown/live duration. */
  static endOf(entry: QueueEntry): number | undefined {
    return entry.duration > 0 && entry.started_at !== null ? entry.started_at + entry.duration * 1000 : undefined
  }

  /** Arms the end-of-track timer of a playing `entry`, replacing the community's previous one. */
  arm(entry: QueueEntry): void {
    this.disarm(entry.community_id)
    const end = Player.endOf(entry)
    if (end === undefined || this.#disposed) return
    const handle = this.options.scheduler.set(async () => {
      this.#timers.delete(entry.community_id)
      await this.#ended(entry).catch((err) =>
        this.log.error({ err, community: entry.community_id }, 'advancing the queue failed'),
      )
    }, end - this.now())
    this.#timers.set(entry.community_id, { id: entry.id, cancel: handle.cancel })
  }

  disarm(communityId: string): void {
    this.#timers.get(communityId)?.cancel()
    this.#timers.delete(communityId)
  }

  /** The id of the track whose timer is armed in `communityId` (tests, status). */
  armed(communityId: string): number | undefined {
    return this.#timers.get(communityId)?.id
  }

  /** Re-arms every playing track's timer (at start); tracks that ended meanwhile advance now. */
  async restore(): Promise<void> {
    for (const entry of await allPlaying(this.db)) await this.#ended(entry)
  }

  /**
   * The track playing in `communityId` after catching up: a track whose time is over advances first.
   * Commands call this before reading or changing the queue.
   */
  async settle(communityId: string): Promise<QueueEntry | undefined> {
    const current = await nowPlaying(this.db, communityId)
    if (!current) return undefined
    const end = Player.endOf(current)
    if (end === undefined || end > this.now()) {
      if (this.armed(communityId) !== current.id) this.arm(current)
      return current
    }
    return (await this.#ended(current)) ?? (await nowPlaying(this.db, communityId))
  }

  /** Advances past `entry` if its time is up (else re-arms); returns the track that started. */
  async #ended(entry: QueueEntry): Promise<QueueEntry | undefined> {
    const end = Player.endOf(entry)
    if (end === undefined) return undefined
    if (end - this.now() > EARLY_MS) {
      this.arm(entry)
      return undefined
    }
    const step = await advance(this.db, entry.community_id, 'played', this.now(), entry.id)
    if (!step) return undefined
    this.log.info(
      { community: entry.community_id, ended: step.ended.video_id, next: step.next?.video_id ?? null },
      'track ended',
    )
    if (!step.next) return undefined
    this.arm(step.next)
    try {
      await this.options.onStart?.(step.next)
    } catch (err) {
      this.log.warn({ err }, 'showing the next track failed')
    }
    return step.next
  }

  /** Cancels every timer (at stop). */
  dispose(): void {
    this.#disposed = true
    for (const t of this.#timers.values()) t.cancel()
    this.#timers.clear()
  }
}
