/**
 * The Redis rate limiter (ioredis). Each key is a sorted set `<ns>ratelimit:<key>` of the allowed
 * attempts, scored by their time in ms. One Lua script (EVALSHA via ioredis `scripts`) prunes, counts and
 * records atomically on the server, so the limit is exact across every process sharing the Redis.
 * Clock: the Redis server's `TIME`, unless the caller passes `now`.
 */
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import { closeRedis, openRedis } from '../redis-connection.js'
import {
  checkNow,
  checkWindows,
  type HitResult,
  type MultiHitResult,
  type RateLimiter,
  type WindowSpec,
} from './types.js'

/**
 * KEYS: the sorted sets. ARGV[1]: now in ms ('' = server TIME); ARGV[2]: a unique member; then per key
 * its limit and window (ARGV[1 + 2i], ARGV[2 + 2i]). Prunes each set to its window, judges every window,
 * and records the attempt in all of them only when all allow it (PEXPIRE = window, so idle keys vanish).
 * Returns { allowed, then per key: allowed, remaining, retryAfterMs }.
 */
const HIT_LUA = `
local now = tonumber(ARGV[1])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local all = 1
local out = {0}
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count < limit then
    table.insert(out, 1)
    table.insert(out, limit - count - 1)
    table.insert(out, 0)
  else
    all = 0
    local freeing = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    local retry = math.ceil(tonumber(freeing[2]) + window - now)
    if retry < 1 then retry = 1 end
    table.insert(out, 0)
    table.insert(out, 0)
    table.insert(out, retry)
  end
end
if all == 1 then
  for i, key in ipairs(KEYS) do
    redis.call('ZADD', key, now, ARGV[2])
    redis.call('PEXPIRE', key, math.ceil(tonumber(ARGV[2 + 2 * i])))
  end
end
out[1] = all
return out`

interface ScriptCommands {
  wbRateHit(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number[]>
}

type Client = Redis & ScriptCommands

/** Options of {@link createRedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`. */
  readonly redisUrl: string
  /** Prefix of every key; default `wb:`. */
  readonly namespace?: string | undefined
  /** Receives the first error of each Redis outage; default `process.emitWarning`. */
  readonly onError?: ((error: unknown, context: string) => void) | undefined
  /** Hears the end of each outage. */
  readonly onRecovered?: ((downMs: number) => void) | undefined
}

/** A {@link RateLimiter} on Redis that can also be connected eagerly. */
export interface RedisRateLimiter extends RateLimiter {
  readonly kind: 'redis'
  /** The full Redis key of a limiter key (for tests and operators). */
  redisKey(key: string): string
  /** Connects now; rejects after `timeoutMs` (default 3 000), after which the limiter is closed. */
  connect(timeoutMs?: number): Promise<void>
}

function defaultOnError(error: unknown, context: string): void {
  process.emitWarning(error instanceof Error ? error : String(error), { code: 'WADDLEBOT_RATE_LIMIT', detail: context })
}

/**
 * Creates a Redis {@link RateLimiter} with its own lazy ioredis connection (`maxRetriesPerRequest: 2`).
 * Prefer `createRateLimiter`, which connects it and reports an unreachable Redis as a WaddleError.
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RedisRateLimiter {
  const ns = options.namespace ?? 'wb:'
  const onError = options.onError ?? defaultOnError
  const connection = openRedis<Client>(
    options.redisUrl,
    { scripts: { wbRateHit: { lua: HIT_LUA } } },
    {
      onError: (error) => onError(error, 'redis rate-limiter connection lost'),
      onRecovered: options.onRecovered,
    },
  )
  const client = connection.client
  /** Members must be unique across processes: a random prefix per limiter, a counter per attempt. */
  const memberPrefix = randomBytes(6).toString('base64url')
  let sequence = 0
  let closed = false
  const open = (what: string): void => {
    if (closed) throw new Error(`rate limiter is closed (${what})`)
    connection.assertUp(what)
  }
  const redisKey = (key: string): string => `${ns}ratelimit:${key}`

  const limiter: RedisRateLimiter = {
    kind: 'redis',
    redisKey,

    async hit(key, limit, windowMs, now) {
      const { results } = await limiter.hitAll([{ key, limit, windowMs }], now)
      return results[0]!
    },

    async hitAll(windows: readonly WindowSpec[], now?: number): Promise<MultiHitResult> {
      open('hitAll')
      checkWindows(windows)
      checkNow(now)
      sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER
      const args: (string | number)[] = [
        ...windows.map((w) => redisKey(w.key)),
        now === undefined ? '' : now,
        `${memberPrefix}:${sequence}`,
      ]
      for (const w of windows) args.push(w.limit, w.windowMs)
      const reply = await client.wbRateHit(windows.length, ...args)
      const results: HitResult[] = windows.map((_, i) => ({
        allowed: Number(reply[1 + 3 * i]) === 1,
        remaining: Number(reply[2 + 3 * i]),
        retryAfterMs: Number(reply[3 + 3 * i]),
      }))
      return { allowed: Number(reply[0]) === 1, results }
    },

    async reset(key) {
      open('reset')
      await client.del(redisKey(key))
    },

    async connect(timeoutMs = 3000) {
      if (closed) throw new Error('rate limiter is closed (connect)')
      await connection.connect(timeoutMs, () => limiter.close())
    },

    async close() {
      if (closed) return
      closed = true
      await closeRedis(client)
    },
  }
  return limiter
}
