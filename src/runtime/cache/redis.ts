/**
 * The Redis cache (ioredis). Key layout under the namespace `ns`: values `ns kv:<key>` (Keyv JSON),
 * counters `ns n:<key>` (plain integers), locks `ns lock:<key>` (random token); channels `ns ch:<channel>`.
 * Pub/sub runs on a second (`duplicate()`d) connection, opened on the first `subscribe`.
 */
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import Keyv from 'keyv'
import { closeRedis, openRedis, redisAddressOf, watchRedis, withRedisTimeout } from '../redis-connection.js'
import { createIoredisKeyvStore } from './keyv-stores.js'
import { defaultOnError, ttlOf } from './memory.js'
import type { Cache, Lock, Unsubscribe } from './types.js'

/** Options of {@link createRedisCache}. */
export interface RedisCacheOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`. */
  readonly redisUrl: string
  /** Prefix of every key and channel; default `wb:`. */
  readonly namespace?: string | undefined
  /** Receives connection errors and errors thrown by subscribers; default `process.emitWarning`. */
  readonly onError?: ((error: unknown, context: string) => void) | undefined
  /** Hears the end of an outage reported through `onError` (one call per outage). */
  readonly onRecovered?: ((downMs: number) => void) | undefined
  /** `ping()` rejects after this long; default 2 000 ms. */
  readonly pingTimeoutMs?: number | undefined
}

/** A {@link Cache} on Redis that can also be connected eagerly. */
export interface RedisCache extends Cache {
  readonly kind: 'redis'
  /**
   * Connects now rather than on first use. Rejects after `timeoutMs` (default 3 000); the cache is then
   * closed (it stops reconnecting) and must not be used any more.
   */
  connect(timeoutMs?: number): Promise<void>
}

/** KEYS[1] counter; ARGV[1] increment; ARGV[2] TTL in ms, applied only when the counter is new (0 = none). */
const INCR_LUA = `
local existed = redis.call('EXISTS', KEYS[1])
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
if existed == 0 and ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return value`

/** KEYS[1] lock; ARGV[1] the holder's token. Deletes the lock only while that holder still owns it. */
const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

/** The commands that `scripts` adds to the client (EVALSHA, falling back to EVAL once per connection). */
interface ScriptCommands {
  wbIncr(key: string, by: number, ttlMs: number): Promise<number>
  wbReleaseLock(key: string, token: string): Promise<number>
}

type Client = Redis & ScriptCommands

interface Channel {
  readonly handlers: Set<{ readonly handler: (message: unknown) => void }>
  readonly ready: Promise<unknown>
}

/**
 * Creates a Redis {@link Cache}. The connection is lazy: it opens on first use or on `connect()`.
 * `ping()` rejects within `pingTimeoutMs` when Redis is down; commands issued while disconnected are
 * queued and fail after two reconnection attempts.
 */
export function createRedisCache(options: RedisCacheOptions): RedisCache {
  const ns = options.namespace ?? 'wb:'
  const onError = options.onError ?? defaultOnError
  const pingTimeoutMs = options.pingTimeoutMs ?? 2000
  const outage = {
    onError: (error: unknown) => onError(error, 'redis connection lost'),
    onRecovered: options.onRecovered,
  }
  const connection = openRedis<Client>(
    options.redisUrl,
    {
      enableOfflineQueue: true,
      scripts: { wbIncr: { lua: INCR_LUA, numberOfKeys: 1 }, wbReleaseLock: { lua: RELEASE_LUA, numberOfKeys: 1 } },
    },
    outage,
  )
  const client = connection.client
  const keyv = new Keyv({
    store: createIoredisKeyvStore(client, `${ns}kv:`),
    useKeyPrefix: false,
    throwOnErrors: true,
    serialize: JSON.stringify,
    deserialize: JSON.parse,
  })
  const counterKey = (key: string): string => `${ns}n:${key}`
  const lockKey = (key: string): string => `${ns}lock:${key}`
  const channels = new Map<string, Channel>()
  let subscriber: Redis | undefined
  let closed = false

  const open = (what: string): void => {
    if (closed) throw new Error(`cache is closed (${what})`)
    connection.assertUp(what)
  }
  const deliver = (fullChannel: string, text: string): void => {
    const entry = channels.get(fullChannel)
    if (entry === undefined) return
    let message: unknown
    try {
      message = JSON.parse(text)
    } catch (error) {
      onError(error, `non-JSON message on ${fullChannel}`)
      return
    }
    for (const record of [...entry.handlers]) {
      if (!entry.handlers.has(record)) continue
      try {
        record.handler(message)
      } catch (error) {
        onError(error, `subscriber of ${fullChannel}`)
      }
    }
  }
  const subscriberConnection = (): Redis => {
    if (subscriber === undefined) {
      subscriber = client.duplicate({ enableAutoPipelining: false })
      subscriber.on('error', () => {}) // reported once per outage by watchRedis
      watchRedis(subscriber, redisAddressOf(options.redisUrl), outage)
      subscriber.on('message', deliver)
    }
    return subscriber
  }

  const cache: RedisCache = {
    kind: 'redis',

    async get<T = unknown>(key: string): Promise<T | undefined> {
      open('get')
      return keyv.get<T>(key)
    },

    async set(key, value, ttlMs) {
      open('set')
      const ttl = ttlOf(ttlMs, 'set')
      // Exactly what Keyv stores (its `{"value":…,"expires":…}` JSON under `${ns}kv:`, read back by keyv.get),
      // without its hooks, statistics and awaits: Keyv's set was ≈ 3 KB of garbage per session written, and
      // garbage collection a third of the Postgres + Redis pipeline's CPU (docs/performance.md).
      const text = JSON.stringify({ value, expires: ttl === undefined ? undefined : Date.now() + ttl })
      if (ttl === undefined) await client.set(`${ns}kv:${key}`, text)
      else await client.set(`${ns}kv:${key}`, text, 'PX', ttl)
    },

    async delete(key) {
      open('delete')
      const [value, counter] = await Promise.all([keyv.delete(key), client.del(counterKey(key))])
      return value || counter > 0
    },

    async incr(key, by = 1, ttlMs) {
      open('incr')
      if (!Number.isSafeInteger(by)) throw new RangeError(`incr: by must be an integer, got ${by}`)
      return Number(await client.wbIncr(counterKey(key), by, ttlOf(ttlMs, 'incr') ?? 0))
    },

    async publish(channel, message) {
      open('publish')
      const text = JSON.stringify(message)
      if (text === undefined) throw new TypeError('publish: message must be JSON-serialisable')
      await client.publish(`${ns}ch:${channel}`, text)
    },

    async subscribe(channel, handler) {
      open('subscribe')
      const full = `${ns}ch:${channel}`
      let entry = channels.get(full)
      if (entry === undefined) {
        const created: Channel = { handlers: new Set(), ready: subscriberConnection().subscribe(full) }
        created.ready.catch(() => {
          if (channels.get(full) === created) channels.delete(full)
        })
        channels.set(full, created)
        entry = created
      }
      const joined = entry
      const record = { handler }
      joined.handlers.add(record)
      try {
        await joined.ready
      } catch (error) {
        joined.handlers.delete(record)
        throw error
      }
      const unsubscribe: Unsubscribe = async () => {
        if (!joined.handlers.delete(record) || joined.handlers.size > 0) return
        if (channels.get(full) !== joined) return
        channels.delete(full)
        if (!closed) await subscriberConnection().unsubscribe(full)
      }
      return unsubscribe
    },

    async tryLock(key, ttlMs) {
      open('tryLock')
      const ttl = ttlOf(ttlMs, 'tryLock')
      if (ttl === undefined) throw new RangeError('tryLock: ttlMs must be positive')
      const token = randomUUID()
      const full = lockKey(key)
      if ((await client.set(full, token, 'PX', ttl, 'NX')) !== 'OK') return undefined
      const lock: Lock = {
        key,
        async release() {
          await client.wbReleaseLock(full, token)
        },
      }
      return lock
    },

    async ping() {
      open('ping')
      await withRedisTimeout(client.ping(), pingTimeoutMs, 'PING')
    },

    async connect(timeoutMs = 3000) {
      if (closed) throw new Error('cache is closed (connect)')
      await connection.connect(timeoutMs, () => cache.close())
    },

    async close() {
      if (closed) return
      closed = true
      channels.clear()
      await Promise.all([closeRedis(client), subscriber === undefined ? undefined : closeRedis(subscriber)])
    },
  }
  return cache
}
