/**
 * The in-process cache: Keyv over a Map for values, plain Maps for counters and locks, an EventEmitter for
 * pub/sub. Nothing is shared with other processes or with other instances: every `createMemoryCache`
 * call is its own world.
 */
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import Keyv from 'keyv'
import type { Cache, Lock, Unsubscribe } from './types.js'

/** Options of {@link createMemoryCache}. */
export interface MemoryCacheOptions {
  /** Accepted for symmetry with Redis; an in-process cache has nobody to share a key space with. */
  readonly namespace?: string | undefined
  /** Receives errors thrown by subscribers; default `process.emitWarning`. */
  readonly onError?: ((error: unknown, context: string) => void) | undefined
  /** How often expired values, counters and locks are dropped from memory; default 60 000 ms. */
  readonly sweepIntervalMs?: number | undefined
  /**
   * At most this many values are kept (default 200 000); a new key beyond it evicts the oldest one. Redis
   * keeps what it is given; one process must not grow without bound (a busy router stores a session per
   * command, kept an hour).
   */
  readonly maxValues?: number | undefined
}

interface Expiring {
  value: number
  /** Unix ms; undefined = never. */
  expiresAt: number | undefined
}

/** Validates a cache TTL; returns whole milliseconds, or undefined for "no expiry" (absent or 0). Shared with the Redis cache. */
export function ttlOf(ttlMs: number | undefined, what: string): number | undefined {
  if (ttlMs === undefined || ttlMs === 0) return undefined
  if (!Number.isFinite(ttlMs) || ttlMs < 0)
    throw new RangeError(`${what}: ttlMs must be a non-negative number, got ${ttlMs}`)
  return Math.ceil(ttlMs)
}

/** JSON round trip, so subscribers get a copy, exactly as they would through Redis. */
function copyOf(message: unknown): unknown {
  const text = JSON.stringify(message)
  if (text === undefined) throw new TypeError('publish: message must be JSON-serialisable')
  return JSON.parse(text)
}

/** Reports a background cache error (a throwing subscriber, a lost Redis connection) as a process warning. */
export function defaultOnError(error: unknown, context: string): void {
  process.emitWarning(error instanceof Error ? error : String(error), { code: 'WADDLEBOT_CACHE', detail: context })
}

/**
 * Creates an in-process {@link Cache}. Values are stored as JSON (what you get back is a copy), TTLs are
 * honoured on read and swept periodically, pub/sub handlers run asynchronously (never inside `publish`)
 * and a throwing handler is reported to `onError` without affecting other handlers or the publisher.
 */
export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  const onError = options.onError ?? defaultOnError
  const values = new Map<string, unknown>()
  // Plain JSON (values are JSON by contract): Keyv's default serializer walks values for Buffers and BigInts.
  const keyv = new Keyv({
    store: values,
    useKeyPrefix: false,
    throwOnErrors: true,
    serialize: JSON.stringify,
    deserialize: JSON.parse,
  })
  /** Expiry of every value set with a TTL, so the sweep never has to parse values. */
  const valueExpiry = new Map<string, number>()
  const counters = new Map<string, Expiring>()
  const locks = new Map<string, { token: string; expiresAt: number }>()
  /** Events are `msg:<channel>`, so a channel called `error` is not EventEmitter's special event. */
  const bus = new EventEmitter().setMaxListeners(0)
  let closed = false

  const open = (what: string): void => {
    if (closed) throw new Error(`cache is closed (${what})`)
  }
  const sweep = (): void => {
    const now = Date.now()
    for (const [key, at] of valueExpiry) {
      if (at <= now) {
        valueExpiry.delete(key)
        values.delete(key)
      }
    }
    for (const [key, c] of counters) if (c.expiresAt !== undefined && c.expiresAt <= now) counters.delete(key)
    for (const [key, l] of locks) if (l.expiresAt <= now) locks.delete(key)
  }
  const maxValues = options.maxValues ?? 200_000
  const timer = setInterval(sweep, options.sweepIntervalMs ?? 60_000)
  timer.unref()

  return {
    kind: 'memory',

    async get<T = unknown>(key: string): Promise<T | undefined> {
      open('get')
      return keyv.get<T>(key)
    },

    async set(key, value, ttlMs) {
      open('set')
      const ttl = ttlOf(ttlMs, 'set')
      if (values.size >= maxValues && !values.has(key)) {
        const oldest = values.keys().next().value as string
        values.delete(oldest)
        valueExpiry.delete(oldest)
      }
      if (ttl === undefined) valueExpiry.delete(key)
      else valueExpiry.set(key, Date.now() + ttl)
      await keyv.set(key, value, ttl)
    },

    async delete(key) {
      open('delete')
      valueExpiry.delete(key)
      const counted = counters.delete(key)
      return (await keyv.delete(key)) || counted
    },

    async incr(key, by = 1, ttlMs) {
      open('incr')
      if (!Number.isSafeInteger(by)) throw new RangeError(`incr: by must be an integer, got ${by}`)
      const ttl = ttlOf(ttlMs, 'incr')
      const now = Date.now()
      const current = counters.get(key)
      if (current === undefined || (current.expiresAt !== undefined && current.expiresAt <= now)) {
        counters.set(key, { value: by, expiresAt: ttl === undefined ? undefined : now + ttl })
        return by
      }
      current.value += by
      return current.value
    },

    async publish(channel, message) {
      open('publish')
      const payload = copyOf(message)
      bus.emit(`msg:${channel}`, payload)
    },

    async subscribe(channel, handler) {
      open('subscribe')
      let active = true
      const listener = (payload: unknown): void => {
        queueMicrotask(() => {
          if (!active) return
          try {
            handler(payload)
          } catch (error) {
            onError(error, `subscriber of ${channel}`)
          }
        })
      }
      bus.on(`msg:${channel}`, listener)
      const unsubscribe: Unsubscribe = async () => {
        active = false
        bus.off(`msg:${channel}`, listener)
      }
      return unsubscribe
    },

    async tryLock(key, ttlMs) {
      open('tryLock')
      const ttl = ttlOf(ttlMs, 'tryLock')
      if (ttl === undefined) throw new RangeError('tryLock: ttlMs must be positive')
      const now = Date.now()
      const held = locks.get(key)
      if (held !== undefined && held.expiresAt > now) return undefined
      const token = randomUUID()
      locks.set(key, { token, expiresAt: now + ttl })
      const lock: Lock = {
        key,
        async release() {
          if (locks.get(key)?.token === token) locks.delete(key)
        },
      }
      return lock
    },

    async ping() {
      open('ping')
    },

    async close() {
      if (closed) return
      closed = true
      clearInterval(timer)
      bus.removeAllListeners()
      await keyv.clear()
      valueExpiry.clear()
      counters.clear()
      locks.clear()
    },
  }
}
