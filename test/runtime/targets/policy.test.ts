import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { WaddleError } from '../../../src/runtime/errors.js'
import { metricsRegistry } from '../../../src/runtime/metrics.js'
import { TimeoutError } from '../../../src/runtime/module-clients.js'
import { CircuitBreaker } from '../../../src/runtime/targets/breaker.js'
import { checkReply, withPolicy } from '../../../src/runtime/targets/policy.js'
import { TargetFailure } from '../../../src/runtime/targets/types.js'
import { makeRequest, resultFor } from '../../fakes/webhook-server.js'

const spec = (name: string) => ({ transport: 'webhook' as const, module: 'm', location: `test:${name}:${process.pid}` })
const code = (e: unknown) => (e instanceof WaddleError ? e.code : (e as Error).name)

async function gaugeValue(target: string): Promise<number | undefined> {
  const text = await metricsRegistry.metrics()
  const line = text.split('\n').find((l) => l.startsWith(`waddlebot_target_breaker_state{target="${target}"}`))
  return line ? Number(line.split(' ').pop()) : undefined
}

describe('circuit breaker', () => {
  test('opens after 5 consecutive failures, fails fast, half-opens after the cooldown, closes on success', async () => {
    let clock = 1_000_000
    const b = new CircuitBreaker(`breaker-a-${process.pid}`, { now: () => clock })
    assert.equal(await gaugeValue(b.target), 0)
    for (let i = 0; i < 4; i++) b.acquire().failure()
    assert.equal(b.state, 'closed')
    b.acquire().success() // a success resets the count
    for (let i = 0; i < 4; i++) b.acquire().failure()
    assert.equal(b.state, 'closed')
    b.acquire().failure()
    assert.equal(b.state, 'open')
    assert.equal(await gaugeValue(b.target), 1)
    assert.throws(
      () => b.acquire(),
      (e: unknown) => code(e) === 'WB_TARGET_CIRCUIT_OPEN' && /next trial in 30 s/.test((e as Error).message),
    )
    clock += 29_999
    assert.throws(() => b.acquire(), /paused after repeated failures/)
    clock += 1
    // The scrape itself notices the cooldown has passed.
    assert.equal(await gaugeValue(b.target), 2)
    assert.equal(b.state, 'half-open')
    const trial = b.acquire()
    assert.equal(trial.trial, true)
    assert.throws(
      () => b.acquire(),
      (e: unknown) => code(e) === 'WB_TARGET_CIRCUIT_OPEN',
      'only one trial while half-open',
    )
    trial.success()
    assert.equal(b.state, 'closed')
    assert.equal(await gaugeValue(b.target), 0)
    b.acquire().success()
    b.dispose()
    assert.equal(await gaugeValue(b.target), undefined)
  })

  test('a failed trial opens the circuit for another cooldown; late outcomes of old calls change nothing', () => {
    let clock = 0
    const b = new CircuitBreaker(`breaker-b-${process.pid}`, {
      now: () => clock,
      failureThreshold: 2,
      cooldownMs: 1000,
    })
    const early = b.acquire()
    b.acquire().failure()
    b.acquire().failure()
    assert.equal(b.state, 'open')
    early.success() // admitted while closed, finished after the circuit opened
    assert.equal(b.state, 'open')
    clock += 1000
    const trial = b.acquire()
    trial.failure()
    trial.success() // a ticket settles once
    assert.equal(b.state, 'open')
    clock += 999
    assert.equal(b.state, 'open')
    clock += 1
    b.acquire().success()
    assert.equal(b.state, 'closed')
    b.dispose()
  })
})

