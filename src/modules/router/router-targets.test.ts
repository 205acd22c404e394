/** External commands registered over the admin API run on their targets with the one execution shape. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sqliteBackend } from '../../../test/helpers/backends.js'
import { type RouterFixture, startRouterFixture } from '../../../test/helpers/router-runtime.js'
import { FAKE_OPENWHISK_AUTH, startOpenWhiskServer } from '../../../test/fakes/openwhisk-server.js'
import { resultFor, startWebhookServer, type WebhookReceiver } from '../../../test/fakes/webhook-server.js'
import type { ExecutionRequest } from '../../contract/execution.js'
import routerModule from './index.js'

const SECRET = 'webhook-secret-for-tests'

describe('router → external targets', () => {
  let f: RouterFixture
  let hook: WebhookReceiver
  let whisk: Awaited<ReturnType<typeof startOpenWhiskServer>>
  before(async () => {
    hook = await startWebhookServer(SECRET, (req) => {
      const request = JSON.parse(req.body) as ExecutionRequest
      return { status: 200, body: resultFor(request, `hook got ${request.args.join(' ')} from ${request.user.name}`) }
    })
    whisk = await startOpenWhiskServer({ 'bots/dice': (params) => ({ result: resultFor(params, 'rolled 4') }) })
    f = await startRouterFixture(sqliteBackend(), {
      env: {
        WADDLEBOT_WEBHOOK_SECRET: SECRET,
        WADDLEBOT_TARGET_ALLOW: '127.0.0.1',
        OPENWHISK_API_HOST: whisk.url,
        OPENWHISK_AUTH: FAKE_OPENWHISK_AUTH,
      },
    })
  })
  after(async () => {
    await f?.close()
    await hook?.close()
    await whisk?.close()
  })

  const register = (body: Record<string, unknown>) => f.post('/api/v1/admin/commands', body, f.keys.admin)

  test('a signed webhook command answers through the router', async () => {
    const res = await register({
      name: 'hook',
      target_type: 'webhook',
      location_url: `${hook.url}/run`,
      description: 'calls a webhook',
    })
    assert.equal(res.statusCode, 201, res.body)
    await f.runtime.module(routerModule).ctx.state.pipeline.index.reload()
    const answer = await f.event('!hook a b')
    assert.equal(answer.outcome, 'command')
    assert.deepEqual(answer.responses, [{ type: 'chat', text: 'hook got a b from Ann' }])
    assert.deepEqual(hook.verified, [true])
    const sent = JSON.parse(hook.requests[0]!.body) as ExecutionRequest
    assert.equal(sent.session_id, answer.session_id)
    assert.equal(sent.entity.id, 'local:s:c')
  })

  test('an OpenWhisk action command answers through the router', async () => {
    assert.equal(
      (await register({ name: 'dice', target_type: 'openwhisk', location_url: 'openwhisk:bots/dice' })).statusCode,
      201,
    )
    await f.runtime.module(routerModule).ctx.state.pipeline.index.reload()
    const answer = await f.event('!dice')
    assert.deepEqual(answer.responses, [{ type: 'chat', text: 'rolled 4' }])
  })

  test('a target that fails is a module_error with a chat line; registration is validated', async () => {
    assert.equal(
      (
        await register({
          name: 'dead',
          target_type: 'container',
          location_url: 'http://127.0.0.1:9/x',
          timeout_ms: 500,
        })
      ).statusCode,
      201,
    )
    await f.runtime.module(routerModule).ctx.state.pipeline.index.reload()
    const answer = await f.event('!dead')
    assert.equal(answer.outcome, 'module_error')
    assert.match(answer.responses[0].text, /!dead failed/)
    const bad = await register({ name: 'Bad Name', target_type: 'webhook', location_url: 'x' })
    assert.equal(bad.statusCode, 400)
    assert.equal(bad.json().error.field, 'name')
    const taken = await register({ name: 'ping', target_type: 'webhook', location_url: `${hook.url}/x` })
    assert.equal(taken.statusCode, 400)
    assert.match(taken.json().error.message, /belongs to module router/)
  })
})
