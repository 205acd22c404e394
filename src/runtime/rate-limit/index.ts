/**
 * Entry point of the rate-limit layer: {@link createRateLimiter} picks Redis when `REDIS_URL` is
 * configured (exact across processes) and the in-process limiter otherwise.
 */
import { redisAddress } from '../cache/index.js'
import { WaddleError } from '../errors.js'
import { createMemoryRateLimiter } from './memory.js'
import type { RateLimiter, RateLimiterOptions } from './types.js'

export type { HitResult, MultiHitResult, RateLimiter, RateLimiterOptions, WindowSpec } from './types.js'
export { createMemoryRateLimiter, type MemoryRateLimiter, type MemoryRateLimiterOptions } from './memory.js'
export type { RedisRateLimiter, RedisRateLimiterOptions } from './redis.js'

/** How long {@link createRateLimiter} waits for Redis before giving up. */
export const RATE_LIMIT_CONNECT_TIMEOUT_MS = 3000

/**
 * Creates the rate limiter: Redis when `options.redisUrl` is set (connected before this resolves, on its
 * own connection), in-process otherwise.
 * @throws WaddleError `WB_CACHE_UNREACHABLE` naming REDIS_URL and the address when Redis does not answer
 *   within {@link RATE_LIMIT_CONNECT_TIMEOUT_MS}.
 */
export async function createRateLimiter(options: RateLimiterOptions = {}): Promise<RateLimiter> {
  if (options.redisUrl === undefined || options.redisUrl === '') return createMemoryRateLimiter()
  // ioredis loads only when Redis is configured.
  const { createRedisRateLimiter } = await import('./redis.js')
  const limiter = createRedisRateLimiter({
    redisUrl: options.redisUrl,
    namespace: options.namespace,
    onError: options.onError,
    onRecovered: options.onRecovered,
  })
  try {
    await limiter.connect(RATE_LIMIT_CONNECT_TIMEOUT_MS)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new WaddleError(
      'WB_CACHE_UNREACHABLE',
      { reason: `rate limiter cannot connect to REDIS_URL (${redisAddress(options.redisUrl)}): ${reason}` },
      { cause: error },
    )
  }
  return limiter
}