describe('policy', () => {
  test('retries only retryable failures, at most twice, with doubling backoff', async () => {
    const delays: number[] = []
    const retried: string[] = []
    let calls = 0
    const target = withPolicy(
      spec('retry'),
      async () => {
        calls += 1
        throw new TargetFailure('x', 'answered 503', true)
      },
      {
        sleep: async (ms) => void delays.push(ms),
        retries: 5,
        onRetry: (i) => void retried.push(`${i.executionId}#${i.retry}`),
      },
    )
    const request = makeRequest()
    await assert.rejects(target.execute(request), (e: unknown) => code(e) === 'WB_TARGET_FAILED')
    assert.equal(calls, 3, 'first attempt + MAX_RETRIES (2), even when more are asked for')
    assert.deepEqual(delays, [100, 200])
    assert.deepEqual(retried, [`${request.execution_id}#1`, `${request.execution_id}#2`])
    await target.close()
  })

  test('a non-retryable failure, a plain error or an invalid reply is tried once', async () => {
    for (const fail of [
      () => Promise.reject(new TargetFailure('x', 'answered 500', false)),
      () => Promise.reject(new Error('boom')),
      () => Promise.resolve({ nope: true }),
    ]) {
      let calls = 0
      const target = withPolicy(
        spec('once'),
        () => {
          calls += 1
          return fail()
        },
        { sleep: async () => {} },
      )
      await assert.rejects(target.execute(makeRequest()))
      assert.equal(calls, 1)
      await target.close()
    }
  })

  test('the timeout is a deadline: an attempt that ignores its signal still yields a TimeoutError, not retried', async () => {
    let calls = 0
    const target = withPolicy(
      spec('deadline'),
      () => {
        calls += 1
        return new Promise(() => {}) // never settles
      },
      { timeoutMs: 50 },
    )
    await assert.rejects(target.execute(makeRequest()), (e: unknown) => e instanceof TimeoutError && e.ms === 50)
    await assert.rejects(
      target.execute(makeRequest(), { timeoutMs: 20 }),
      (e: unknown) => e instanceof TimeoutError && e.ms === 20,
    )
    assert.equal(calls, 2)
    assert.equal(target.breaker.consecutiveFailures, 2)
    await target.close()
  })

  test('prepare (a cold start) runs before the deadline starts; a failing prepare fails the call and counts', async () => {
    let open: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      open = resolve
    })
    let prepared = 0
    const target = withPolicy(
      {
        ...spec('prepare'),
        prepare: async () => {
          prepared += 1
          await gate
        },
      },
      async (request) => resultFor(request),
      { timeoutMs: 30 },
    )
    const call = target.execute(makeRequest())
    await new Promise((resolve) => setTimeout(resolve, 100)) // longer than the timeout, spent in prepare
    open()
    assert.equal((await call).success, true)
    assert.equal(prepared, 1)
    await target.close()
    const broken = withPolicy(
      { ...spec('broken'), prepare: () => Promise.reject(new Error('Cannot find package')) },
      async (r) => resultFor(r),
    )
    await assert.rejects(
      broken.execute(makeRequest()),
      (e: unknown) =>
        code(e) === 'WB_TARGET_FAILED' && /could not start: Cannot find package/.test((e as Error).message),
    )
    assert.equal(broken.breaker.consecutiveFailures, 1)
    await broken.close()
  })

  test('a reply for another session or execution is rejected with WB_EXECUTION_SESSION_MISMATCH', () => {
    const request = makeRequest()
    assert.deepEqual(checkReply('t', request, resultFor(request, 'hi')).responses, [{ type: 'chat', text: 'hi' }])
    assert.throws(
      () => checkReply('t', request, { ...resultFor(request), session_id: 'other' }),
      (e: unknown) => code(e) === 'WB_EXECUTION_SESSION_MISMATCH',
    )
    assert.throws(
      () => checkReply('t', request, { ...resultFor(request), execution_id: 'other' }),
      (e: unknown) => code(e) === 'WB_EXECUTION_SESSION_MISMATCH',
    )
    assert.throws(
      () => checkReply('t', request, { ...resultFor(request), responses: [{ type: 'chat' }] }),
      /invalid reply: responses.0.text/,
    )
  })
})
