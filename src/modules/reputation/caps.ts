/**
 * Per-person caps that hold across replicas: chat points per minute and one follow a day. Counted with the
 * cache's atomic `incr` (Redis when configured, so every replica sees one count), behind an in-process
 * memory of people already at their cap this minute: once someone is capped, further messages in that
 * minute cost no cache round trip at all.
 */
import type { Cache } from '../../runtime/cache/types.js'

const MINUTE = 60_000
const DAY = 86_400_000

export class Caps {
  /** `<minute>` → keys of people known to be at their cap in that minute (this process). */
  #full = new Map<number, Set<string>>()
  /** Cache round trips made (the benchmark reports them). */
  calls = 0

  constructor(
    private readonly cache: Cache,
    private readonly now: () => number,
  ) {}

  /** True when this chat message may still earn points: at most `cap` a minute per person and community. */
  async message(communityId: string, subject: string, cap: number): Promise<boolean> {
    if (cap <= 0) return false
    const minute = Math.floor(this.now() / MINUTE)
    let full = this.#full.get(minute)
    if (!full) {
      this.#full.clear() // a new minute: the old sets are over
      full = new Set()
      this.#full.set(minute, full)
    }
    const who = `${communityId}\u0000${subject}`
    if (full.has(who)) return false
    this.calls++
    const n = await this.cache.incr(`reputation:cap:msg:${minute}:${communityId}:${subject}`, 1, 2 * MINUTE)
    if (n >= cap) full.add(who)
    return n <= cap
  }

  /** True the first time a person follows in a community within a day (unfollow/follow farms nothing). */
  async follow(communityId: string, subject: string): Promise<boolean> {
    this.calls++
    const day = Math.floor(this.now() / DAY)
    return (await this.cache.incr(`reputation:cap:follow:${day}:${communityId}:${subject}`, 1, 2 * DAY)) === 1
  }

  /** True at most once a minute per person: automod acts, then waits before acting again. */
  async automod(communityId: string, subject: string): Promise<boolean> {
    this.calls++
    const minute = Math.floor(this.now() / MINUTE)
    return (await this.cache.incr(`reputation:automod:${minute}:${communityId}:${subject}`, 1, 2 * MINUTE)) === 1
  }
}
