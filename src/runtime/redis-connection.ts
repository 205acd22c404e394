/**
 * What the Redis cache and the Redis rate limiter share: one way to create an ioredis client, to connect
 * it within a deadline (reporting the real connection error), and to close it.
 */
import { Redis } from 'ioredis'

/** The per-client choices: its Lua scripts (EVALSHA, EVAL once per connection) and the offline queue. */
export interface RedisClientOptions {
  readonly scripts: Record<string, { readonly lua: string; readonly numberOfKeys?: number }>
  readonly enableOfflineQueue?: boolean
}

/** Settles like `promise`, or rejects after `ms`. */
export async function withRedisTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from Redis within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** A Redis client plus the latest connection error it reported. */
export interface RedisConnection<TClient extends Redis = Redis> {
  readonly client: TClient
  /** Connects (or pings) within `timeoutMs`; on failure calls `onFail` and throws the real cause. */
  connect(timeoutMs: number, onFail: () => Promise<void>): Promise<void>
}

/**
 * A lazy client (`lazyConnect`, 2 retries per request, 3 s connect timeout) with auto-pipelining:
 * commands issued in the same tick leave in one socket write (one write per event was half the router's
 * CPU on Postgres + Redis, bench/router-inprocess.bench.ts profiled). `onError` hears connection errors.
 */
export function openRedis<TClient extends Redis = Redis>(url: string, options: RedisClientOptions, onError: (error: unknown) => void): RedisConnection<TClient> {
  const client = new Redis(url, {
    lazyConnect: true, enableAutoPipelining: true, maxRetriesPerRequest: 2, connectTimeout: 3000,
    enableOfflineQueue: options.enableOfflineQueue ?? true, scripts: options.scripts,
  }) as TClient
  let lastConnectionError: unknown
  client.on('error', (error: unknown) => {
    lastConnectionError = error
    onError(error)
  })
  return {
    client,
    async connect(timeoutMs, onFail) {
      try {
        await withRedisTimeout<unknown>(client.status === 'wait' ? client.connect() : client.ping(), timeoutMs, 'connect')
      } catch (error) {
        await onFail()
        // ioredis says only "Connection is closed."; the error it reported before says why.
        const cause = lastConnectionError instanceof Error ? lastConnectionError : error
        throw cause instanceof Error && cause !== error ? new Error(`${cause.message} (${String(error)})`, { cause }) : error
      }
    },
  }
}

/** QUIT when connected (pending replies still arrive), otherwise drop the socket and stop reconnecting. */
export async function closeRedis(connection: Redis): Promise<void> {
  if (connection.status === 'ready') {
    try {
      await withRedisTimeout(connection.quit(), 1000, 'QUIT')
      return
    } catch {
      // fall through: a connection that cannot QUIT is dropped
    }
  }
  connection.disconnect()
}
