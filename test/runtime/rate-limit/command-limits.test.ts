import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  createCommandLimits,
  type LimitCheck,
  limitKeys,
  refusalNotice,
  wholeSeconds,
} from '../../../src/modules/router/limits.js'
import { createCache } from '../../../src/runtime/cache/index.js'
import type { Cache } from '../../../src/runtime/cache/types.js'
import { createRateLimiter } from '../../../src/runtime/rate-limit/index.js'
import type { RateLimiter } from '../../../src/runtime/rate-limit/types.js'
import { deleteRedisPrefix, redisSkipReason, TEST_REDIS_URL, uniqueNamespace } from '../../contract/cache-suite.js'

describe('refusal notices', () => {
  it('round whole seconds up, never below 1', () => {
    assert.deepEqual([1, 999, 1000, 1001, 11_001, 12_000, 40_000, 0].map(wholeSeconds), [1, 1, 1, 2, 12, 12, 40, 1])
  })

  it('read as one friendly line', () => {
    assert.equal(refusalNotice('cooldown', '!so', 'Ann', 11_200), '@Ann !so is on cooldown, 12 s left')
    assert.equal(refusalNotice('rate_limit', '!so', 'Ann', 39_001), '@Ann !so: slow down, try again in 40 s')
    assert.equal(refusalNotice('cooldown', '#dice', '', 500), '#dice is on cooldown, 1 s left')
  })

  it('use the documented key layout', () => {
    assert.deepEqual(limitKeys({ entityId: 'twitch:1:2', command: '!so', userId: 'u9' }), {
      cooldown: 'cd:twitch:1:2:!so:u9',
      user: 'rl:twitch:1:2:!so:u9',
      entity: 'rle:twitch:1:2:!so',
      notice: 'rl:notice:twitch:1:2:!so:u9',
    })
  })
})

const redisSkip = await redisSkipReason()
const namespace = uniqueNamespace()
const quiet = (): void => {}

interface Side {
  readonly limiter: RateLimiter
  readonly cache: Cache
}

const backends: [name: string, open: () => Promise<Side>, skip: string | false][] = [
  ['memory', async () => ({ limiter: await createRateLimiter(), cache: await createCache({}) }), false],
  [
    'redis',
    async () => ({
      limiter: await createRateLimiter({ redisUrl: TEST_REDIS_URL, namespace, onError: quiet }),
      cache: await createCache({ redisUrl: TEST_REDIS_URL, namespace, onError: quiet }),
    }),
    redisSkip,
  ],
]

