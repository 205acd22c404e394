import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createMemoryRateLimiter, createRateLimiter } from '../../../src/runtime/rate-limit/index.js'
import { rateLimiterContract } from '../../contract/rate-limit-suite.js'

rateLimiterContract('memory', async () => createMemoryRateLimiter(), { sharedAcrossInstances: false })

describe('memory rate limiter', () => {
  it('is what createRateLimiter returns without a Redis URL', async () => {
    for (const options of [undefined, {}, { redisUrl: '' }, { redisUrl: undefined, namespace: 'x:' }]) {
      const limiter = await createRateLimiter(options)
      assert.equal(limiter.kind, 'memory')
      await limiter.close()
    }
  })

  it('sweeps keys whose attempts have all left their window, and keeps the others', async () => {
    const limiter = createMemoryRateLimiter()
    const t0 = 1_000_000
    await limiter.hit('idle', 5, 1000, t0)
    await limiter.hit('busy', 5, 10_000, t0)
    await limiter.hit('busy', 5, 10_000, t0 + 5000)
    assert.equal(limiter.size, 2)
    limiter.sweep(t0 + 999)
    assert.equal(limiter.size, 2, 'idle still has an attempt in its window')
    limiter.sweep(t0 + 1000)
    assert.equal(limiter.size, 1)
    limiter.sweep(t0 + 14_999)
    assert.equal(limiter.size, 1, 'busy keeps its newest attempt')
    limiter.sweep(t0 + 15_000)
    assert.equal(limiter.size, 0)
    assert.deepEqual(await limiter.hit('busy', 5, 10_000, t0 + 15_000), {
      allowed: true,
      remaining: 4,
      retryAfterMs: 0,
    })
    await limiter.close()
  })

  it('sweeps on its own timer', async () => {
    const limiter = createMemoryRateLimiter({ sweepIntervalMs: 20 })
    await limiter.hit('gone', 1, 10, Date.now() - 1000)
    assert.equal(limiter.size, 1)
    const deadline = Date.now() + 3000
    while (limiter.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    assert.equal(limiter.size, 0)
    await limiter.close()
  })

  it('tracks no key for an attempt refused by another window', async () => {
    const limiter = createMemoryRateLimiter()
    await limiter.hit('full', 1, 60_000)
    const verdict = await limiter.hitAll([
      { key: 'fresh', limit: 1, windowMs: 60_000 },
      { key: 'full', limit: 1, windowMs: 60_000 },
    ])
    assert.equal(verdict.allowed, false)
    assert.equal(limiter.size, 1)
    await limiter.close()
  })

  it('keeps attempts ordered when the caller clock goes backwards', async () => {
    const limiter = createMemoryRateLimiter()
    await limiter.hit('back', 2, 1000, 5000)
    await limiter.hit('back', 2, 1000, 4500)
    // Oldest is 4500: free at 5500.
    assert.deepEqual(await limiter.hit('back', 2, 1000, 5200), { allowed: false, remaining: 0, retryAfterMs: 300 })
    await limiter.close()
  })
})
