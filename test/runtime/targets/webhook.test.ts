import assert from 'node:assert/strict'
import { after, beforeEach, describe, test } from 'node:test'
import type { ExecutionRequest } from '../../../src/contract/execution.js'
import { WaddleError } from '../../../src/runtime/errors.js'
import { TimeoutError } from '../../../src/runtime/module-clients.js'
import { createWebhookTarget, signWebhook, verifyWebhookSignature } from '../../../src/runtime/targets/webhook.js'
import {
  closedPort,
  echo,
  makeRequest,
  resultFor,
  startWebhookServer,
  type WebhookReceiver,
} from '../../fakes/webhook-server.js'

const SECRET = 'test-webhook-secret'
const code = (e: unknown) => (e instanceof WaddleError ? e.code : (e as Error).name)

describe('verifyWebhookSignature', () => {
  const body = '{"execution_id":"e","n":1}'
  const now = 1_700_000_000
  const sig = signWebhook(SECRET, now, body)

  test('accepts the signature of the raw body within the window', () => {
    assert.match(sig, /^sha256=[0-9a-f]{64}$/)
    assert.equal(verifyWebhookSignature(SECRET, String(now), body, sig, 300, now + 300), true)
    assert.equal(verifyWebhookSignature(SECRET, now, Buffer.from(body), sig, 300, now - 10), true)
  })

  test('rejects a tampered body, another secret, another timestamp, a stale timestamp or a malformed header', () => {
    assert.equal(verifyWebhookSignature(SECRET, now, body.replace('1', '2'), sig, 300, now), false)
    assert.equal(verifyWebhookSignature('other-secret', now, body, sig, 300, now), false)
    assert.equal(verifyWebhookSignature(SECRET, now + 1, body, sig, 300, now), false)
    assert.equal(verifyWebhookSignature(SECRET, now, body, sig, 300, now + 301), false)
    assert.equal(verifyWebhookSignature(SECRET, now, body, sig.slice(0, -2), 300, now), false)
    assert.equal(verifyWebhookSignature(SECRET, now, body, sig.replace('sha256=', 'sha1='), 300, now), false)
    assert.equal(verifyWebhookSignature(SECRET, undefined, body, sig), false)
    assert.equal(verifyWebhookSignature(SECRET, 'abc', body, sig), false)
  })
})

