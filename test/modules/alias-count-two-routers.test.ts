/**
 * Acceptance (issue 13): `{count}` is exact after 200 concurrent uses through two router processes sharing
 * Postgres and Redis, each hosting the router and the alias module: a real `waddlebot run router alias`
 * child, and this test's own process (one spawn instead of two keeps the file fast). The 200 answers
 * carry each of 1…200 exactly once, and the stored counter is 200.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { loadSettings } from '../../src/runtime/config.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import { sql } from '../../src/runtime/storage/sql.js'
import { REDIS_TEST_URL, serversUnavailable } from '../helpers/backends.js'
import { exited, freeOffset, spawnCli, waitForHealth } from '../helpers/cli.js'
import { freshPostgresUrl } from '../helpers/pg.js'

const skip = await serversUnavailable()

describe('{count} across two router processes (Postgres + Redis)', { skip }, () => {
  let dir: string
  let drop: () => Promise<void>
  let runtime: Runtime
  let child: ReturnType<typeof spawnCli>
  let url: string
  const serviceKey = `svc-alias-${process.pid}`

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-alias-count-'))
    writeFileSync(join(dir, 'waddlebot.yaml'), '')
    const pg = await freshPostgresUrl()
    drop = pg.drop
    const env = {
      DATABASE_URL: pg.url,
      REDIS_URL: REDIS_TEST_URL,
      WADDLEBOT_REDIS_PREFIX: `wbtest:alias-count:${process.pid}:`,
      WADDLEBOT_SERVICE_KEY: serviceKey,
      WADDLEBOT_LOG_LEVEL: 'warn',
    }
    const offset = await freeOffset([8000, 8010])
    child = spawnCli(['run', 'router', 'alias'], { cwd: dir, env: { ...env, WADDLEBOT_PORT_OFFSET: String(offset) } })
    url = `http://127.0.0.1:${8000 + offset}`
    // This process's router starts meanwhile: migrations are serialised across processes by the storage layer.
    runtime = await startRuntime({
      catalog: builtinCatalog,
      settings: loadSettings({ cwd: dir, env: { PATH: process.env.PATH, ...env, WADDLEBOT_LOG_LEVEL: 'silent' } }),
      modules: ['router', 'alias'],
      listen: false,
    })
    await waitForHealth(url, 30_000, child)
    const storage = runtime.storage
    const now = Date.now()
    await storage.execute(sql`insert into alias_commands (community_id, name, response, created_by, created_at, updated_at)
      values ('default', 'deaths', 'Deaths: {count}', 'test', ${now}, ${now})`)
  })
  after(async () => {
    await runtime?.stop()
    child?.kill('SIGTERM')
    if (child) await exited(child).catch(() => child.kill('SIGKILL'))
    await drop?.()
    rmSync(dir, { recursive: true, force: true })
  })

  test('200 concurrent !deaths over two routers answer 1…200 once each; the counter is 200', async () => {
    const router = runtime.hosted.find((h) => h.def.name === 'router')!.app
    const answers = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const event = {
          platform: 'local',
          server_id: 's',
          channel_id: 'c',
          user_id: `u${i}`,
          user_name: `user${i}`,
          message: '!deaths',
          message_type: 'chatMessage',
        }
        const headers = { 'content-type': 'application/json', 'x-service-key': serviceKey }
        // Even uses go to the child process over HTTP, odd ones to this process's router.
        const body = (
          i % 2 === 0
            ? await (
                await fetch(`${url}/api/v1/events`, { method: 'POST', headers, body: JSON.stringify(event) })
              ).json()
            : (await router.inject({ method: 'POST', url: '/api/v1/events', headers, payload: event })).json()
        ) as { outcome: string; responses: { text?: string }[] }
        assert.equal(body.outcome, 'command', JSON.stringify(body))
        return Number(/^Deaths: (\d+)$/.exec(body.responses[0]?.text ?? '')?.[1])
      }),
    )
    assert.deepEqual(
      answers.sort((a, b) => a - b),
      Array.from({ length: 200 }, (_, i) => i + 1),
    )
    const row = await runtime.storage.one<{ use_count: string | number }>(
      sql`select use_count from alias_commands where name = 'deaths'`,
    )
    assert.equal(Number(row?.use_count), 200)
  })
})
