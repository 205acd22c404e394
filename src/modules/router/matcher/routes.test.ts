import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import { createApiKey } from '../../../runtime/api-keys.js'
import type { Cache } from '../../../runtime/cache/types.js'
import { CHANGED_CHANNEL, currentRulesVersion } from './matcher-cache.js'
import { stringmatchRoutes } from './routes.js'
import { matrix, type OpenBackend } from './test-backends.js'

const URL = '/api/v1/admin/stringmatch'
const SERVICE_KEY = 'test-service-key-0123456789'

for (const backend of await matrix()) {
  describe(`admin stringmatch routes on ${backend.name}`, { skip: backend.skip }, () => {
    let b: OpenBackend
    let cache: Cache
    let app: FastifyInstance
    let admin: Record<string, string>
    let collector: Record<string, string>
    const announced: unknown[] = []

    before(async () => {
      b = await backend.open()
      cache = await b.cache()
      // Another connection listens, as another router process would.
      const listener = await b.cache()
      await listener.subscribe(CHANGED_CHANNEL, (message) => announced.push(message))
      app = Fastify()
      await stringmatchRoutes(
        app,
        { storage: b.storage, cache },
        { db: b.storage, serviceKey: SERVICE_KEY, requireKeys: false },
      )
      await app.ready()
      admin = { 'x-api-key': (await createApiKey(b.storage, 'ops', 'admin')).key }
      collector = { authorization: `Bearer ${(await createApiKey(b.storage, 'twitch-1', 'collector')).key}` }
    })
    after(async () => {
      await app?.close()
      await b?.close()
    })

    const call = (
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      url: string,
      headers: Record<string, string>,
      payload?: object,
    ) => app.inject({ method, url, headers, ...(payload ? { payload } : {}) })

    test('admin only: no key 401, unknown key 401, collector key 403, admin and service key pass', async () => {
      assert.equal((await call('GET', URL, {})).statusCode, 401)
      assert.equal((await call('GET', URL, { 'x-api-key': 'wbot_admin_nope' })).statusCode, 401)
      const forbidden = await call('POST', URL, collector, { pattern: 'x' })
      assert.equal(forbidden.statusCode, 403)
      assert.equal(forbidden.json().error.code, 'WB_AUTH_SCOPE')
      assert.equal((await call('GET', URL, admin)).statusCode, 200)
      assert.equal((await call('GET', URL, { 'x-service-key': SERVICE_KEY })).statusCode, 200)
    })

    test('POST 201 with the rule; GET lists it; a change bumps the version and is announced', async () => {
      const before = await currentRulesVersion(cache)
      const heard = announced.length
      const res = await call('POST', URL, admin, {
        pattern: 'buy followers',
        match_type: 'word',
        action: 'delete',
        priority: 5,
        entity_id: 'twitch:1:1',
      })
      assert.equal(res.statusCode, 201, res.body)
      const rule = res.json()
      assert.equal(rule.pattern, 'buy followers')
      assert.equal(rule.action, 'delete')
      assert.equal(await currentRulesVersion(cache), before + 1)
      for (let i = 0; i < 100 && announced.length === heard; i++) await new Promise((r) => setTimeout(r, 20))
      assert.deepEqual(announced.at(-1), { version: before + 1 })

      const global = (await call('POST', URL, admin, { pattern: 'spam' })).json()
      const all = (await call('GET', URL, admin)).json().rules.map((r: { id: number }) => r.id)
      assert.deepEqual(all, [rule.id, global.id])
      const other = (await call('GET', `${URL}?entity_id=twitch:9:9`, admin))
        .json()
        .rules.map((r: { id: number }) => r.id)
      assert.deepEqual(other, [global.id])
    })

    test('400 names the bad field: invalid regex → pattern, bad action, unknown field', async () => {
      const cases: [object, string][] = [
        [{ pattern: '(a)\\1', match_type: 'regex' }, 'pattern'],
        [{ pattern: '[', match_type: 'regex' }, 'pattern'],
        [{ pattern: 'x', action: 'nuke' }, 'action'],
        [{ pattern: 'x', action: 'respond' }, 'action_value'],
        [{ pattern: 'x', nope: 1 }, 'nope'],
        [{}, 'pattern'],
      ]
      for (const [body, field] of cases) {
        const res = await call('POST', URL, admin, body)
        assert.equal(res.statusCode, 400, JSON.stringify(body))
        assert.equal(res.json().error.code, 'WB_INPUT_INVALID')
        assert.equal(res.json().error.field, field, JSON.stringify(body))
      }
    })

    test('PATCH updates; DELETE 204 then 404; unknown ids 404', async () => {
      const rule = (await call('POST', URL, admin, { pattern: 'tmp', action: 'timeout', timeout_seconds: 30 })).json()
      const version = await currentRulesVersion(cache)
      const patched = await call('PATCH', `${URL}/${rule.id}`, admin, { timeout_seconds: 120, priority: 1 })
      assert.equal(patched.statusCode, 200, patched.body)
      assert.equal(patched.json().timeout_seconds, 120)
      assert.equal(await currentRulesVersion(cache), version + 1)
      const badPatch = await call('PATCH', `${URL}/${rule.id}`, admin, { pattern: '(', match_type: 'regex' })
      assert.equal(badPatch.json().error.field, 'pattern')
      assert.equal((await call('PATCH', `${URL}/999999`, admin, { priority: 1 })).statusCode, 404)
      assert.equal((await call('PATCH', `${URL}/${rule.id}`, collector, { priority: 1 })).statusCode, 403)
      assert.equal((await call('DELETE', `${URL}/${rule.id}`, admin)).statusCode, 204)
      const again = await call('DELETE', `${URL}/${rule.id}`, admin)
      assert.equal(again.statusCode, 404)
      assert.equal(again.json().error.code, 'WB_RULE_UNKNOWN')
      assert.equal((await call('DELETE', `${URL}/abc`, admin)).statusCode, 404)
    })
  })
}
