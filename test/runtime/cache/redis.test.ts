import assert from 'node:assert/strict'
import { createServer, type Socket } from 'node:net'
import { after, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { createCache, type RedisCache } from '../../../src/runtime/cache/index.js'
import { createRedisCache } from '../../../src/runtime/cache/redis.js'
import { WaddleError } from '../../../src/runtime/errors.js'
import {
  cacheContract,
  deleteRedisPrefix,
  redisSkipReason,
  TEST_REDIS_URL,
  uniqueNamespace,
  waitFor,
} from '../../contract/cache-suite.js'

const namespace = uniqueNamespace()
const skip = await redisSkipReason()
const quiet = (): void => {}

cacheContract('redis', async () => createCache({ redisUrl: TEST_REDIS_URL, namespace, onError: quiet }), {
  sharedAcrossInstances: true,
  skip,
})

describe('redis cache specifics', { skip }, () => {
  const raw = new Redis(TEST_REDIS_URL, { lazyConnect: true })
  const caches: RedisCache[] = []
  const make = (): RedisCache => {
    const cache = createRedisCache({ redisUrl: TEST_REDIS_URL, namespace, onError: quiet })
    caches.push(cache)
    return cache
  }
  after(async () => {
    await Promise.all(caches.map((c) => c.close()))
    raw.disconnect()
  })

  it('puts the namespace on every key, with PX TTLs', async () => {
    const cache = make()
    await cache.set('spec:value', { a: 1 }, 60_000)
    await cache.incr('spec:counter', 1, 60_000)
    const lock = await cache.tryLock('spec:lock', 60_000)
    for (const key of [`${namespace}kv:spec:value`, `${namespace}n:spec:counter`, `${namespace}lock:spec:lock`]) {
      const pttl = await raw.pttl(key)
      assert.ok(pttl > 0 && pttl <= 60_000, `${key} has PTTL ${pttl}`)
    }
    assert.equal(await raw.get(`${namespace}n:spec:counter`), '1')
    await cache.incr('spec:plain')
    assert.equal(await raw.pttl(`${namespace}n:spec:plain`), -1, 'no TTL asked, none set')
    await lock?.release()
    assert.equal(await raw.exists(`${namespace}lock:spec:lock`), 0)
  })

  it('uses one SUBSCRIBE per channel however many local handlers', async () => {
    const cache = make()
    const channel = `${namespace}ch:spec:fanout`
    const numsub = async (): Promise<number> => Number(((await raw.pubsub('NUMSUB', channel)) as [string, number])[1])
    const got: unknown[] = []
    const subs = await Promise.all([1, 2, 3].map(() => cache.subscribe('spec:fanout', (m) => got.push(m))))
    assert.equal(await numsub(), 1)
    await raw.publish(channel, JSON.stringify({ from: 'elsewhere' }))
    await waitFor(() => got.length === 3, 'three deliveries')
    await subs[0]!()
    await subs[1]!()
    assert.equal(await numsub(), 1)
    await subs[2]!()
    assert.equal(await numsub(), 0)
  })

  it('reports a non-JSON message instead of delivering it', async () => {
    const errors: string[] = []
    const cache = createRedisCache({
      redisUrl: TEST_REDIS_URL,
      namespace,
      onError: (_, context) => errors.push(context),
    })
    caches.push(cache)
    const got: unknown[] = []
    await cache.subscribe('spec:raw', (m) => got.push(m))
    await raw.publish(`${namespace}ch:spec:raw`, 'not json')
    await raw.publish(`${namespace}ch:spec:raw`, '"json"')
    await waitFor(() => got.length === 1, 'the JSON message')
    assert.deepEqual(got, ['json'])
    assert.ok(errors.some((c) => c.includes('non-JSON')))
  })
})

describe('redis cache when Redis is down', () => {
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

  it('ping rejects within about 2 s when Redis refuses connections', async () => {
    const cache = createRedisCache({ redisUrl: 'redis://127.0.0.1:1', onError: quiet })
    const started = Date.now()
    await assert.rejects(cache.ping())
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`)
    await cache.close()
  })

  it('ping rejects within about 2 s when Redis does not answer', async () => {
    const cache = createRedisCache({ redisUrl: `redis://127.0.0.1:${await listening}`, onError: quiet })
    const started = Date.now()
    await assert.rejects(cache.ping(), /within 2000 ms/)
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`)
    await cache.close()
  })

  for (const [label, url] of [
    ['refuses', 'redis://:secret@127.0.0.1:1'],
    ['hangs', async () => `redis://:secret@127.0.0.1:${await listening}`],
  ] as const) {
    it(`createCache throws naming REDIS_URL and the address when Redis ${label}`, async () => {
      const redisUrl = typeof url === 'string' ? url : await url()
      const address = redisUrl.slice(redisUrl.indexOf('@') + 1)
      const started = Date.now()
      await assert.rejects(createCache({ redisUrl, onError: quiet }), (error: unknown) => {
        assert.ok(error instanceof WaddleError)
        assert.equal(error.code, 'WB_CACHE_UNREACHABLE')
        assert.match(error.message, /REDIS_URL/)
        assert.ok(error.message.includes(address), error.message)
        assert.ok(!error.message.includes('secret'), 'credentials stay out of the message')
        return true
      })
      assert.ok(Date.now() - started < 4500, `took ${Date.now() - started} ms`)
    })
  }
})

after(async () => {
  if (skip === false) await deleteRedisPrefix(TEST_REDIS_URL, namespace)
})
