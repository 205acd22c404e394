/**
 * The contract every {@link Cache} implementation must pass, plus helpers for tests that need Redis.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { redisAddress } from '../../src/runtime/cache/index.js'
import type { Cache, Lock } from '../../src/runtime/cache/types.js'

/** How {@link cacheContract} runs. */
export interface CacheContractOptions {
  /** true when two caches from the factory share values, counters, locks and channels (Redis). */
  readonly sharedAcrossInstances: boolean
  /** A reason to skip the whole suite (e.g. Redis unreachable), or false/absent to run it. */
  readonly skip?: string | false | undefined
}

/** Polls `check` every 5 ms; fails the test after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(5)
  }
}

/**
 * Registers the cache contract suite. `factory` is called once for the shared cache and again by tests
 * that need a second instance; every cache it returns is closed at the end.
 */
export function cacheContract(name: string, factory: () => Promise<Cache>, options: CacheContractOptions): void {
  const shared = options.sharedAcrossInstances
  describe(`cache contract: ${name}`, { skip: options.skip ?? false }, () => {
    const opened: Cache[] = []
    const make = async (): Promise<Cache> => {
      const cache = await factory()
      opened.push(cache)
      return cache
    }
    let cache: Cache
    before(async () => {
      cache = await make()
    })
    after(async () => {
      await Promise.all(opened.map((c) => c.close()))
    })

    it('round-trips JSON values, returns copies, and deletes them', async () => {
      const samples: unknown[] = [
        'text',
        42,
        0,
        -1.5,
        true,
        false,
        null,
        [1, 'two', [3]],
        { a: { b: [1, { c: 'ü' }] } },
      ]
      for (const [i, value] of samples.entries()) {
        await cache.set(`rt:${i}`, value)
        assert.deepEqual(await cache.get(`rt:${i}`), value)
      }
      const original = { list: [1, 2], name: 'penguin' }
      await cache.set('rt:obj', original)
      original.list.push(3)
      assert.deepEqual(await cache.get('rt:obj'), { list: [1, 2], name: 'penguin' })
      await cache.set('rt:obj', { replaced: true })
      assert.deepEqual(await cache.get('rt:obj'), { replaced: true })
      assert.equal(await cache.delete('rt:obj'), true)
      assert.equal(await cache.get('rt:obj'), undefined)
      assert.equal(await cache.delete('rt:obj'), false)
    })

    it('returns undefined for a missing key', async () => {
      assert.equal(await cache.get('missing:never-set'), undefined)
    })

    it('expires values after their TTL, and keeps values without one', async () => {
      await cache.set('ttl:short', { x: 1 }, 150)
      await cache.set('ttl:zero', 'forever', 0)
      await cache.set('ttl:none', 'forever')
      await cache.set('ttl:long', 'later', 60_000)
      assert.deepEqual(await cache.get('ttl:short'), { x: 1 })
      await sleep(300)
      assert.equal(await cache.get('ttl:short'), undefined)
      assert.equal(await cache.get('ttl:zero'), 'forever')
      assert.equal(await cache.get('ttl:none'), 'forever')
      assert.equal(await cache.get('ttl:long'), 'later')
      await assert.rejects(cache.set('ttl:bad', 1, -5), RangeError)
    })

    it('increments atomically under 200 concurrent calls', async () => {
      const results = await Promise.all(Array.from({ length: 200 }, () => cache.incr('n:concurrent')))
      assert.deepEqual(
        [...results].sort((a, b) => a - b),
        Array.from({ length: 200 }, (_, i) => i + 1),
      )
      assert.equal(await cache.incr('n:concurrent', 0), 200)
      assert.equal(await cache.incr('n:concurrent', 5), 205)
      assert.equal(await cache.incr('n:concurrent', -10), 195)
      await assert.rejects(cache.incr('n:concurrent', 1.5), RangeError)
      assert.equal(await cache.get('n:concurrent'), undefined, 'counters are not values')
      assert.equal(await cache.delete('n:concurrent'), true)
      assert.equal(await cache.incr('n:concurrent'), 1)
    })

    it('applies the incr TTL when the counter is created, not on later calls', async () => {
      assert.equal(await cache.incr('n:ttl', 1, 100), 1)
      assert.equal(await cache.incr('n:ttl', 1, 60_000), 2)
      await sleep(200)
      assert.equal(await cache.incr('n:ttl'), 1, 'the counter expired with its first TTL')
    })

    it('delivers to several subscribers, asynchronously, until they unsubscribe', async () => {
      const inbox: unknown[][] = [[], [], []]
      const other: unknown[] = []
      const subs = await Promise.all(inbox.map((box) => cache.subscribe('news', (m) => box.push(m))))
      await cache.subscribe('news:other', (m) => other.push(m))
      const publishing = cache.publish('news', { n: 1 })
      assert.deepEqual(inbox, [[], [], []], 'publish never runs handlers synchronously')
      await publishing
      await waitFor(() => inbox.every((box) => box.length === 1), 'the first message')
      assert.deepEqual(inbox[0], [{ n: 1 }])
      await subs[1]!()
      await cache.publish('news', { n: 2 })
      await waitFor(() => inbox[0]!.length === 2 && inbox[2]!.length === 2, 'the second message')
      assert.deepEqual(inbox, [[{ n: 1 }, { n: 2 }], [{ n: 1 }], [{ n: 1 }, { n: 2 }]])
      assert.deepEqual(other, [])
      await subs[0]!()
      await subs[2]!()
      await assert.rejects(cache.publish('news', undefined), TypeError)
    })

    it('keeps delivering when a subscriber throws', async () => {
      const got: unknown[] = []
      await cache.subscribe('throwing', () => {
        throw new Error('subscriber failure (expected by the test)')
      })
      await cache.subscribe('throwing', (m) => got.push(m))
      await cache.publish('throwing', 'a')
      await cache.publish('throwing', 'b')
      await waitFor(() => got.length === 2, 'both messages')
      assert.deepEqual(got, ['a', 'b'])
    })

    it(`shares state across two instances: ${shared ? 'yes' : 'no (in-process)'}`, async () => {
      const other = await make()
      const received: unknown[] = []
      await other.subscribe('cross', (m) => received.push(m))
      await cache.publish('cross', 'from-first')
      await other.publish('cross', 'from-second')
      await waitFor(() => received.includes('from-second'), 'the local message')
      if (shared) await waitFor(() => received.length === 2, 'the remote message')
      assert.deepEqual(received, shared ? ['from-first', 'from-second'] : ['from-second'])
      await cache.set('cross:value', { v: 1 })
      assert.deepEqual(await other.get('cross:value'), shared ? { v: 1 } : undefined)
      await cache.incr('cross:counter', 3)
      assert.equal(await other.incr('cross:counter'), shared ? 4 : 1)
      const lock = await cache.tryLock('cross:lock', 5000)
      assert.ok(lock)
      const second = await other.tryLock('cross:lock', 5000)
      assert.equal(second === undefined, shared)
      await lock.release()
      await second?.release()
    })

    it('gives a lock to exactly one of many concurrent callers', async () => {
      const attempts = await Promise.all(Array.from({ length: 20 }, () => cache.tryLock('lock:exclusive', 5000)))
      const winners = attempts.filter((l): l is Lock => l !== undefined)
      assert.equal(winners.length, 1)
      assert.equal(winners[0]!.key, 'lock:exclusive')
      assert.equal(await cache.tryLock('lock:exclusive', 5000), undefined)
      await winners[0]!.release()
      const again = await cache.tryLock('lock:exclusive', 5000)
      assert.ok(again, 'released locks can be taken again')
      await again.release()
      await assert.rejects(cache.tryLock('lock:bad', 0), RangeError)
    })

    it('lets someone else take a lock whose TTL passed', async () => {
      const first = await cache.tryLock('lock:expiring', 100)
      assert.ok(first)
      await sleep(200)
      const second = await cache.tryLock('lock:expiring', 5000)
      assert.ok(second, 'the expired lock is free')
      await second.release()
    })

    it('does not let a stale holder release the new holder’s lock', async () => {
      const stale = await cache.tryLock('lock:stale', 100)
      assert.ok(stale)
      await sleep(200)
      const current = await cache.tryLock('lock:stale', 60_000)
      assert.ok(current)
      await stale.release()
      assert.equal(await cache.tryLock('lock:stale', 5000), undefined, 'the new holder still owns the lock')
      await current.release()
      const after = await cache.tryLock('lock:stale', 5000)
      assert.ok(after)
      await after.release()
    })

    it('answers ping', async () => {
      await cache.ping()
    })

    it('refuses work after close, and close is idempotent', async () => {
      const closing = await make()
      await closing.set('close:k', 1)
      await closing.close()
      await assert.rejects(closing.ping())
      await assert.rejects(closing.get('close:k'))
      await closing.close()
    })
  })
}

