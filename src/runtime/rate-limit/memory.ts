/**
 * The in-process rate limiter: per key, the sorted timestamps of the allowed attempts still inside the
 * window. Exact inside one process (a hit runs without awaiting, so concurrent hits cannot interleave);
 * nothing is shared with other processes or other instances.
 */
import {
  checkNow,
  checkWindows,
  type HitResult,
  type MultiHitResult,
  type RateLimiter,
  type WindowSpec,
} from './types.js'

/** Options of {@link createMemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
  /** How often keys with no attempt left in their window are dropped; default 60 000 ms. */
  readonly sweepIntervalMs?: number | undefined
}

/** A {@link RateLimiter} in process memory. */
export interface MemoryRateLimiter extends RateLimiter {
  readonly kind: 'memory'
  /** Keys currently tracked (idle ones disappear at the next sweep). */
  readonly size: number
  /** Drops every key whose newest attempt is older than its window at `now` (default `Date.now()`). */
  sweep(now?: number): void
}

interface Log {
  /** Allowed attempts, oldest first. */
  readonly times: number[]
  /** The window of the latest hit; the sweep uses it. */
  windowMs: number
}

/** Drops the attempts that left the window ending at `now`: those at or before `now - windowMs`. */
function prune(log: Log, now: number, windowMs: number): void {
  let expired = 0
  while (expired < log.times.length && log.times[expired]! <= now - windowMs) expired++
  if (expired > 0) log.times.splice(0, expired)
}

/** Inserts `now` keeping the list sorted (a caller-supplied clock may go backwards). */
function record(times: number[], now: number): void {
  let at = times.length
  while (at > 0 && times[at - 1]! > now) at--
  times.splice(at, 0, now)
}

/** What one window says about an attempt at `now`, without recording it. */
function judge(times: readonly number[], limit: number, windowMs: number, now: number): HitResult {
  if (times.length < limit) return { allowed: true, remaining: limit - times.length - 1, retryAfterMs: 0 }
  // The attempt fits once all but limit - 1 of the recorded attempts have left the window.
  const freeing = times[times.length - limit]!
  return { allowed: false, remaining: 0, retryAfterMs: Math.max(1, Math.ceil(freeing + windowMs - now)) }
}

/** Creates an in-process {@link RateLimiter}; its cleanup timer is unref'd and stopped by `close()`. */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): MemoryRateLimiter {
  const logs = new Map<string, Log>()
  let closed = false
  const open = (what: string): void => {
    if (closed) throw new Error(`rate limiter is closed (${what})`)
  }

  const limiter: MemoryRateLimiter = {
    kind: 'memory',

    get size() {
      return logs.size
    },

    sweep(now = Date.now()) {
      for (const [key, log] of logs) {
        const newest = log.times[log.times.length - 1]
        if (newest === undefined || newest <= now - log.windowMs) logs.delete(key)
      }
    },

    async hit(key, limit, windowMs, now) {
      const { results } = await limiter.hitAll([{ key, limit, windowMs }], now)
      return results[0]!
    },

    async hitAll(windows: readonly WindowSpec[], now?: number): Promise<MultiHitResult> {
      open('hitAll')
      checkWindows(windows)
      checkNow(now)
      const at = now ?? Date.now()
      const entries = windows.map((spec) => {
        let log = logs.get(spec.key)
        if (log === undefined) {
          log = { times: [], windowMs: spec.windowMs }
          logs.set(spec.key, log)
        }
        prune(log, at, spec.windowMs)
        return { spec, log }
      })
      const results = entries.map(({ spec, log }) => judge(log.times, spec.limit, spec.windowMs, at))
      const allowed = results.every((r) => r.allowed)
      for (const { spec, log } of entries) {
        if (allowed) {
          record(log.times, at)
          log.windowMs = spec.windowMs
        } else if (log.times.length === 0) {
          logs.delete(spec.key)
        }
      }
      return { allowed, results }
    },

    async reset(key) {
      open('reset')
      logs.delete(key)
    },

    async close() {
      if (closed) return
      closed = true
      clearInterval(timer)
      logs.clear()
    },
  }
  const timer = setInterval(() => limiter.sweep(), options.sweepIntervalMs ?? 60_000)
  timer.unref()
  return limiter
}
