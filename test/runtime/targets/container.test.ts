import assert from 'node:assert/strict'
import { after, beforeEach, describe, test } from 'node:test'
import type { ExecutionRequest } from '../../../src/contract/execution.js'
import { WaddleError } from '../../../src/runtime/errors.js'
import { TimeoutError } from '../../../src/runtime/module-clients.js'
import { containerExecuteUrl, createContainerTarget } from '../../../src/runtime/targets/container.js'
import { verifyWebhookSignature } from '../../../src/runtime/targets/webhook.js'
import {
  closedPort,
  echo,
  type FakeServer,
  makeRequest,
  resultFor,
  startFakeServer,
} from '../../fakes/webhook-server.js'

/** Tests that are not about timeouts get a generous one: a loaded machine must not fail them. */
const RELAXED = { timeoutMs: 30_000 }
const code = (e: unknown) => (e instanceof WaddleError ? e.code : (e as Error).name)

describe('container target', () => {
  let fake: FakeServer
  // A fresh fake per test: a request aborted by one test may still arrive late, and must not count in the next.
  beforeEach(async () => {
    await fake?.close()
    fake = await startFakeServer()
  })
  after(() => fake.close())

  test('execute URL: /api/v1/execute appended to a base URL, kept when present', () => {
    assert.equal(containerExecuteUrl('http://h:1').href, 'http://h:1/api/v1/execute')
    assert.equal(containerExecuteUrl('http://h:1/mods/greeter/').href, 'http://h:1/mods/greeter/api/v1/execute')
    assert.equal(containerExecuteUrl('https://h/x/api/v1/execute').href, 'https://h/x/api/v1/execute')
    assert.throws(() => containerExecuteUrl('file:///etc/passwd'), /http\(s\)/)
  })

  test('POSTs the ExecutionRequest to <url>/api/v1/execute with the API key, never a service key', async () => {
    const t = createContainerTarget({
      url: `${fake.url}/greeter`,
      apiKey: 'wbot_module_key',
      module: 'greeter',
      policy: RELAXED,
    })
    const request = makeRequest()
    assert.deepEqual(await t.execute(request), resultFor(request))
    const [req] = fake.requests
    assert.equal(req.url, '/greeter/api/v1/execute')
    assert.equal(req.headers['x-api-key'], 'wbot_module_key')
    assert.equal(req.headers['x-service-key'], undefined)
    assert.equal(req.headers['x-waddlebot-signature'], undefined, 'unsigned without a secret')
    assert.deepEqual(JSON.parse(req.body), request)
    assert.equal(t.module, 'greeter')
    assert.equal(t.transport, 'container')
    await t.close()
  })

  test('with a secret, requests carry a verifiable webhook signature', async () => {
    const t = createContainerTarget({ url: fake.url, secret: 's3cret', policy: RELAXED })
    await t.execute(makeRequest())
    const [req] = fake.requests
    assert.equal(
      verifyWebhookSignature(
        's3cret',
        req.headers['x-waddlebot-timestamp'] as string,
        req.body,
        req.headers['x-waddlebot-signature'] as string,
      ),
      true,
    )
    await t.close()
  })

  test('failures: 4xx/5xx (quoted), a redirect, a body that is not JSON or not a result; each tried once', async () => {
    const t = createContainerTarget({ url: fake.url, policy: { ...RELAXED, backoffMs: 1 } })
    const cases: [() => object, RegExp][] = [
      [() => ({ status: 404, body: { error: 'no such command' } }), /answered 404: .*no such command/],
      [() => ({ status: 500, body: 'kaput' }), /answered 500: kaput/],
      [
        () => ({ status: 302, headers: { location: 'http://127.0.0.1:1/' } }),
        /answered 302 \(redirects are not followed/,
      ],
      [() => ({ status: 200, body: '<html>' }), /not JSON/],
      [() => ({ status: 200, body: { ok: true } }), /invalid reply: execution_id/],
    ]
    for (const [reply, message] of cases) {
      fake.requests.length = 0
      fake.respond(reply)
      await assert.rejects(
        t.execute(makeRequest()),
        (e: unknown) => code(e) === 'WB_TARGET_FAILED' && message.test((e as Error).message),
      )
      assert.equal(fake.requests.length, 1, String(message))
    }
    await t.close()
  })

  test('a mismatched execution_id is rejected', async () => {
    const t = createContainerTarget({ url: fake.url, policy: RELAXED })
    fake.respond((req) => ({ body: { ...resultFor(JSON.parse(req.body) as ExecutionRequest), execution_id: 'x' } }))
    await assert.rejects(t.execute(makeRequest()), (e: unknown) => code(e) === 'WB_EXECUTION_SESSION_MISMATCH')
    await t.close()
  })

  test('timeout: TimeoutError while the container still sleeps; not retried', async () => {
    const retried: number[] = []
    const t = createContainerTarget({
      url: fake.url,
      policy: { timeoutMs: 120, onRetry: ({ retry }) => void retried.push(retry) },
    })
    fake.respond((req) => ({ ...echo(req), delayMs: 10_000 }))
    const answered = fake.answered
    await assert.rejects(t.execute(makeRequest()), (e: unknown) => e instanceof TimeoutError && e.ms === 120)
    assert.equal(fake.answered, answered)
    assert.deepEqual(retried, [])
    assert.ok(fake.requests.length <= 1)
    await t.close()
  })

  test('504 twice then 200: retried and succeeds; 502 three times: fails after 3 attempts', async () => {
    const t = createContainerTarget({ url: fake.url, policy: { ...RELAXED, backoffMs: 1 } })
    let n = 0
    fake.respond((req) => (++n <= 2 ? { status: 504 } : echo(req)))
    assert.equal((await t.execute(makeRequest())).success, true)
    assert.equal(fake.requests.length, 3)
    fake.requests.length = 0
    fake.respond(() => ({ status: 502, body: 'bad gateway' }))
    await assert.rejects(t.execute(makeRequest()), /answered 502/)
    assert.equal(fake.requests.length, 3)
    await t.close()
  })

  test('connection refused, then the container comes up during the backoff: the retry succeeds', async () => {
    const port = await closedPort()
    let late: FakeServer | undefined
    const retries: string[] = []
    const t = createContainerTarget({
      url: `http://127.0.0.1:${port}`,
      policy: {
        ...RELAXED,
        sleep: async () => {
          late ??= await startFakeServer(echo, { port })
        },
        onRetry: ({ error }) => void retries.push(error.message),
      },
    })
    try {
      const request = makeRequest()
      assert.deepEqual(await t.execute(request), resultFor(request))
      assert.equal(retries.length, 1)
      assert.match(retries[0], /ECONNREFUSED/)
      assert.equal(late?.requests.length, 1)
    } finally {
      await t.close()
      await late?.close()
    }
  })
})
