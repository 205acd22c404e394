/**
 * Per-command limits of the router: a per-user cooldown, a per-user rate (uses per minute) and an
 * optional per-entity rate across users. All windows of one attempt are judged atomically by the
 * {@link RateLimiter}, so an attempt refused by one limit uses up none of the others. A refused user hears
 * ONE line per refusal window: the notice is deduplicated across processes with a set-if-absent lock.
 */
import type { Cache } from '../../runtime/cache/types.js'
import type { RateLimiter, WindowSpec } from '../../runtime/rate-limit/types.js'
import { DEFAULT_COMMUNITY } from './entities.js'

/**
 * Where a command's limits are counted: the community, when the entity belongs to one (a Twitch channel and
 * a Discord server of one community share a cooldown); the entity itself while it is in the `default`
 * community, which holds unrelated channels.
 */
export function limitScope(entityId: string, communityId: string): string {
  return communityId === DEFAULT_COMMUNITY ? entityId : `community:${communityId}`
}

/** The window of `rateLimit` and `entityRateLimit`. */
export const RATE_WINDOW_MS = 60_000

/** One command attempt to judge. */
export interface LimitCheck {
  /** With its prefix, e.g. `!so`. */
  readonly command: string
  /** The identity id when the identity module runs, else the platform user id. */
  readonly userId: string
  /** The scope of the limits: see {@link limitScope}. */
  readonly entityId: string
  /** How the user is addressed in the notice (`@name`); empty ⇒ no address. */
  readonly displayName: string
  /** Uses per minute per user; 0 = unlimited. */
  readonly rateLimit: number
  /** Per user per command; 0 = none. */
  readonly cooldownMs: number
  /** Uses per minute per entity, across users; absent or 0 = unlimited. */
  readonly entityRateLimit?: number | undefined
}

/** Why an attempt was refused. */
export type LimitReason = 'cooldown' | 'rate_limit'

/** The verdict: `notice` (the chat line) is present only on the first refusal of its window. */
export type LimitVerdict = { ok: true } | { ok: false; reason: LimitReason; retryAfterMs: number; notice?: string }

/** See {@link createCommandLimits}. */
export interface CommandLimits {
  check(input: LimitCheck): Promise<LimitVerdict>
}

/** Whole seconds, rounded up, at least 1. */
export function wholeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000))
}

/** The chat line for a refusal: "@Ann !so is on cooldown, 12 s left" / "@Ann !so: slow down, try again in 40 s". */
export function refusalNotice(reason: LimitReason, command: string, displayName: string, retryAfterMs: number): string {
  const to = displayName === '' ? '' : `@${displayName} `
  const seconds = wholeSeconds(retryAfterMs)
  return reason === 'cooldown'
    ? `${to}${command} is on cooldown, ${seconds} s left`
    : `${to}${command}: slow down, try again in ${seconds} s`
}

/** Limiter keys of one attempt (documented layout: operators and tests reset them). */
export function limitKeys(input: Pick<LimitCheck, 'command' | 'userId' | 'entityId'>): {
  cooldown: string
  user: string
  entity: string
  notice: string
} {
  const { entityId: e, command: c, userId: u } = input
  return {
    cooldown: `cd:${e}:${c}:${u}`,
    user: `rl:${e}:${c}:${u}`,
    entity: `rle:${e}:${c}`,
    notice: `rl:notice:${e}:${c}:${u}`,
  }
}

/**
 * Creates the router's command limits over a limiter (the attempt windows) and a cache (the notice
 * dedupe). `check` rejects when the limiter or the cache does (e.g. Redis down); the caller decides.
 */
export function createCommandLimits(limiter: RateLimiter, cache: Cache): CommandLimits {
  return {
    async check(input) {
      const keys = limitKeys(input)
      const windows: { spec: WindowSpec; reason: LimitReason }[] = []
      if (input.cooldownMs > 0)
        windows.push({ spec: { key: keys.cooldown, limit: 1, windowMs: input.cooldownMs }, reason: 'cooldown' })
      if (input.rateLimit > 0)
        windows.push({
          spec: { key: keys.user, limit: input.rateLimit, windowMs: RATE_WINDOW_MS },
          reason: 'rate_limit',
        })
      const entityLimit = input.entityRateLimit ?? 0
      if (entityLimit > 0)
        windows.push({ spec: { key: keys.entity, limit: entityLimit, windowMs: RATE_WINDOW_MS }, reason: 'rate_limit' })
      if (windows.length === 0) return { ok: true }

      const verdict = await limiter.hitAll(windows.map((w) => w.spec))
      if (verdict.allowed) return { ok: true }
      // The refusal that lasts longest is the one the user has to wait for; a tie names the cooldown.
      let reason: LimitReason = 'rate_limit'
      let retryAfterMs = 0
      for (const [i, result] of verdict.results.entries()) {
        if (!result.allowed && result.retryAfterMs > retryAfterMs) {
          retryAfterMs = result.retryAfterMs
          reason = windows[i]!.reason
        }
      }
      // Set-if-absent: of all concurrent refusals (in any process) in this window, one gets the notice.
      const first = await cache.tryLock(keys.notice, retryAfterMs)
      if (first === undefined) return { ok: false, reason, retryAfterMs }
      return {
        ok: false,
        reason,
        retryAfterMs,
        notice: refusalNotice(reason, input.command, input.displayName, retryAfterMs),
      }
    },
  }
}
