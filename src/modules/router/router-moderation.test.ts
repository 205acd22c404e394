/** String matching in the pipeline: moderation, auto-responses, command rules; on both backends. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { type RouterFixture, startRouterFixture } from '../../../test/helpers/router-runtime.js'
import routerModule from './index.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

for (const [backend, skip] of backends) {
  describe(`string matching in the router on ${backend.name}`, { skip }, () => {
    let f: RouterFixture
    const rule = async (body: Record<string, unknown>) => {
      const res = await f.post('/api/v1/admin/stringmatch', body, f.keys.admin)
      assert.equal(res.statusCode, 201, res.body)
      return res.json()
    }
    before(async () => {
      f = await startRouterFixture(backend)
      await rule({ pattern: 'spamlink', match_type: 'contains', action: 'delete' })
      await rule({ pattern: 'badword', match_type: 'word', action: 'timeout', timeout_seconds: 60 })
      await rule({ pattern: 'hello bot', match_type: 'exact', action: 'respond', action_value: 'Hi {user}!' })
      await rule({ pattern: '^!oldping\\b', match_type: 'regex', action: 'command', action_value: '!ping' })
      await rule({ pattern: 'careful', match_type: 'word', action: 'warn' })
      await f.runtime.module(routerModule).ctx.state.pipeline.rules.rebuildNow()
    })
    after(async () => f?.close())

    test('a delete rule stops the message with a moderation response', async () => {
      const res = await f.event('buy at spamlink dot com')
      assert.equal(res.outcome, 'string_match')
      assert.equal(res.processed, true)
      assert.equal(res.responses[0].type, 'moderation')
      assert.equal(res.responses[0].action, 'delete')
    })

    test('a timeout rule wins even on a command line, and the command does not run', async () => {
      const res = await f.event('!ping badword')
      assert.equal(res.outcome, 'string_match')
      assert.deepEqual(
        res.responses.map((r: { type: string; action?: string; duration?: number }) => [r.type, r.action, r.duration]),
        [['moderation', 'timeout', 60]],
      )
    })

    test('word rules respect word boundaries', async () => {
      assert.equal((await f.event('badwords are fine')).outcome, 'ignored')
    })

    test('an auto-response answers with the user substituted', async () => {
      const res = await f.event('hello bot')
      assert.equal(res.outcome, 'string_match')
      assert.deepEqual(res.responses, [{ type: 'chat', text: 'Hi Ann!' }])
    })

    test('a command rule runs the command on the user’s behalf', async () => {
      const res = await f.event('!oldping please')
      assert.equal(res.outcome, 'string_match')
      assert.deepEqual(res.responses, [{ type: 'chat', text: 'pong' }])
    })

    test('a warn on a command line keeps the command and adds the warning', async () => {
      const res = await f.event('!ping careful')
      assert.equal(res.outcome, 'command')
      assert.equal(res.responses[0].type, 'moderation')
      assert.equal(res.responses[0].action, 'warn')
      assert.deepEqual(res.responses.at(-1), { type: 'chat', text: 'pong' })
    })

    test('an invalid regex is refused when saved, naming pattern', async () => {
      const res = await f.post(
        '/api/v1/admin/stringmatch',
        { pattern: '(unclosed', match_type: 'regex', action: 'warn' },
        f.keys.admin,
      )
      assert.equal(res.statusCode, 400)
      assert.equal(res.json().error.field, 'pattern')
    })

    test('string-match hits are counted in /metrics', async () => {
      const metrics = await f.runtime.hosted[0]!.app.inject({ url: '/metrics' })
      assert.match(metrics.body, /waddlebot_string_match_hits_total\{action="delete"\} [1-9]/)
    })
  })
}
