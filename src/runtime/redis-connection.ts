/**
 * What the Redis cache and the Redis rate limiter share: one way to create an ioredis client, to connect
 * it within a deadline (reporting the real connection error), and to close it.
 */
import { Redis } from 'ioredis'
import { WaddleError } from './errors.js'

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
  /**
   * Throws WB_CACHE_UNREACHABLE at once while the connection is lost (after it was up once), instead of
   * queueing the command until the reconnection attempts give up: callers answer 503 or fall back now.
   */
  assertUp(what: string): void
}

/** How a connection reports an outage: once when it starts, once when it ends. */
export interface OutageReport {
  /** The first error of an outage of this Redis (one call per outage across the process's connections). */
  readonly onError: (error: unknown) => void
  /** The outage is over: every connection to this Redis is back. */
  readonly onRecovered?: ((downMs: number) => void) | undefined
}

/** Per Redis address, the connections currently down and since when: one warning per outage, not per client. */
const outages = new Map<string, { readonly down: Set<Redis>; since: number }>()

/**
 * Watches `client`: the first connection to `address` that goes down reports the outage, the last one back
 * reports the recovery. Errors before the first `ready` are only kept (the connect call reports them).
 */
export function watchRedis(client: Redis, address: string, report: OutageReport): void {
  const state = outages.get(address) ?? { down: new Set<Redis>(), since: 0 }
  outages.set(address, state)
  let wasUp = false
  const lost = (error: unknown) => {
    if (!wasUp || state.down.has(client)) return
    if (state.down.size === 0) {
      state.since = Date.now()
      report.onError(error)
    }
    state.down.add(client)
  }
  client.on('ready', () => {
    wasUp = true
    if (!state.down.delete(client)) return
    if (state.down.size === 0) report.onRecovered?.(Date.now() - state.since)
  })
  client.on('error', lost)
  // 'reconnecting', not 'close': a connection closed on purpose (QUIT at stop) does not reconnect.
  client.on('reconnecting', () => lost(new Error('connection lost; reconnecting')))
  // A client closed for good no longer holds an outage open.
  client.on('end', () => state.down.delete(client))
}

/** `host:port/db` of a Redis URL (never its credentials): connections to the same server share outages. */
export function redisAddressOf(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || '6379'}${u.pathname}`
  } catch {
    return url
  }
}

/**
 * A lazy client (`lazyConnect`, 2 retries per request, 3 s connect timeout) with auto-pipelining:
 * commands issued in the same tick leave in one socket write (one write per event was half the router's
 * CPU on Postgres + Redis, bench/router-inprocess.bench.ts profiled). `report` hears outages (see watchRedis).
 */
export function openRedis<TClient extends Redis = Redis>(
  url: string,
  options: RedisClientOptions,
  report: OutageReport,
): RedisConnection<TClient> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 3000,
    enableOfflineQueue: options.enableOfflineQueue ?? true,
    scripts: options.scripts,
  }) as TClient
  let lastConnectionError: unknown
  let everReady = false
  client.on('error', (error: unknown) => {
    lastConnectionError = error
  })
  client.once('ready', () => {
    everReady = true
  })
  watchRedis(client, redisAddressOf(url), report)
  return {
    client,
    assertUp(what) {
      if (!everReady || client.status === 'ready') return
      const cause = lastConnectionError instanceof Error ? lastConnectionError.message : `connection ${client.status}`
      throw new WaddleError('WB_CACHE_UNREACHABLE', { reason: `${what}: ${cause}` })
    },
    async connect(timeoutMs, onFail) {
      try {
        await withRedisTimeout<unknown>(
          client.status === 'wait' ? client.connect() : client.ping(),
          timeoutMs,
          'connect',
        )
      } catch (error) {
        await onFail()
        // ioredis says only "Connection is closed."; the error it reported before says why.
        const cause = lastConnectionError instanceof Error ? lastConnectionError : error
        throw cause instanceof Error && cause !== error
          ? new Error(`${cause.message} (${String(error)})`, { cause })
          : error
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
