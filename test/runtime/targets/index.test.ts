import assert from 'node:assert/strict'
import { after, beforeEach, describe, test } from 'node:test'
import type { ExecutionRequest } from '../../../src/contract/execution.js'
import { WaddleError } from '../../../src/runtime/errors.js'
import { metricsRegistry } from '../../../src/runtime/metrics.js'
import { type ModuleClient, TimeoutError } from '../../../src/runtime/module-clients.js'
import {
  createTarget,
  type TargetDeps,
  TargetRegistry,
  type TargetRow,
  verifyWebhookSignature,
} from '../../../src/runtime/targets/index.js'
import { echoFunction, FAKE_CREDENTIALS, type FakeLambda, startLambdaServer } from '../../fakes/lambda-server.js'
import {
  echoAction,
  FAKE_OPENWHISK_AUTH,
  type FakeOpenWhisk,
  startOpenWhiskServer,
} from '../../fakes/openwhisk-server.js'
import { echo, type FakeServer, makeRequest, resultFor, startFakeServer } from '../../fakes/webhook-server.js'

const code = (e: unknown) => (e instanceof WaddleError ? e.code : (e as Error).name)
const row = (target_type: string | null, location_url: string | null, extra: Partial<TargetRow> = {}): TargetRow => ({
  target_type,
  location_url,
  module: 'ext',
  name: 'greet',
  timeout_ms: 30_000,
  ...extra, // generous unless a test is about timeouts
})

/** A module client that runs requests itself, so routing to it is observable. */
function localClient(name: string): ModuleClient & { seen: ExecutionRequest[] } {
  const seen: ExecutionRequest[] = []
  return {
    module: name,
    transport: 'in-process',
    location: 'in-process',
    seen,
    async execute(request) {
      seen.push(request)
      return resultFor(request, `local ${name}`)
    },
  }
}

