import assert from 'node:assert/strict'
import { createServer, type Socket } from 'node:net'
import { after, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { WaddleError } from '../../../src/runtime/errors.js'
import { createRateLimiter } from '../../../src/runtime/rate-limit/index.js'
import { createRedisRateLimiter, type RedisRateLimiter } from '../../../src/runtime/rate-limit/redis.js'
import { deleteRedisPrefix, redisSkipReason, TEST_REDIS_URL, uniqueNamespace } from '../../contract/cache-suite.js'
import { rateLimiterContract } from '../../contract/rate-limit-suite.js'

const namespace = uniqueNamespace()
const skip = await redisSkipReason()
const quiet = (): void => {}

rateLimiterContract('redis', async () => createRateLimiter({ redisUrl: TEST_REDIS_URL, namespace, onError: quiet }), {
  sharedAcrossInstances: true,
  skip,
})

describe('redis rate limiter specifics', { skip }, () => {
  const raw = new Redis(TEST_REDIS_URL, { lazyConnect: true })
  const limiters: RedisRateLimiter[] = []
  const make = (ns = namespace): RedisRateLimiter => {
    const limiter = createRedisRateLimiter({ redisUrl: TEST_REDIS_URL, namespace: ns, onError: quiet })
    limiters.push(limiter)
    return limiter
  }
  after(async () => {
    await Promise.all(limiters.map((l) => l.close()))
    raw.disconnect()
  })

  it('keeps one namespaced sorted set per key, expiring a window after the last allowed attempt', async () => {
    const limiter = make()
    assert.equal(limiter.redisKey('spec:z'), `${namespace}ratelimit:spec:z`)
    await limiter.hit('spec:z', 3, 45_000)
    await limiter.hit('spec:z', 3, 45_000)
    const key = `${namespace}ratelimit:spec:z`
    assert.equal(await raw.type(key), 'zset')
    assert.equal(await raw.zcard(key), 2)
    const pttl = await raw.pttl(key)
    assert.ok(pttl > 40_000 && pttl <= 45_000, `PTTL ${pttl}`)
    await limiter.reset('spec:z')
    assert.equal(await raw.exists(key), 0)
  })

  it('scores attempts with the Redis server clock when no `now` is given', async () => {
    const limiter = make()
    const [seconds, micros] = await raw.time()
    const server = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)
    await limiter.hit('spec:clock', 1, 60_000)
    const [, score] = await raw.zrange(`${namespace}ratelimit:spec:clock`, '0', '0', 'WITHSCORES')
    assert.ok(Number(score) >= server && Number(score) - server < 5000, `score ${score}, server time ${server}`)
  })

  it('does not touch the window of a refused attempt (no member, no new TTL)', async () => {
    const limiter = make()
    const key = `${namespace}ratelimit:spec:refused`
    await limiter.hit('spec:refused', 1, 30_000)
    await raw.pexpire(key, 10_000)
    assert.equal((await limiter.hit('spec:refused', 1, 30_000)).allowed, false)
    assert.equal(await raw.zcard(key), 1)
    assert.ok((await raw.pttl(key)) <= 10_000, 'the refusal left the TTL alone')
  })

  it('keeps namespaces apart', async () => {
    const other = uniqueNamespace()
    try {
      assert.equal((await make().hit('spec:ns', 1, 60_000)).allowed, true)
      assert.equal((await make(other).hit('spec:ns', 1, 60_000)).allowed, true)
      assert.equal((await make(other).hit('spec:ns', 1, 60_000)).allowed, false)
    } finally {
      await deleteRedisPrefix(TEST_REDIS_URL, other)
    }
  })
})

describe('redis rate limiter when Redis is down', () => {
  /** A TCP server that accepts connections and never answers: a hung Redis. */
  const sockets = new Set<Socket>()
  const silent = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const listening = new Promise<number>((resolve) => {
    silent.listen(0, '127.0.0.1', () => {
      const address = silent.address()
      resolve(typeof address === 'object' && address !== null ? address.port : 0)
    })
  })
  after(() => {
    for (const socket of sockets) socket.destroy()
    silent.close()
  })

  for (const [label, url] of [
    ['refuses', async () => 'redis://:secret@127.0.0.1:1'],
    ['hangs', async () => `redis://:secret@127.0.0.1:${await listening}`],
  ] as const) {
    it(`createRateLimiter throws WB_CACHE_UNREACHABLE naming REDIS_URL and the address when Redis ${label}`, async () => {
      const redisUrl = await url()
      const address = redisUrl.slice(redisUrl.indexOf('@') + 1)
      await assert.rejects(createRateLimiter({ redisUrl, onError: quiet }), (error: unknown) => {
        assert.ok(error instanceof WaddleError)
        assert.equal(error.code, 'WB_CACHE_UNREACHABLE')
        assert.match(error.message, /REDIS_URL/)
        assert.ok(error.message.includes(address), error.message)
        assert.ok(!error.message.includes('secret'), 'credentials stay out of the message')
        return true
      })
    })
  }
})

after(async () => {
  if (!skip) await deleteRedisPrefix(TEST_REDIS_URL, namespace)
})
