import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createCache, createMemoryCache } from '../../../src/runtime/cache/index.js'
import { cacheContract, waitFor } from '../../contract/cache-suite.js'

const reported: unknown[] = []

cacheContract('memory', async () => createMemoryCache({ onError: (error) => reported.push(error) }), {
  sharedAcrossInstances: false,
})

describe('memory cache', () => {
  it('is what createCache returns without a Redis URL', async () => {
    for (const options of [{}, { redisUrl: '' }, { redisUrl: undefined, namespace: 'x:' }]) {
      const cache = await createCache(options)
      assert.equal(cache.kind, 'memory')
      await cache.close()
    }
  })

  it('reports a throwing subscriber to onError with the channel', async () => {
    const errors: Array<{ error: unknown; context: string }> = []
    const cache = createMemoryCache({ onError: (error, context) => errors.push({ error, context }) })
    const boom = new Error('boom')
    await cache.subscribe('alerts', () => {
      throw boom
    })
    await cache.publish('alerts', 1)
    await waitFor(() => errors.length === 1, 'the reported error')
    assert.equal(errors[0]!.error, boom)
    assert.match(errors[0]!.context, /alerts/)
    await cache.close()
  })

  it('does not deliver a message queued before unsubscribe', async () => {
    const cache = createMemoryCache()
    const got: unknown[] = []
    const unsubscribe = await cache.subscribe('late', (m) => got.push(m))
    const publishing = cache.publish('late', 'x')
    await unsubscribe()
    await publishing
    await cache.publish('late', 'y')
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(got, [])
    await cache.close()
  })

  it('treats a channel named "error" as an ordinary channel', async () => {
    const cache = createMemoryCache()
    await cache.publish('error', 'nobody listens')
    const got: unknown[] = []
    await cache.subscribe('error', (m) => got.push(m))
    await cache.publish('error', 'heard')
    await waitFor(() => got.length === 1, 'the message')
    assert.deepEqual(got, ['heard'])
    await cache.close()
  })

  it('keeps at most maxValues values: a new key evicts the oldest, a rewrite evicts nothing', async () => {
    const cache = createMemoryCache({ maxValues: 3 })
    for (const k of ['a', 'b', 'c']) await cache.set(k, k, 60_000)
    await cache.set('a', 'a2', 60_000)
    assert.deepEqual([await cache.get('a'), await cache.get('b'), await cache.get('c')], ['a2', 'b', 'c'])
    await cache.set('d', 'd', 60_000)
    assert.equal(await cache.get('a'), undefined, 'the oldest key went')
    assert.deepEqual([await cache.get('b'), await cache.get('c'), await cache.get('d')], ['b', 'c', 'd'])
    await cache.close()
  })
})
