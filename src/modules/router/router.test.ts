import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { SAMPLE_MODULE, writeModule } from '../../../test/helpers/fixture-modules.js'
import { type TestProject, testProject } from '../../../test/helpers/settings.js'
import { createApiKey } from '../../runtime/api-keys.js'
import { loadSettings } from '../../runtime/config.js'
import { type Runtime, startRuntime } from '../../runtime/host.js'
import { sql } from '../../runtime/storage/sql.js'
import { builtinCatalog } from '../catalog.js'
import routerModule from './index.js'

const event = (message: string, extra: Record<string, unknown> = {}) => ({
  platform: 'local',
  server_id: 's',
  channel_id: 'c',
  user_id: 'u',
  user_name: 'Ann',
  message,
  message_type: 'chatMessage',
  ...extra,
})

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]
// Each backend gets its own port range so both can run in parallel with other test files.
const offsets = [20_000 + (process.pid % 500) * 4, 20_000 + (process.pid % 500) * 4 + 2]

for (const [i, [backend, skip]] of backends.entries()) {
  describe(`router events on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let runtime: Runtime
    let remote: Runtime
    let collectorKey: string
    const inject = (body: unknown, headers: Record<string, string> = { 'x-api-key': collectorKey }) =>
      runtime.hosted
        .find((h) => h.def.name === 'router')!
        .app.inject({ method: 'POST', url: '/api/v1/events', payload: body as object, headers })

    before(async () => {
      const env = { ...(await backend.env()), WADDLEBOT_PORT_OFFSET: String(offsets[i]) }
      project = testProject({ env })
      const greeter = writeModule(project.dir, 'greeter', SAMPLE_MODULE('greeter', 8100))
      const remoteMod = writeModule(
        project.dir,
        'faraway',
        SAMPLE_MODULE('faraway', 8101)
          .replaceAll("'greet'", "'far'")
          .replaceAll("'hi'", "'yo'")
          .replace(/\{ name: '(modonly|slow|boom|badreply|show|limited|cool)'[^\n]*\n/g, ''),
      )
      const yaml = `modules:\n  greeter: {path: ${greeter}, port: 8100}\n  faraway: {path: ${remoteMod}, port: 8101}\n`
      const { writeFileSync } = await import('node:fs')
      writeFileSync(`${project.dir}/waddlebot.yaml`, yaml)
      const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
      // "faraway" runs in another runtime (as another process would) and is reached over HTTP.
      remote = await startRuntime({ catalog: builtinCatalog, settings, modules: ['faraway'] })
      runtime = await startRuntime({ catalog: builtinCatalog, settings, modules: ['router', 'greeter'], listen: false })
      collectorKey = (await createApiKey(runtime.storage, 'test-collector', 'collector')).key
    })
    after(async () => {
      await runtime?.stop()
      await remote?.stop()
      await backend.cleanup()
      project?.cleanup()
    })

    test('!ping with a collector key answers pong', async () => {
      const res = await inject(event('!ping'))
      assert.equal(res.statusCode, 200)
      const body = res.json()
      assert.deepEqual(body.responses[0], { type: 'chat', text: 'pong' }, res.body)
      assert.equal(body.outcome, 'command')
      assert.equal(body.command, '!ping')
      assert.equal(body.entity_id, 'local:s:c')
      assert.equal(body.processed, true)
      assert.match(body.session_id, /^[0-9a-f-]{36}$/)
      const sessions = runtime.module(routerModule).ctx.state.pipeline.sessions
      assert.equal(await sessions.entityOf(body.session_id), 'local:s:c')
      // With Redis the session is a shared cache key, so that any router process can take the reply.
      if (runtime.cache.kind === 'redis')
        assert.deepEqual(await runtime.cache.get(`session:${body.session_id}`), { entity_id: 'local:s:c' })
    })

    test('no key → 401, a wrong key → 401, a module key → 403', async () => {
      assert.equal((await inject(event('!ping'), {})).statusCode, 401)
      assert.equal((await inject(event('!ping'), { 'x-api-key': 'wbot_collector_nope' })).statusCode, 401)
      const moduleKey = (await createApiKey(runtime.storage, 'm', 'module')).key
      const res = await inject(event('!ping'), { authorization: `Bearer ${moduleKey}` })
      assert.equal(res.statusCode, 403)
      assert.equal(res.json().error.code, 'WB_AUTH_SCOPE')
    })

    test('a body missing user_id → 400 naming user_id; bad JSON → 400', async () => {
      const { user_id: _drop, ...rest } = event('!ping')
      const res = await inject(rest)
      assert.equal(res.statusCode, 400)
      assert.equal(res.json().error.field, 'user_id')
      assert.match(res.json().error.message, /user_id/)
      const bad = await runtime.hosted[0]!.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        payload: '{nope',
        headers: { 'content-type': 'application/json', 'x-api-key': collectorKey },
      })
      assert.equal(bad.statusCode, 400)
    })

    test('a 100 KiB body → 413', async () => {
      const res = await inject(event('x'.repeat(100 * 1024)))
      assert.equal(res.statusCode, 413)
    })

    test('!help and !commands list what this user may run', async () => {
      const help = (await inject(event('!help'))).json().responses[0].text as string
      for (const c of ['!ping', '!help', '!commands', '!greet', '!far']) assert.ok(help.includes(c), `${c} in ${help}`)
      assert.ok(!help.includes('!modonly'), 'moderator command hidden from everyone')
      const modHelp = (await inject(event('!commands', { roles: ['moderator'] }))).json().responses[0].text as string
      assert.ok(modHelp.includes('!modonly'))
      const one = (await inject(event('!help greet'))).json().responses[0].text
      assert.equal(one, '!greet [name]: Greets')
      const long = (await inject(event(`!help ${'x'.repeat(9000)}`))).json().responses[0].text as string
      assert.equal(long, 'No such command here. Try !commands.', 'a long argument is not echoed')
      assert.equal((await inject(event('!help nope'))).json().responses[0].text, 'No command nope here. Try !commands.')
      const quoted = (await inject(event('!ping"x'))).json()
      assert.deepEqual(quoted.responses, [], '!ping"x is not !pingx nor !ping')
    })

    test('quoted arguments, aliases and the community id reach the module', async () => {
      const res = (await inject(event('!hi "Big Bob"'))).json()
      assert.deepEqual(res.responses, [{ type: 'chat', text: 'Hello, Big Bob! (default)' }])
    })

    test('a module in another runtime is executed over HTTP with the same contract', async () => {
      const res = (await inject(event('!yo Zed'))).json()
      assert.equal(res.outcome, 'command')
      assert.deepEqual(res.responses, [{ type: 'chat', text: 'Hello, Zed! (default)' }])
      assert.equal(runtime.clients.get('faraway').transport, 'http')
    })

    test('permission: moderator-only is refused to everyone, allowed to a moderator', async () => {
      const no = (await inject(event('!modonly'))).json()
      assert.equal(no.outcome, 'forbidden')
      assert.match(no.responses[0].text, /moderator/)
      const yes = (await inject(event('!modonly', { roles: ['broadcaster'] }))).json()
      assert.deepEqual(yes.responses, [{ type: 'chat', text: 'mod ok' }])
    })

    test('timeout, throwing module and invalid reply are outcomes, never crashes', async () => {
      const slow = (await inject(event('!slow'))).json()
      assert.equal(slow.outcome, 'timeout')
      assert.match(slow.responses[0].text, /too long/)
      const boom = (await inject(event('!boom'))).json()
      assert.equal(boom.outcome, 'module_error')
      const bad = (await inject(event('!badreply'))).json()
      assert.equal(bad.outcome, 'module_error')
      assert.equal((await inject(event('!ping'))).json().responses[0].text, 'pong')
    })

    test('unknown commands and plain chat are not processed', async () => {
      const unknown = (await inject(event('!nosuchthing'))).json()
      assert.equal(unknown.outcome, 'unknown_command')
      assert.deepEqual(unknown.responses, [])
      const plain = (await inject(event('hello there'))).json()
      assert.equal(plain.outcome, 'ignored')
      assert.equal(plain.processed, false)
    })

    test('a chat handler of a module this bot does not run (switched off after it registered) is never called', async () => {
      const now = Date.now()
      await runtime.storage.execute(sql`insert into commands (name, prefix, module, location_url, target_type, timeout_ms,
          permission_level, trigger_type, event_types, priority, execution_mode, is_active, aliases, created_at, updated_at)
        values ('ghost.chat', '@', 'ghost', 'http://127.0.0.1:9', 'module', 5000, 'everyone', 'event', '["chatMessage"]',
          100, 'parallel', 1, '[]', ${now}, ${now})`)
      const pipeline = runtime.module(routerModule).ctx.state.pipeline
      await pipeline.index.reload()
      assert.equal(
        pipeline.index.handlersFor('chatMessage').some((h) => h.module === 'ghost'),
        false,
      )
      const plain = (await inject(event('hello again'))).json()
      assert.equal(plain.outcome, 'ignored')
      await runtime.storage.execute(sql`delete from commands where name = 'ghost.chat'`)
    })

    test('rate limits and cooldowns: rate_limited with one friendly notice per window', async () => {
      const first = (await inject(event('!cool', { user_id: 'rl1' }))).json()
      assert.equal(first.outcome, 'command')
      const refused = (await inject(event('!cool', { user_id: 'rl1' }))).json()
      assert.equal(refused.outcome, 'rate_limited')
      assert.match(refused.responses[0].text, /^@Ann !cool is on cooldown, (59|60) s left$/)
      const silent = (await inject(event('!cool', { user_id: 'rl1' }))).json()
      assert.equal(silent.outcome, 'rate_limited')
      assert.deepEqual(silent.responses, [])
      assert.equal((await inject(event('!cool', { user_id: 'rl2' }))).json().outcome, 'command')
    })

    test('several response types come back in order', async () => {
      const res = (await inject(event('!show'))).json()
      assert.deepEqual(
        res.responses.map((r: { type: string }) => r.type),
        ['media', 'chat'],
      )
    })

    test('event-triggered handlers run for follows; others are ignored', async () => {
      const follow = (await inject(event('', { message_type: 'follow', user_name: 'Neo' }))).json()
      assert.equal(follow.outcome, 'event')
      assert.deepEqual(follow.responses.map((r: { text: string }) => r.text).sort(), [
        'Thanks for the follow, Neo!',
        'Thanks for the follow, Neo!',
      ])
      const boost = (await inject(event('', { message_type: 'boost' }))).json()
      assert.equal(boost.outcome, 'ignored')
    })

    test('batch: results in order, a bad event reported by index', async () => {
      const res = await runtime.hosted[0]!.app.inject({
        method: 'POST',
        url: '/api/v1/events/batch',
        headers: { 'x-api-key': collectorKey },
        payload: { events: [event('!ping'), { platform: 'local' }, event('!greet')] },
      })
      assert.equal(res.statusCode, 200)
      const { results } = res.json()
      assert.equal(results[0].responses[0].text, 'pong')
      assert.equal(results[1].error.field, 'events.1.server_id')
      assert.match(results[2].responses[0].text, /^Hello, Ann/)
      const empty = await runtime.hosted[0]!.app.inject({
        method: 'POST',
        url: '/api/v1/events/batch',
        headers: { 'x-api-key': collectorKey },
        payload: { events: [] },
      })
      assert.equal(empty.statusCode, 400)
    })

    test('every execution is recorded; entities are created on first sight', async () => {
      const log = runtime.module(routerModule).ctx.state.pipeline.executions
      await log.flush()
      const before = await runtime.storage.one<{ n: number }>(sql`select count(*) as n from command_executions`)
      await inject(event('!ping', { channel_id: 'fresh' }))
      await log.flush()
      const afterRow = await runtime.storage.one<{ n: number }>(sql`select count(*) as n from command_executions`)
      assert.equal(Number(afterRow!.n), Number(before!.n) + 1)
      const last = await runtime.storage.one<{ command: string; status: string; user_name: string }>(
        sql`select command, status, user_name from command_executions where entity_id = ${'local:s:fresh'}`,
      )
      assert.deepEqual(last, { command: '!ping', status: 'success', user_name: 'Ann' })
      const entity = await runtime.storage.one<{ platform: string; community_id: string }>(
        sql`select platform, community_id from entities where entity_id = ${'local:s:fresh'}`,
      )
      assert.deepEqual(entity, { platform: 'local', community_id: 'default' })
    })

    test('/health and /metrics', async () => {
      const app = runtime.hosted[0]!.app
      const health = await app.inject({ url: '/health' })
      assert.equal(health.statusCode, 200)
      assert.deepEqual(health.json(), { status: 'ok', module: 'router', version: '0.1.0', pid: process.pid })
      const metrics = await app.inject({ url: '/metrics' })
      assert.match(
        metrics.body,
        /waddlebot_command_executions_total\{command="!ping",module="router",status="success"\} \d+/,
      )
      assert.match(metrics.body, /waddlebot_command_duration_seconds_bucket/)
    })
  })
}
