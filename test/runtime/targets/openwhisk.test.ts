import assert from 'node:assert/strict'
import { after, beforeEach, describe, test } from 'node:test'
import { WaddleError } from '../../../src/runtime/errors.js'
import { TimeoutError } from '../../../src/runtime/module-clients.js'
import {
  createOpenWhiskTarget,
  type OpenWhiskTargetOptions,
  openWhiskActionUrl,
} from '../../../src/runtime/targets/openwhisk.js'
import {
  echoAction,
  FAKE_OPENWHISK_AUTH,
  type FakeOpenWhisk,
  startOpenWhiskServer,
} from '../../fakes/openwhisk-server.js'
import { makeRequest, resultFor } from '../../fakes/webhook-server.js'

const code = (e: unknown) => (e instanceof WaddleError ? e.code : (e as Error).name)

describe('openwhisk target', () => {
  let ow: FakeOpenWhisk
  const target = (options: Partial<OpenWhiskTargetOptions> = {}) =>
    createOpenWhiskTarget({
      apiHost: ow.url,
      namespace: 'guest',
      action: 'bot/greet',
      auth: FAKE_OPENWHISK_AUTH,
      policy: { timeoutMs: 30_000, backoffMs: 1 },
      ...options,
    })

  // A fresh fake per test: a request aborted by one test may still arrive late, and must not count in the next.
  beforeEach(async () => {
    await ow?.close()
    ow = await startOpenWhiskServer({ 'guest/bot/greet': echoAction })
  })
  after(() => ow.close())

  test('action URL: namespace and action segments encoded, blocking result invocation', () => {
    assert.equal(
      openWhiskActionUrl('ow.example.com', '_', 'greet').href,
      'https://ow.example.com/api/v1/namespaces/_/actions/greet?blocking=true&result=true',
    )
    assert.equal(
      openWhiskActionUrl('http://h:3233/', 'my ns', 'pkg/a b').href,
      'http://h:3233/api/v1/namespaces/my%20ns/actions/pkg/a%20b?blocking=true&result=true',
    )
  })

  test('invokes the action with basic auth and the request as parameters; the result is the ExecutionResult', async () => {
    const t = target({ module: 'faas' })
    const request = makeRequest('#roll', { args: ['2d6'] })
    assert.deepEqual(await t.execute(request), resultFor(request))
    const [req] = ow.requests
    assert.equal(req.url, '/api/v1/namespaces/guest/actions/bot/greet?blocking=true&result=true')
    assert.equal(req.headers.authorization, `Basic ${Buffer.from(FAKE_OPENWHISK_AUTH).toString('base64')}`)
    assert.deepEqual(JSON.parse(req.body), request)
    assert.equal(t.location, `openwhisk:guest/bot/greet@${ow.url}/`)
    assert.doesNotMatch(t.location, /fake-key/, 'no credentials in the label')
  })

  test('an application error (502) is a failed result carrying the action error, never retried', async () => {
    ow.actions.set('guest/bot/greet', () => ({ error: 'dice are lost' }))
    const result = await target().execute(makeRequest())
    assert.equal(result.success, false)
    assert.equal(result.error, 'action failed: dice are lost')
    assert.equal(ow.requests.length, 1)
  })

  test('wrong auth, an unknown action and a 202 (still running) are failures tried once', async () => {
    await assert.rejects(
      target({ auth: 'guest:wrong' }).execute(makeRequest()),
      (e: unknown) => code(e) === 'WB_TARGET_FAILED' && /answered 401/.test((e as Error).message),
    )
    await assert.rejects(target({ action: 'nope' }).execute(makeRequest()), /answered 404/)
    ow.actions.set('guest/bot/greet', () => ({ status: 202, result: { activationId: 'abc' } }))
    await assert.rejects(target().execute(makeRequest()), /still running/)
    assert.equal(ow.requests.length, 3)
  })

  test('a reply for another session is rejected', async () => {
    ow.actions.set('guest/bot/greet', (p) => ({ result: { ...resultFor(p), session_id: 'nope' } }))
    await assert.rejects(target().execute(makeRequest()), (e: unknown) => code(e) === 'WB_EXECUTION_SESSION_MISMATCH')
  })

  test('timeout: TimeoutError while the action still runs, not retried', async () => {
    ow.actions.set('guest/bot/greet', (p) => ({ result: resultFor(p), delayMs: 10_000 }))
    const answered = ow.answered
    const retried: number[] = []
    await assert.rejects(
      target({ policy: { timeoutMs: 100, onRetry: ({ retry }) => void retried.push(retry) } }).execute(makeRequest()),
      (e: unknown) => e instanceof TimeoutError && e.ms === 100,
    )
    assert.equal(ow.answered, answered)
    assert.deepEqual(retried, [])
    assert.ok(ow.requests.length <= 1)
  })

  test('a 503 from a proxy in front is retried', async () => {
    let n = 0
    ow.actions.set('guest/bot/greet', (p) =>
      ++n === 1 ? { status: 503, result: 'maintenance' } : { result: resultFor(p) },
    )
    assert.equal((await target().execute(makeRequest())).success, true)
    assert.equal(ow.requests.length, 2)
  })

  test('rejects auth that is not user:pass', () => {
    assert.throws(() => target({ auth: 'token-only' }), /user:pass/)
  })
})
