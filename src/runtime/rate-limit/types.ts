/**
 * The rate-limiter contract: exact sliding windows ("at most `limit` allowed hits in any `windowMs`"),
 * in-process when no `REDIS_URL` is set, shared by every process through Redis otherwise.
 */

/** The verdict on one attempt against one window. */
export interface HitResult {
  /** true when the attempt fits in the window (and was recorded). */
  readonly allowed: boolean
  /** Attempts still allowed in the current window after this one (0 when refused). */
  readonly remaining: number
  /** 0 when allowed; otherwise how long until the next attempt would be allowed (≥ 1 ms). */
  readonly retryAfterMs: number
}

/** One window an attempt is counted in: see {@link RateLimiter.hitAll}. */
export interface WindowSpec {
  readonly key: string
  /** Positive integer: attempts allowed per window. */
  readonly limit: number
  /** Positive window length in milliseconds. */
  readonly windowMs: number
}

/** The verdict on one attempt counted in several windows at once. */
export interface MultiHitResult {
  /** true when every window allowed the attempt; it is then recorded in all of them, otherwise in none. */
  readonly allowed: boolean
  /** One result per window, in the order given; a window that alone would have allowed says so. */
  readonly results: readonly HitResult[]
}

/**
 * A sliding-window rate limiter. Clock: the memory backend uses `now ?? Date.now()`; the Redis backend uses
 * the Redis server clock (`TIME`) unless the caller passes `now`, so every process sharing a Redis shares
 * one clock. `now` is a hook for tests and replays: use it for every hit on a key, or for none.
 */
export interface RateLimiter {
  readonly kind: 'memory' | 'redis'
  /**
   * Counts one attempt under `key`: allowed when fewer than `limit` attempts were allowed in the last
   * `windowMs`. Only an allowed attempt is recorded, so refused attempts never extend the window.
   * @throws RangeError when `limit` is not a positive integer or `windowMs` not a positive number.
   */
  hit(key: string, limit: number, windowMs: number, now?: number): Promise<HitResult>
  /**
   * Counts one attempt in several windows (distinct keys) atomically: allowed only when every window allows it, and then
   * recorded in every window; otherwise recorded in none (a refused attempt never uses up another window).
   */
  hitAll(windows: readonly WindowSpec[], now?: number): Promise<MultiHitResult>
  /** Forgets every attempt recorded under `key`. */
  reset(key: string): Promise<void>
  /** Releases timers and connections; later calls reject. Idempotent. */
  close(): Promise<void>
}

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** `redis://…`; absent or empty ⇒ in-process. */
  readonly redisUrl?: string | undefined
  /** Prefix of every Redis key; default `wb:`. Ignored in process. */
  readonly namespace?: string | undefined
  /** Receives background connection errors; default `process.emitWarning`. */
  readonly onError?: ((error: unknown, context: string) => void) | undefined
  /** Redis only: hears the end of an outage whose start `onError` heard (one call each per outage). */
  readonly onRecovered?: ((downMs: number) => void) | undefined
}

/** Validates the windows of one attempt (at least one, no key twice); shared by both backends. */
export function checkWindows(windows: readonly WindowSpec[]): void {
  if (windows.length === 0) throw new RangeError('rate limit: at least one window is needed')
  const seen = new Set<string>()
  for (const spec of windows) {
    if (seen.has(spec.key)) throw new RangeError(`rate limit: key ${spec.key} is listed twice`)
    seen.add(spec.key)
    if (!Number.isSafeInteger(spec.limit) || spec.limit < 1) {
      throw new RangeError(`rate limit for ${spec.key}: limit must be a positive integer, got ${spec.limit}`)
    }
    if (!Number.isFinite(spec.windowMs) || spec.windowMs <= 0) {
      throw new RangeError(`rate limit for ${spec.key}: windowMs must be a positive number, got ${spec.windowMs}`)
    }
  }
}

/** Validates a caller-supplied clock reading. */
export function checkNow(now: number | undefined): void {
  if (now !== undefined && !Number.isFinite(now))
    throw new RangeError(`rate limit: now must be a finite number, got ${now}`)
}