for (const [name, open, skip] of backends) {
  describe(`command limits on ${name}`, { skip }, () => {
    /** Two routers: separate connections on Redis; on memory the same process state, as in one process. */
    let a: Side
    let b: Side
    before(async () => {
      a = await open()
      b = name === 'redis' ? await open() : a
    })
    after(async () => {
      for (const side of new Set([a, b])) await Promise.all([side.limiter.close(), side.cache.close()])
      if (name === 'redis') await deleteRedisPrefix(TEST_REDIS_URL, namespace)
    })
    let n = 0
    /** A fresh entity per test, so tests never share windows. */
    const input = (extra: Partial<LimitCheck> = {}): LimitCheck => ({
      command: '!so',
      userId: 'u1',
      entityId: `local:s:c${n}`,
      displayName: 'Ann',
      rateLimit: 0,
      cooldownMs: 0,
      ...extra,
    })
    const fresh = (): void => {
      n++
    }

    it('lets everything through when no limit is set, without touching the limiter', async () => {
      fresh()
      const limits = createCommandLimits(a.limiter, a.cache)
      for (let i = 0; i < 50; i++) assert.deepEqual(await limits.check(input()), { ok: true })
      assert.deepEqual(await limits.check(input({ entityRateLimit: 0 })), { ok: true })
      assert.deepEqual(await a.limiter.hit(limitKeys(input()).user, 1, 60_000), {
        allowed: true,
        remaining: 0,
        retryAfterMs: 0,
      })
    })

    it('puts a user on cooldown with one notice (whole seconds rounded up), then silence', async () => {
      fresh()
      const limits = createCommandLimits(a.limiter, a.cache)
      assert.deepEqual(await limits.check(input({ cooldownMs: 12_500 })), { ok: true })
      const first = await limits.check(input({ cooldownMs: 12_500 }))
      assert.equal(first.ok, false)
      if (first.ok) return
      assert.equal(first.reason, 'cooldown')
      assert.ok(first.retryAfterMs > 0 && first.retryAfterMs <= 12_500, `retryAfterMs ${first.retryAfterMs}`)
      assert.equal(first.notice, `@Ann !so is on cooldown, ${Math.ceil(first.retryAfterMs / 1000)} s left`)
      for (let i = 0; i < 5; i++) {
        const again = await limits.check(input({ cooldownMs: 12_500 }))
        assert.equal(again.ok, false)
        assert.equal(!again.ok && again.reason, 'cooldown')
        assert.equal('notice' in again, false, 'later refusals in the window are silent')
      }
      // Other users and other commands have their own cooldowns.
      assert.deepEqual(await limits.check(input({ cooldownMs: 12_500, userId: 'u2' })), { ok: true })
      assert.deepEqual(await limits.check(input({ cooldownMs: 12_500, command: '!lurk' })), { ok: true })
    })

    it('rate-limits a user per minute with one notice', async () => {
      fresh()
      const limits = createCommandLimits(a.limiter, a.cache)
      for (let i = 0; i < 3; i++) assert.deepEqual(await limits.check(input({ rateLimit: 3 })), { ok: true })
      const refused = await limits.check(input({ rateLimit: 3 }))
      assert.equal(refused.ok, false)
      if (refused.ok) return
      assert.equal(refused.reason, 'rate_limit')
      assert.ok(refused.retryAfterMs > 50_000 && refused.retryAfterMs <= 60_000, `retryAfterMs ${refused.retryAfterMs}`)
      assert.equal(refused.notice, `@Ann !so: slow down, try again in ${Math.ceil(refused.retryAfterMs / 1000)} s`)
      const silent = await limits.check(input({ rateLimit: 3 }))
      assert.equal(!silent.ok && silent.reason, 'rate_limit')
      assert.equal('notice' in silent, false)
    })

    it('limits an entity across users, each refused user hearing it once', async () => {
      fresh()
      const limits = createCommandLimits(a.limiter, a.cache)
      const check = (userId: string) =>
        limits.check(input({ userId, displayName: userId, rateLimit: 10, entityRateLimit: 2 }))
      assert.deepEqual(await check('u1'), { ok: true })
      assert.deepEqual(await check('u2'), { ok: true })
      const u3 = await check('u3')
      assert.equal(!u3.ok && u3.reason, 'rate_limit')
      assert.match((!u3.ok && u3.notice) || '', /^@u3 !so: slow down, try again in \d+ s$/)
      assert.equal('notice' in (await check('u3')), false)
      const u1 = await check('u1')
      assert.equal(!u1.ok && u1.reason, 'rate_limit')
      assert.match((!u1.ok && u1.notice) || '', /^@u1 /)
      // Another entity is not affected.
      assert.deepEqual(await limits.check(input({ entityId: `other:${n}`, rateLimit: 10, entityRateLimit: 2 })), {
        ok: true,
      })
    })

    it('does not start a cooldown for an attempt the entity limit refused', async () => {
      fresh()
      const limits = createCommandLimits(a.limiter, a.cache)
      const check = (userId: string) => limits.check(input({ userId, cooldownMs: 30_000, entityRateLimit: 1 }))
      assert.deepEqual(await check('u1'), { ok: true })
      assert.equal((await check('u2')).ok, false)
      await a.limiter.reset(limitKeys(input()).entity)
      assert.deepEqual(await check('u2'), { ok: true }, 'u2 was never put on cooldown')
    })

    it('names the longest wait when several limits refuse', async () => {
      fresh()
      const limits = createCommandLimits(a.limiter, a.cache)
      assert.deepEqual(await limits.check(input({ rateLimit: 1, cooldownMs: 5000 })), { ok: true })
      const both = await limits.check(input({ rateLimit: 1, cooldownMs: 5000 }))
      assert.equal(!both.ok && both.reason, 'rate_limit', 'the minute outlasts the 5 s cooldown')
      assert.ok(!both.ok && both.retryAfterMs > 5000)
    })

    it('gives one notice among concurrent refusals on two routers', async () => {
      fresh()
      const one = createCommandLimits(a.limiter, a.cache)
      const two = createCommandLimits(b.limiter, b.cache)
      const verdicts = await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 ? one : two).check(input({ rateLimit: 5 }))),
      )
      assert.equal(verdicts.filter((v) => v.ok).length, 5)
      assert.equal(verdicts.filter((v) => !v.ok && v.notice !== undefined).length, 1)
    })

    it('notifies again in the next refusal window', async () => {
      fresh()
      const limits = createCommandLimits(a.limiter, a.cache)
      const check = () => limits.check(input({ cooldownMs: 300 }))
      assert.deepEqual(await check(), { ok: true })
      const first = await check()
      assert.ok(!first.ok && first.notice !== undefined)
      assert.ok(!first.ok && !('notice' in (await check())))
      await sleep(first.retryAfterMs + 50)
      assert.deepEqual(await check(), { ok: true })
      const next = await check()
      assert.ok(!next.ok && next.notice !== undefined, 'a new window, a new notice')
    })
  })
}
