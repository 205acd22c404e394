import assert from 'node:assert/strict'
import { createServer, type IncomingMessage } from 'node:http'
import { after, before, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { type RouterFixture, startRouterFixture } from '../../../test/helpers/router-runtime.js'
import { sql } from '../../runtime/storage/sql.js'
import routerModule from './index.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

for (const [backend, skip] of backends) {
  describe(`router overrides, roles, async replies and overlays on ${backend.name}`, { skip }, () => {
    let f: RouterFixture
    // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of test requests
    const displays: { body: any; key: string | undefined }[] = []
    const overlayServer = createServer((req: IncomingMessage, res) => {
      let raw = ''
      req.on('data', (c) => {
        raw += c
      })
      req.on('end', () => {
        // A push cut off by the router's stop arrives empty: answered 400, never thrown in this process.
        let body: unknown
        try {
          body = JSON.parse(raw)
        } catch {
          res.writeHead(400).end()
          return
        }
        displays.push({ body, key: req.headers['x-service-key'] as string | undefined })
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"delivered":1}')
      })
    })
    before(async () => {
      f = await startRouterFixture(backend)
      await new Promise<void>((r) => overlayServer.listen(8027 + f.offset, '127.0.0.1', r))
    })
    after(async () => {
      overlayServer.close()
      await f?.close()
    })

    test('an entity override disables a command there only; deleting it restores it', async () => {
      const body = { command: '!greet', entity_id: 'local:s:c', is_enabled: false }
      assert.equal((await f.post('/api/v1/admin/commands/overrides', body, f.keys.collector, 'PUT')).statusCode, 403)
      const put = await f.post('/api/v1/admin/commands/overrides', body, f.keys.admin, 'PUT')
      assert.equal(put.statusCode, 200, put.body)
      await f.runtime.module(routerModule).ctx.state.pipeline.index.reload()
      assert.equal((await f.event('!greet')).outcome, 'unknown_command')
      assert.equal((await f.event('!greet', { channel_id: 'other' })).outcome, 'command')
      assert.equal((await f.post('/api/v1/admin/commands/overrides', body, f.keys.admin, 'DELETE')).statusCode, 204)
      await f.runtime.module(routerModule).ctx.state.pipeline.index.reload()
      assert.equal((await f.event('!greet')).outcome, 'command')
    })

    test('a community override raises the permission level; bad bodies name the field', async () => {
      const put = await f.post(
        '/api/v1/admin/commands/overrides',
        { command: '!greet', community_id: 'default', permission_level: 'vip' },
        f.keys.admin,
        'PUT',
      )
      assert.equal(put.statusCode, 200, put.body)
      await f.runtime.module(routerModule).ctx.state.pipeline.index.reload()
      const refused = await f.event('!greet')
      assert.equal(refused.outcome, 'forbidden')
      assert.match(refused.responses[0].text, /vips and above/)
      assert.equal((await f.event('!greet', { roles: ['vip'] })).outcome, 'command')
      await f.post(
        '/api/v1/admin/commands/overrides',
        { command: '!greet', community_id: 'default' },
        f.keys.admin,
        'DELETE',
      )
      const bad = await f.post(
        '/api/v1/admin/commands/overrides',
        { command: 'greet', entity_id: 'x' },
        f.keys.admin,
        'PUT',
      )
      assert.equal(bad.statusCode, 400)
      assert.equal(bad.json().error.field, 'command')
      const both = await f.post('/api/v1/admin/commands/overrides', { command: '!greet' }, f.keys.admin, 'PUT')
      assert.equal(both.json().error.field, 'entity_id')
    })

    test('a community role from the database grants what platform roles do not', async () => {
      assert.equal((await f.event('!modonly', { user_id: 'm1' })).outcome, 'forbidden')
      await f.runtime.storage.execute(sql`insert into community_members (community_id, user_id, platform, platform_user_id, display_name, role, joined_at)
        values ('default', 'm1', 'local', 'm1', 'Mo', 'moderator', ${Date.now()})`)
      await f.runtime.cache.delete('perm:default:local:m1')
      const ok = await f.event('!modonly', { user_id: 'm1' })
      assert.deepEqual(ok.responses, [{ type: 'chat', text: 'mod ok' }])
    })

    test('async module replies: accepted for their session, rejected for a wrong or expired one', async () => {
      const res = await f.event('!greet')
      const log = f.runtime.module(routerModule).ctx.state.pipeline.executions
      await log.flush()
      const exec = await f.runtime.storage.one<{ execution_id: string }>(
        sql`select execution_id from command_executions where session_id = ${res.session_id}`,
      )
      const published: unknown[] = []
      const unsubscribe = await f.runtime.cache.subscribe('responses', (m) => published.push(m))
      const reply = {
        execution_id: exec!.execution_id,
        session_id: res.session_id,
        module: 'greeter',
        success: true,
        responses: [{ type: 'chat', text: 'later!' }],
      }
      assert.equal((await f.post('/api/v1/responses', reply, f.keys.collector)).statusCode, 403)
      const ok = await f.post('/api/v1/responses', reply, f.keys.module)
      assert.equal(ok.statusCode, 202, ok.body)
      for (let i = 0; i < 50 && published.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
      assert.deepEqual(published[0], {
        entity_id: 'local:s:c',
        session_id: res.session_id,
        execution_id: exec!.execution_id,
        responses: [{ type: 'chat', text: 'later!' }],
      })
      await unsubscribe()
      const other = await f.event('!ping')
      const wrong = await f.post('/api/v1/responses', { ...reply, session_id: other.session_id }, f.keys.module)
      assert.equal(wrong.statusCode, 404)
      assert.equal(wrong.json().error.code, 'WB_EXECUTION_UNKNOWN')
      const expired = await f.post(
        '/api/v1/responses',
        { ...reply, session_id: '00000000-0000-0000-0000-000000000000' },
        f.keys.module,
      )
      assert.equal(expired.statusCode, 403)
      assert.equal(expired.json().error.code, 'WB_SESSION_UNKNOWN')
      const stored = await f.runtime.storage.one<{ n: number }>(
        sql`select count(*) as n from module_responses where execution_id = ${exec!.execution_id}`,
      )
      assert.equal(Number(stored!.n), 1)
    })

    test('media responses are pushed to browser-source with the service key; chat is not', async () => {
      displays.length = 0
      const res = await f.event('!show')
      assert.deepEqual(
        res.responses.map((r: { type: string }) => r.type),
        ['media', 'chat'],
      )
      for (let i = 0; i < 100 && displays.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
      assert.equal(displays.length, 1)
      assert.deepEqual(displays[0]!.body, {
        community_id: 'default',
        entity_id: 'local:s:c',
        type: 'media',
        data: { media_type: 'audio', title: 'Song', artist: 'Band' },
      })
      assert.equal(displays[0]!.key, f.runtime.serviceKey)
    })
  })
}

describe('graceful stop', () => {
  test('nothing queued in the execution log is lost on stop', async () => {
    const f = await startRouterFixture(sqliteBackend())
    const dbUrl = f.runtime.settings.database.url
    await Promise.all(Array.from({ length: 150 }, (_, i) => f.event(`!ping ${i}`)))
    await f.runtime.stop()
    const { createStorage } = await import('../../runtime/storage/index.js')
    const storage = await createStorage({ url: dbUrl })
    const row = await storage.one<{ n: number }>(sql`select count(*) as n from command_executions`)
    await storage.close()
    assert.equal(Number(row!.n), 150)
    await f.close().catch(() => {})
  })
})
