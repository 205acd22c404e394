/**
 * Module observers: plain chat reaches a module's observer in batches, without an execution or an execution-log
 * row, and its outcome stays `ignored`; in process and over HTTP (`POST /api/v1/observe`), on both backends.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { freeOffset } from '../../../test/helpers/cli.js'
import { writeModule } from '../../../test/helpers/fixture-modules.js'
import { chatEvent } from '../../../test/helpers/router-runtime.js'
import { type TestProject, testProject } from '../../../test/helpers/settings.js'
import { createApiKey } from '../../runtime/api-keys.js'
import { loadSettings } from '../../runtime/config.js'
import { type Runtime, startRuntime } from '../../runtime/host.js'
import { sql } from '../../runtime/storage/sql.js'
import { builtinCatalog } from '../catalog.js'
import routerModule from './index.js'

const WATCHER = `
export default {
  name: 'watcher', version: '1.0.0', kind: 'interaction', summary: 'observer test', port: 8100,
  commands: [{ name: 'seen', summary: 'Lines seen', run: () => 'seen' }],
  observers: [{ name: 'lines', types: ['chatMessage'], observe(ctx, events) {
    const seen = (globalThis.__watcherSeen ??= [])
    seen.push({ batch: events.length, events })
  } }],
}
`
type Seen = { batch: number; events: { raw_message: string; user: { name: string }; entity: { id: string } }[] }[]
const seen = (): Seen => ((globalThis as { __watcherSeen?: Seen }).__watcherSeen ??= [])

const unavailable = await serversUnavailable()
const matrix: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

for (const [backend, skip] of matrix) {
  for (const transport of ['in-process', 'http'] as const) {
    describe(`observers ${transport} on ${backend.name}`, { skip }, () => {
      let project: TestProject
      const runtimes: Runtime[] = []
      let router: Runtime
      let key: string
      before(async () => {
        const offset = await freeOffset([8000, 8100])
        const env = { ...(await backend.env()), WADDLEBOT_PORT_OFFSET: String(offset) }
        project = testProject({ env })
        const path = writeModule(project.dir, 'watcher', WATCHER)
        writeFileSync(`${project.dir}/waddlebot.yaml`, `modules:\n  watcher: {path: ${path}, port: 8100}\n`)
        const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
        const start = (modules: string[]) => startRuntime({ catalog: builtinCatalog, settings, modules })
        if (transport === 'http') runtimes.push(await start(['watcher']))
        router = await start(transport === 'http' ? ['router'] : ['router', 'watcher'])
        runtimes.push(router)
        key = (await createApiKey(router.storage, 'c', 'collector')).key
      })
      after(async () => {
        for (const r of [...runtimes].reverse()) await r.stop()
        await backend.cleanup()
        project?.cleanup()
      })

      const post = async (message: string, channel = 'c') => {
        const app = router.hosted.find((h) => h.def.name === 'router')!.app
        const res = await app.inject({
          method: 'POST',
          url: '/api/v1/events',
          payload: chatEvent(message, { channel_id: channel }),
          headers: { 'x-api-key': key },
        })
        return res.json() as { outcome: string; responses: unknown[] }
      }

      test('plain chat is observed in batches: outcome ignored, no execution row; commands are not observed', async () => {
        seen().length = 0
        const pipeline = router.module(routerModule).ctx.state.pipeline
        const results = await Promise.all(Array.from({ length: 40 }, (_, i) => post(`line ${i}`, `obs-${transport}`)))
        assert.ok(results.every((r) => r.outcome === 'ignored' && r.responses.length === 0))
        assert.equal((await post('!seen', `obs-${transport}`)).outcome, 'command')
        await pipeline.observers.drain()
        const lines = seen().flatMap((s) => s.events)
        assert.deepEqual(
          lines.map((e) => e.raw_message).sort(),
          Array.from({ length: 40 }, (_, i) => `line ${i}`).sort(),
        )
        assert.equal(lines[0]!.entity.id, `local:s:obs-${transport}`)
        assert.equal(lines[0]!.user.name, 'Ann')
        assert.ok(seen().length < 40, `${seen().length} batches for 40 lines`)
        await pipeline.executions.flush()
        const rows = await router.storage.query<{ command: string }>(
          sql`select command from command_executions where entity_id = ${`local:s:obs-${transport}`}`,
        )
        assert.deepEqual(
          rows.map((r) => r.command),
          ['!seen'],
        )
      })

      if (transport === 'http')
        test('POST /api/v1/observe wants a module key and a valid batch naming an observer', async () => {
          const url = `${router.registry.urlOf('watcher')}/api/v1/observe`
          const moduleKey = (await createApiKey(router.storage, 'm', 'module')).key
          const call = (body: unknown, headers: Record<string, string>) =>
            fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...headers },
              body: JSON.stringify(body),
            })
          assert.equal((await call({ observer: 'lines', events: [] }, {})).status, 401)
          const bad = await call({ observer: 'lines', events: [{ session_id: 's' }] }, { 'x-api-key': moduleKey })
          assert.equal(bad.status, 400)
          assert.match(((await bad.json()) as { error: { field: string } }).error.field, /^events\.0\./)
          const valid = {
            session_id: 's',
            raw_message: 'hi',
            user: { id: 'u', name: 'Ann', roles: [] },
            entity: { id: 'local:s:c', platform: 'local', server_id: 's', channel_id: 'c', community_id: 'default' },
            event: { type: 'chatMessage', data: {} },
          }
          assert.equal((await call({ observer: 'lines', events: [valid] }, { 'x-api-key': moduleKey })).status, 204)
          const unknown = await call({ observer: 'nope', events: [valid] }, { 'x-api-key': moduleKey })
          assert.match(((await unknown.json()) as { error: { field: string } }).error.field, /^observer$/)
          assert.equal(unknown.status, 400)
        })
    })
  }
}
