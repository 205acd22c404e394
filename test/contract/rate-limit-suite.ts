/**
 * The contract every {@link RateLimiter} implementation must pass. Window tests drive the clock through
 * `now` (t0 = the real time at start, so idle-key sweeps and Redis TTLs never interfere); one test runs on
 * the limiter's own clock.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { RateLimiter } from '../../src/runtime/rate-limit/types.js'

/** How {@link rateLimiterContract} runs. */
export interface RateLimiterContractOptions {
  /** true when two limiters from the factory share their windows (Redis). */
  readonly sharedAcrossInstances: boolean
  /** A reason to skip the whole suite (e.g. Redis unreachable), or false/absent to run it. */
  readonly skip?: string | false | undefined
}

const MINUTE = 60_000

/** Registers the rate-limiter contract suite; every limiter `factory` returns is closed at the end. */
export function rateLimiterContract(
  name: string,
  factory: () => Promise<RateLimiter>,
  options: RateLimiterContractOptions,
): void {
  describe(`rate-limiter contract: ${name}`, { skip: options.skip ?? false }, () => {
    const opened: RateLimiter[] = []
    const make = async (): Promise<RateLimiter> => {
      const limiter = await factory()
      opened.push(limiter)
      return limiter
    }
    let limiter: RateLimiter
    let t0: number
    before(async () => {
      limiter = await make()
      t0 = Date.now()
    })
    after(async () => {
      await Promise.all(opened.map((l) => l.close()))
    })

    it('allows exactly `limit` of 200 concurrent hits', async () => {
      for (const limit of [1, 10, 57]) {
        const results = await Promise.all(
          Array.from({ length: 200 }, () => limiter.hit(`conc:${limit}`, limit, MINUTE)),
        )
        assert.equal(results.filter((r) => r.allowed).length, limit, `limit ${limit}`)
        const remaining = results
          .filter((r) => r.allowed)
          .map((r) => r.remaining)
          .sort((a, b) => a - b)
        assert.deepEqual(
          remaining,
          Array.from({ length: limit }, (_, i) => i),
          'each allowed hit saw a distinct count',
        )
        for (const r of results.filter((x) => !x.allowed)) {
          assert.equal(r.remaining, 0)
          assert.ok(r.retryAfterMs > 0 && r.retryAfterMs <= MINUTE, `retryAfterMs ${r.retryAfterMs}`)
        }
      }
    })

    it(`${options.sharedAcrossInstances ? 'shares' : 'does not share'} windows between instances`, async () => {
      const other = await make()
      const hits = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? limiter : other).hit('shared:k', 10, MINUTE)),
      )
      assert.equal(hits.filter((r) => r.allowed).length, options.sharedAcrossInstances ? 10 : 20)
    })

    it('counts remaining down and answers 0 / retryAfterMs exactly', async () => {
      assert.deepEqual(await limiter.hit('count:k', 3, MINUTE, t0), { allowed: true, remaining: 2, retryAfterMs: 0 })
      assert.deepEqual(await limiter.hit('count:k', 3, MINUTE, t0 + 1000), {
        allowed: true,
        remaining: 1,
        retryAfterMs: 0,
      })
      assert.deepEqual(await limiter.hit('count:k', 3, MINUTE, t0 + 2000), {
        allowed: true,
        remaining: 0,
        retryAfterMs: 0,
      })
      // The oldest attempt (t0) leaves the window at t0 + 60 s.
      assert.deepEqual(await limiter.hit('count:k', 3, MINUTE, t0 + 12_000), {
        allowed: false,
        remaining: 0,
        retryAfterMs: 48_000,
      })
    })

    it('slides: an attempt leaves the window exactly windowMs after it was made', async () => {
      assert.equal((await limiter.hit('slide:k', 2, MINUTE, t0)).allowed, true)
      assert.equal((await limiter.hit('slide:k', 2, MINUTE, t0 + 30_000)).allowed, true)
      assert.deepEqual(await limiter.hit('slide:k', 2, MINUTE, t0 + 59_999), {
        allowed: false,
        remaining: 0,
        retryAfterMs: 1,
      })
      assert.deepEqual(await limiter.hit('slide:k', 2, MINUTE, t0 + 60_000), {
        allowed: true,
        remaining: 0,
        retryAfterMs: 0,
      })
      // Now t0 + 30 s is the oldest: free again at t0 + 90 s.
      assert.deepEqual(await limiter.hit('slide:k', 2, MINUTE, t0 + 61_000), {
        allowed: false,
        remaining: 0,
        retryAfterMs: 29_000,
      })
      assert.equal((await limiter.hit('slide:k', 2, MINUTE, t0 + 90_000)).allowed, true)
    })

    it('does not let refused attempts extend the window', async () => {
      assert.equal((await limiter.hit('refused:k', 1, MINUTE, t0)).allowed, true)
      for (let s = 1; s < 60; s += 3) {
        const r = await limiter.hit('refused:k', 1, MINUTE, t0 + s * 1000)
        assert.deepEqual(r, { allowed: false, remaining: 0, retryAfterMs: (60 - s) * 1000 })
      }
      assert.equal((await limiter.hit('refused:k', 1, MINUTE, t0 + MINUTE)).allowed, true)
    })

    it('honours a lowered limit: retryAfterMs waits for enough attempts to leave', async () => {
      for (let s = 0; s < 5; s++) assert.equal((await limiter.hit('lowered:k', 5, MINUTE, t0 + s * 1000)).allowed, true)
      // Five attempts recorded, limit now 2: four must leave, the fourth oldest (t0 + 3 s) last.
      assert.deepEqual(await limiter.hit('lowered:k', 2, MINUTE, t0 + 10_000), {
        allowed: false,
        remaining: 0,
        retryAfterMs: 53_000,
      })
      assert.equal((await limiter.hit('lowered:k', 2, MINUTE, t0 + 62_999)).allowed, false)
      assert.equal((await limiter.hit('lowered:k', 2, MINUTE, t0 + 63_000)).allowed, true)
    })

    it('forgets a key on reset, and resetting an unknown key is fine', async () => {
      for (let i = 0; i < 3; i++) await limiter.hit('reset:k', 3, MINUTE)
      assert.equal((await limiter.hit('reset:k', 3, MINUTE)).allowed, false)
      await limiter.reset('reset:k')
      assert.deepEqual(await limiter.hit('reset:k', 3, MINUTE), { allowed: true, remaining: 2, retryAfterMs: 0 })
      await limiter.reset('reset:never-used')
    })

    it('keeps keys isolated, including keys that prefix one another', async () => {
      assert.equal((await limiter.hit('iso:a', 1, MINUTE)).allowed, true)
      assert.equal((await limiter.hit('iso:a', 1, MINUTE)).allowed, false)
      for (const key of ['iso:a:b', 'iso:ab', 'iso:', 'iso:A', 'iso:a ']) {
        assert.equal((await limiter.hit(key, 1, MINUTE)).allowed, true, key)
      }
      await limiter.reset('iso:a:b')
      assert.equal((await limiter.hit('iso:a', 1, MINUTE)).allowed, false, 'resetting another key leaves iso:a alone')
    })

    it('records an attempt in several windows all or nothing', async () => {
      const windows = (cooldownMs: number) => [
        { key: 'multi:cd', limit: 1, windowMs: cooldownMs },
        { key: 'multi:rl', limit: 2, windowMs: MINUTE },
      ]
      assert.equal((await limiter.hitAll(windows(10_000), t0)).allowed, true)
      const cooling = await limiter.hitAll(windows(10_000), t0 + 1000)
      assert.equal(cooling.allowed, false)
      assert.deepEqual(cooling.results, [
        { allowed: false, remaining: 0, retryAfterMs: 9000 },
        { allowed: true, remaining: 0, retryAfterMs: 0 },
      ])
      // The refused attempt used up nothing: the rate window still has room for exactly one.
      assert.equal((await limiter.hitAll(windows(10_000), t0 + 10_000)).allowed, true)
      const full = await limiter.hitAll(windows(10_000), t0 + 20_000)
      assert.deepEqual(full.results, [
        { allowed: true, remaining: 0, retryAfterMs: 0 },
        { allowed: false, remaining: 0, retryAfterMs: 40_000 },
      ])
      assert.equal(full.allowed, false)
      // …and the cooldown window was not started by that refusal either.
      assert.deepEqual((await limiter.hit('multi:cd', 1, 10_000, t0 + 20_001)).allowed, true)
    })

    it('runs on its own clock when no `now` is given', async () => {
      assert.equal((await limiter.hit('clock:k', 1, 200)).allowed, true)
      const refused = await limiter.hit('clock:k', 1, 200)
      assert.equal(refused.allowed, false)
      assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 200, `retryAfterMs ${refused.retryAfterMs}`)
      await sleep(refused.retryAfterMs + 50)
      assert.equal((await limiter.hit('clock:k', 1, 200)).allowed, true)
    })

    it('rejects bad limits, windows, clocks and key lists', async () => {
      await assert.rejects(limiter.hit('bad', 0, MINUTE), RangeError)
      await assert.rejects(limiter.hit('bad', 1.5, MINUTE), RangeError)
      await assert.rejects(limiter.hit('bad', 1, 0), RangeError)
      await assert.rejects(limiter.hit('bad', 1, Number.NaN), RangeError)
      await assert.rejects(limiter.hit('bad', 1, MINUTE, Number.POSITIVE_INFINITY), RangeError)
      await assert.rejects(limiter.hitAll([]), RangeError)
      await assert.rejects(
        limiter.hitAll([
          { key: 'dup', limit: 1, windowMs: 1 },
          { key: 'dup', limit: 2, windowMs: 1 },
        ]),
        RangeError,
      )
      assert.equal((await limiter.hit('bad', 1, MINUTE)).allowed, true, 'nothing was recorded by the bad calls')
    })

    it('refuses work after close, and close is idempotent', async () => {
      const closing = await make()
      await closing.hit('close:k', 1, MINUTE)
      await closing.close()
      await assert.rejects(closing.hit('close:k', 1, MINUTE))
      await assert.rejects(closing.reset('close:k'))
      await closing.close()
    })
  })
}
