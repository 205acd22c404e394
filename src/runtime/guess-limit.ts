/**
 * Per-address limits on guessing routes (overlay tokens, login links): failed attempts are counted per client
 * IP in fixed windows in the cache (in process, or Redis so every replica shares them); an address over the
 * limit is refused (429 WB_RATE_LIMITED with Retry-After) before its attempt is even checked, so a right
 * guess cannot get through either. If the cache is unreachable the limit is skipped (logged), not the route.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Cache } from './cache/types.js'
import { WaddleError } from './errors.js'
import type { Logger } from './logger.js'

export interface GuessLimitOptions {
  /** Words for the error message, e.g. `overlay token guesses`. */
  readonly what: string
  /** Cache key part naming the route family. */
  readonly key: string
  /** Failed attempts allowed per address per window (default 30). */
  readonly limit?: number | undefined
  /** Window length (default 60 s). */
  readonly windowMs?: number | undefined
  readonly now?: () => number
}

export interface GuessLimit {
  /** Throws WB_RATE_LIMITED when `req`'s address is over the limit. */
  check(req: FastifyRequest): Promise<void>
  /** Counts one failed attempt of `req`'s address. */
  failed(req: FastifyRequest): Promise<void>
}

export function guessLimit(cache: Cache, log: Logger, options: GuessLimitOptions): GuessLimit {
  const limit = options.limit ?? 30
  const windowMs = options.windowMs ?? 60_000
  const now = options.now ?? Date.now
  const slot = (req: FastifyRequest) => {
    const t = now()
    const start = Math.floor(t / windowMs) * windowMs
    return {
      key: `guess:${options.key}:${req.ip}:${start}`,
      retryS: Math.max(1, Math.ceil((start + windowMs - t) / 1000)),
    }
  }
  const safely = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work()
    } catch (error) {
      log.warn({ err: error, limit: options.key }, 'guess limit skipped: cache unreachable')
      return undefined
    }
  }
  return {
    async check(req) {
      const { key, retryS } = slot(req)
      const count = await safely(() => cache.incr(key, 0, windowMs))
      if (count !== undefined && count >= limit)
        throw new WaddleError('WB_RATE_LIMITED', { what: options.what, seconds: retryS })
    },
    async failed(req) {
      const { key } = slot(req)
      await safely(() => cache.incr(key, 1, windowMs))
    },
  }
}

/** Sends a WB_RATE_LIMITED error with its Retry-After header. */
export function sendRateLimited(reply: FastifyReply, error: WaddleError): FastifyReply {
  return reply
    .code(error.status)
    .header('retry-after', String(error.params.seconds ?? 60))
    .send({ error: error.toJSON() })
}
