/**
 * Entry point of the cache layer: {@link createCache} picks Redis when `REDIS_URL` is configured and the
 * in-process cache otherwise.
 */
import { WaddleError } from '../errors.js'
import { createMemoryCache } from './memory.js'
import type { Cache, CacheOptions } from './types.js'

export type { Cache, CacheOptions, Lock, Unsubscribe } from './types.js'
export { createIoredisKeyvStore, createSqliteKeyvStore } from './keyv-stores.js'
export { createMemoryCache, type MemoryCacheOptions } from './memory.js'
export type { RedisCache, RedisCacheOptions } from './redis.js'

/**
 * Whether `error` comes from a Redis outage (already reported once, when it started) rather than from the
 * command: WB_CACHE_UNREACHABLE from a down connection, or ioredis giving up on a command in flight.
 */
export function isCacheOutage(error: unknown): boolean {
  if (error instanceof WaddleError) return error.code === 'WB_CACHE_UNREACHABLE'
  if (!(error instanceof Error)) return false
  return error.name === 'MaxRetriesPerRequestError' || /Connection is closed|Stream isn't writeable/.test(error.message)
}

/** How long {@link createCache} waits for Redis before giving up. */
export const REDIS_CONNECT_TIMEOUT_MS = 3000

/** `host:port` of a Redis URL, never its credentials. */
export function redisAddress(redisUrl: string): string {
  try {
    const url = new URL(redisUrl)
    return `${url.hostname}:${url.port === '' ? '6379' : url.port}`
  } catch {
    return 'an unparseable URL'
  }
}

/**
 * Creates the cache: Redis when `options.redisUrl` is set (connected before this resolves), in-process
 * otherwise.
 * @throws WaddleError `WB_CACHE_UNREACHABLE` naming REDIS_URL and the address when Redis does not answer
 *   within {@link REDIS_CONNECT_TIMEOUT_MS}.
 */
export async function createCache(options: CacheOptions): Promise<Cache> {
  if (options.redisUrl === undefined || options.redisUrl === '') {
    return createMemoryCache({ namespace: options.namespace, onError: options.onError })
  }
  // ioredis loads only when Redis is configured.
  const { createRedisCache } = await import('./redis.js')
  const cache = createRedisCache({
    redisUrl: options.redisUrl,
    namespace: options.namespace,
    onError: options.onError,
    onRecovered: options.onRecovered,
  })
  try {
    await cache.connect(REDIS_CONNECT_TIMEOUT_MS)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new WaddleError(
      'WB_CACHE_UNREACHABLE',
      { reason: `cannot connect to REDIS_URL (${redisAddress(options.redisUrl)}): ${reason}` },
      { cause: error },
    )
  }
  return cache
}