describe('webhook target', () => {
  let receiver: WebhookReceiver
  let retried: number[] = []
  const target = (
    extra: { secret?: string; url?: string; retries?: number; sleep?: (ms: number) => Promise<void> } = {},
  ) => {
    retried = []
    return createWebhookTarget({
      url: extra.url ?? `${receiver.url}/hooks/bot?token=abc`,
      secret: extra.secret ?? SECRET,
      module: 'hooks',
      policy: {
        timeoutMs: 30_000, // generous: a loaded machine must not fail tests that are not about timeouts
        backoffMs: 5,
        onRetry: ({ retry }) => void retried.push(retry),
        ...(extra.retries !== undefined ? { retries: extra.retries } : {}),
        ...(extra.sleep ? { sleep: extra.sleep } : {}),
      },
    })
  }

  // A fresh receiver per test: a request aborted by one test may still arrive late, and must not count in the next.
  beforeEach(async () => {
    await receiver?.close()
    receiver = await startWebhookServer(SECRET)
  })
  after(() => receiver.close())

  test('POSTs the signed ExecutionRequest and returns the validated result', async () => {
    const t = target()
    const request = makeRequest('#weather', { args: ['Oslo', 'tomorrow'] })
    const result = await t.execute(request)
    assert.deepEqual(result, resultFor(request))
    assert.equal(t.transport, 'webhook')
    assert.equal(t.location, `webhook:${receiver.url}/hooks/bot`, 'no query string in the label')
    const [req] = receiver.requests
    assert.equal(req.method, 'POST')
    assert.equal(req.url, '/hooks/bot?token=abc')
    assert.equal(req.headers['content-type'], 'application/json')
    assert.deepEqual(JSON.parse(req.body) as ExecutionRequest, request)
    assert.deepEqual(receiver.verified, [true], 'the receiver verifies the signature')
    const ts = Number(req.headers['x-waddlebot-timestamp'])
    assert.ok(Math.abs(ts - Date.now() / 1000) < 60)
    // The same headers do not verify a tampered body.
    const tampered = req.body.replace('Oslo', 'Bergen')
    assert.notEqual(tampered, req.body)
    assert.equal(
      verifyWebhookSignature(SECRET, String(ts), tampered, req.headers['x-waddlebot-signature'] as string),
      false,
    )
    await t.close()
  })

  test('a request signed with another secret is refused by the receiver: a failure, not retried', async () => {
    const t = target({ secret: 'wrong-secret' })
    await assert.rejects(
      t.execute(makeRequest()),
      (e: unknown) => code(e) === 'WB_TARGET_FAILED' && /answered 401/.test((e as Error).message),
    )
    assert.deepEqual(receiver.verified, [false])
    await t.close()
  })

  test('a result with success:false is passed through; a 500 is a failure tried once', async () => {
    const t = target()
    receiver.respond((req) => ({
      body: { ...resultFor(JSON.parse(req.body) as ExecutionRequest), success: false, responses: [], error: 'no city' },
    }))
    const result = await t.execute(makeRequest())
    assert.equal(result.success, false)
    assert.equal(result.error, 'no city')
    receiver.respond(() => ({ status: 500, body: 'internal oops' }))
    await assert.rejects(t.execute(makeRequest()), /answered 500: internal oops/)
    assert.equal(receiver.requests.length, 2)
    await t.close()
  })

  test('a reply for another session is rejected', async () => {
    const t = target()
    receiver.respond((req) => ({
      body: { ...resultFor(JSON.parse(req.body) as ExecutionRequest), session_id: 'someone-else' },
    }))
    await assert.rejects(t.execute(makeRequest()), (e: unknown) => code(e) === 'WB_EXECUTION_SESSION_MISMATCH')
    await t.close()
  })

  test('a receiver that sleeps past the timeout yields a TimeoutError without waiting for it, and no retry', async () => {
    const t = target()
    receiver.respond((req) => ({ body: resultFor(JSON.parse(req.body) as ExecutionRequest), delayMs: 10_000 }))
    const answered = receiver.answered
    await assert.rejects(
      t.execute(makeRequest(), { timeoutMs: 150 }),
      (e: unknown) => e instanceof TimeoutError && e.ms === 150,
    )
    assert.equal(receiver.answered, answered, 'the call settled while the receiver was still sleeping')
    assert.deepEqual(retried, [], 'a timeout is never retried')
    assert.ok(receiver.requests.length <= 1)
    await t.close()
  })

  test('503 is retried (the receiver had not run the command) and then succeeds', async () => {
    const t = target()
    let n = 0
    receiver.respond((req) => (++n <= 2 ? { status: 503, body: 'busy' } : echo(req)))
    const request = makeRequest()
    assert.deepEqual(await t.execute(request), resultFor(request))
    assert.equal(receiver.requests.length, 3)
    assert.deepEqual(receiver.verified, [true, true, true], 'every retry is signed afresh')
    await t.close()
  })

  test('connection refused is retried twice, then fails', async () => {
    const delays: number[] = []
    const t = target({ url: `http://127.0.0.1:${await closedPort()}/hook`, sleep: async (ms) => void delays.push(ms) })
    await assert.rejects(
      t.execute(makeRequest()),
      (e: unknown) => code(e) === 'WB_TARGET_FAILED' && /ECONNREFUSED/.test((e as Error).message),
    )
    assert.deepEqual(delays, [5, 10])
    await t.close()
  })

  test('the breaker opens after 5 failed calls and then fails fast without a request', async () => {
    const t = target({ retries: 0 })
    receiver.respond(() => ({ status: 500, body: 'down' }))
    for (let i = 0; i < 5; i++) await assert.rejects(t.execute(makeRequest()), /answered 500/)
    await assert.rejects(t.execute(makeRequest()), (e: unknown) => code(e) === 'WB_TARGET_CIRCUIT_OPEN')
    assert.equal(receiver.requests.length, 5)
    assert.equal(t.breaker.state, 'open')
    await t.close()
  })

  test('rejects a non-http URL and an empty secret', () => {
    assert.throws(() => createWebhookTarget({ url: 'ftp://example.com/x', secret: SECRET }), /http\(s\)/)
    assert.throws(() => createWebhookTarget({ url: 'https://example.com/x', secret: '' }), /secret/)
  })
})