describe('createTarget and TargetRegistry', () => {
  let http: FakeServer
  let aws: FakeLambda
  let ow: FakeOpenWhisk
  let deps: TargetDeps
  const clients = new Map<string, ReturnType<typeof localClient>>()

  // Fresh fakes per test: a request aborted by one test may still arrive late, and must not count in the next.
  beforeEach(async () => {
    await Promise.all([http?.close(), aws?.close(), ow?.close()])
    http = await startFakeServer()
    aws = await startLambdaServer({ greet: echoFunction })
    ow = await startOpenWhiskServer({ 'guest/greet': echoAction })
    deps = {
      modules: { get: (name) => clients.get(name) ?? clients.set(name, localClient(name)).get(name)! },
      env: {
        WADDLEBOT_WEBHOOK_SECRET: 'hook-secret',
        WADDLEBOT_TARGET_ALLOW: '127.0.0.1', // the fakes listen on loopback
        WADDLEBOT_CONTAINER_API_KEY: 'wbot_container_key',
        AWS_LAMBDA_ENDPOINT: aws.url,
        AWS_REGION: 'ap-south-1',
        AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
        OPENWHISK_API_HOST: ow.url,
        OPENWHISK_AUTH: FAKE_OPENWHISK_AUTH,
      },
      policy: { backoffMs: 1 },
    }
  })
  after(async () => {
    await Promise.all([http.close(), aws.close(), ow.close()])
  })

  test("'module' (and a missing target_type) is the module's own client", async () => {
    const t = createTarget(row('module', 'http://ignored', { module: 'greeter' }), deps)
    assert.equal(t, clients.get('greeter'))
    assert.equal(createTarget(row(null, null, { module: 'greeter' }), deps), t)
    const request = makeRequest()
    assert.deepEqual(
      (await new TargetRegistry(deps).for(row('', null, { module: 'greeter' })).execute(request)).responses,
      [{ type: 'chat', text: 'local greeter' }],
    )
    assert.deepEqual(clients.get('greeter')?.seen, [request])
  })

  test('container and webhook rows reach their URL with the configured key / signature', async () => {
    const request = makeRequest()
    assert.deepEqual(await createTarget(row('container', `${http.url}/mod`), deps).execute(request), resultFor(request))
    assert.equal(http.requests[0].url, '/mod/api/v1/execute')
    assert.equal(http.requests[0].headers['x-api-key'], 'wbot_container_key')
    await createTarget(row('webhook', `${http.url}/hook`), deps).execute(makeRequest())
    const hook = http.requests[1]
    assert.equal(hook.url, '/hook')
    assert.equal(
      verifyWebhookSignature(
        'hook-secret',
        hook.headers['x-waddlebot-timestamp'] as string,
        hook.body,
        hook.headers['x-waddlebot-signature'] as string,
      ),
      true,
    )
  })

  test('lambda:<function>[@region] uses AWS_LAMBDA_ENDPOINT and AWS_REGION; ?endpoint= overrides per command', async () => {
    const t = createTarget(row('lambda', 'lambda:greet'), deps)
    assert.equal(t.location, 'lambda:greet@ap-south-1')
    assert.equal((await t.execute(makeRequest())).success, true)
    assert.match(String(aws.requests[0].headers.authorization), /\/ap-south-1\/lambda\//)
    const other = await startLambdaServer({ greet: (p) => ({ payload: resultFor(p, 'other endpoint') }) })
    try {
      const r = await createTarget(
        row('lambda', `lambda:greet@eu-north-1?endpoint=${encodeURIComponent(other.url)}`),
        deps,
      ).execute(makeRequest())
      assert.deepEqual(r.responses, [{ type: 'chat', text: 'other endpoint' }])
      assert.match(String(other.requests[0].headers.authorization), /\/eu-north-1\/lambda\//)
    } finally {
      await other.close()
    }
  })

  test('openwhisk:<namespace>/<action> uses OPENWHISK_API_HOST and OPENWHISK_AUTH', async () => {
    assert.equal(
      (await createTarget(row('openwhisk', 'openwhisk:guest/greet'), deps).execute(makeRequest())).success,
      true,
    )
    assert.equal(ow.requests[0].url, '/api/v1/namespaces/guest/actions/greet?blocking=true&result=true')
  })

  test('an unusable row yields WB_TARGET_INVALID on execute (never a throw from createTarget / for)', async () => {
    const noEnv: TargetDeps = { ...deps, env: {} }
    const cases: [TargetRow, TargetDeps, RegExp][] = [
      [row('ftp', 'ftp://x'), deps, /unknown target_type ftp/],
      [row('container', null), deps, /location_url is empty/],
      [row('webhook', 'not a url'), deps, /http\(s\) URL/],
      [row('webhook', `${http.url}/hook`), noEnv, /WADDLEBOT_WEBHOOK_SECRET is not set/],
      [row('lambda', 'https://lambda.example.com'), deps, /not lambda:<function>/],
      [row('openwhisk', 'openwhisk:only-namespace'), deps, /not openwhisk:<namespace>\/<action>/],
      [row('openwhisk', 'openwhisk:guest/greet'), noEnv, /OPENWHISK_API_HOST and OPENWHISK_AUTH/],
    ]
    const registry = new TargetRegistry(deps)
    for (const [r, d, reason] of cases) {
      for (const t of [createTarget(r, d), d === deps ? registry.for(r) : new TargetRegistry(d).for(r)]) {
        await assert.rejects(
          t.execute(makeRequest()),
          (e: unknown) =>
            code(e) === 'WB_TARGET_INVALID' &&
            reason.test((e as Error).message) &&
            /command greet/.test((e as Error).message),
        )
      }
    }
    assert.equal(http.requests.length, 0)
  })

  test("the registry shares one target per location; the row's timeout_ms is the default timeout", async () => {
    const registry = new TargetRegistry(deps)
    const url = `${http.url}/slow`
    const a = registry.for(row('webhook', url, { name: 'a', module: 'ma', timeout_ms: 80 }))
    const b = registry.for(row('webhook', url, { name: 'b', module: 'mb', timeout_ms: 5000 }))
    registry.for(row('webhook', `${http.url}/other`))
    assert.equal(registry.states().length, 2)
    assert.equal(a.module, 'ma')
    assert.equal(b.module, 'mb')
    http.respond((req) => ({ ...echo(req), delayMs: 10_000 }))
    await assert.rejects(a.execute(makeRequest()), (e: unknown) => e instanceof TimeoutError && e.ms === 80)
    await assert.rejects(
      b.execute(makeRequest(), { timeoutMs: 60 }),
      (e: unknown) => e instanceof TimeoutError && e.ms === 60,
    )
    assert.equal(registry.states().find((s) => s.target.endsWith('/slow'))?.state, 'closed')
    await registry.close()
    assert.equal(registry.states().length, 0)
  })

  test('the breaker is shared per location: opens after 5 failures, fails fast, half-opens after the cooldown, closes on success', async () => {
    let clock = 5_000_000
    const registry = new TargetRegistry({ ...deps, policy: { backoffMs: 1, now: () => clock } })
    const url = `${http.url}/flaky-${process.pid}`
    const first = registry.for(row('container', url, { name: 'first' }))
    const second = registry.for(row('container', url, { name: 'second' }))
    const label = `container:${url}/api/v1/execute`
    const gauge = async () =>
      (await metricsRegistry.metrics())
        .split('\n')
        .find((l) => l.startsWith(`waddlebot_target_breaker_state{target="${label}"}`))
    http.respond(() => ({ status: 500, body: 'down' }))
    for (let i = 0; i < 5; i++) await assert.rejects((i % 2 ? first : second).execute(makeRequest()), /answered 500/)
    await assert.rejects(
      first.execute(makeRequest()),
      (e: unknown) => code(e) === 'WB_TARGET_CIRCUIT_OPEN' && (e as Error).message.includes(label),
    )
    await assert.rejects(second.execute(makeRequest()), (e: unknown) => code(e) === 'WB_TARGET_CIRCUIT_OPEN')
    assert.equal(http.requests.length, 5, 'fail fast: no request while open')
    assert.deepEqual(registry.states(), [{ target: label, state: 'open' }])
    assert.equal(await gauge(), `waddlebot_target_breaker_state{target="${label}"} 1`)
    clock += 30_000
    assert.equal(await gauge(), `waddlebot_target_breaker_state{target="${label}"} 2`)
    http.respond(echo)
    assert.equal((await second.execute(makeRequest())).success, true)
    assert.deepEqual(registry.states(), [{ target: label, state: 'closed' }])
    assert.equal(await gauge(), `waddlebot_target_breaker_state{target="${label}"} 0`)
    await registry.close()
    assert.equal(await gauge(), undefined, 'closing the registry removes its series')
  })
})