/** The Redis the tests use: `REDIS_URL`, or the local default. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A namespace no other test run uses. */
export function uniqueNamespace(): string {
  return `wbtest:${process.pid}:${Math.random().toString(36).slice(2, 10)}:`
}

/**
 * Checks that Redis answers. Resolves to false when it does, else to a skip reason; when `CI=true` an
 * unreachable Redis also registers a failing test, so CI cannot pass without exercising Redis.
 */
export async function redisSkipReason(url = TEST_REDIS_URL): Promise<string | false> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  })
  let problem: string | undefined
  probe.on('error', (error: Error) => {
    problem = error.message
  })
  try {
    await Promise.race([
      probe.connect().then(() => probe.ping()),
      sleep(1500).then(() => Promise.reject(new Error('timeout'))),
    ])
  } catch (error) {
    problem ??= error instanceof Error ? error.message : String(error)
  } finally {
    probe.disconnect()
  }
  if (problem === undefined) return false
  const reason = `Redis at ${redisAddress(url)} is unreachable (${problem}); start it or set REDIS_URL`
  if (process.env.CI === 'true') test('Redis is reachable (required when CI=true)', () => assert.fail(reason))
  return reason
}

/** Deletes every key under `prefix` (SCAN + DEL). */
export async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
      if (keys.length > 0) await redis.del(...keys)
      cursor = next
    } while (cursor !== '0')
  } finally {
    await redis.quit()
  }
}
