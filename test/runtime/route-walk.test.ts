/**
 * Issue 12 (2): no route changes state without a key. Every module with routes is hosted; every route each
 * server registered (read from the servers themselves) is called without any key, with `:params` filled in,
 * a JSON body for methods that take one and a few query variants. A 2xx answer to anything but GET/HEAD fails,
 * and so does any answer after which a table's contents differ.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, test } from 'node:test'
import { loadSettings } from '../../src/runtime/config.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import { sql } from '../../src/runtime/storage/sql.js'
import { freeOffset } from '../helpers/cli.js'
import { type TestProject, testProject } from '../helpers/settings.js'
import { builtinCatalog } from '../../src/modules/catalog.js'

const MODULES = [
  'router',
  'browser-source',
  'spotify',
  'youtube-music',
  'memories',
  'shoutout',
  'twitch',
  'discord',
  'slack',
  'labels',
  'reputation',
  'inventory',
  'calendar',
  'ai',
  'marketplace',
  'kong-admin-broker',
  'hub',
]
let runtime: Runtime
let project: TestProject

before(async () => {
  const offset = await freeOffset([8000, 8001, 8020, 8025, 8026, 8027, 8040, 8055, 8060])
  const env = {
    WADDLEBOT_PORT_OFFSET: String(offset),
    SPOTIFY_CLIENT_ID: 'cid',
    SPOTIFY_CLIENT_SECRET: 'secret',
    SLACK_SIGNING_SECRET: 'sign',
    DISCORD_PUBLIC_KEY: 'ab'.repeat(32),
    TWITCH_EVENTSUB_SECRET: 'twitch-secret-123',
    DISCORD_CLIENT_ID: 'walk-client',
    DISCORD_CLIENT_SECRET: 'walk-secret',
    WADDLEBOT_HUB_BUILD_ON_SERVE: 'false',
  }
  project = testProject({ env })
  const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
  runtime = await startRuntime({ catalog: builtinCatalog, settings, modules: MODULES, listen: false })
})
after(async () => {
  await runtime?.stop()
  project?.cleanup()
})

/** A fingerprint of every table's rows. */
async function snapshot(): Promise<Map<string, string>> {
  const tables = await runtime.storage.query<{ name: string }>(
    sql.raw("select name from sqlite_master where type = 'table' order by name"),
  )
  const out = new Map<string, string>()
  for (const { name } of tables) {
    const rows = await runtime.storage.query(sql.raw(`select * from "${name}"`))
    out.set(name, createHash('sha256').update(JSON.stringify(rows)).digest('hex'))
  }
  return out
}

test('every route of every module, called without a key, changes nothing', async (t) => {
  let called = 0
  const failures: string[] = []
  for (const hosted of runtime.hosted) {
    const routes = hosted.app.servedRoutes.flatMap((r) => [r.method].flat().map((method) => ({ method, url: r.url })))
    assert.ok(routes.length > 0, `${hosted.def.name} has routes`)
    for (const { method, url } of routes) {
      if (method === 'HEAD' || method === 'OPTIONS') continue
      const path = url.replace(/:(\w+)/g, (_, p: string) =>
        p === 'type' ? 'media' : p === 'prefix' ? 'bang' : `walk-${p}`,
      )
      const variants = [path, `${path}?community_id=default&link=x&state=x&code=x`]
      for (const target of variants) {
        const before = await snapshot()
        const hasBody = method !== 'GET' && method !== 'DELETE'
        const res = await hosted.app.inject({
          method: method as 'GET',
          url: target,
          ...(hasBody
            ? {
                payload: {
                  community_id: 'default',
                  type: 'media',
                  data: { text: 'x' },
                  pattern: 'x',
                  platform: 'local',
                },
                headers: { 'content-type': 'application/json' },
              }
            : {}),
        })
        called++
        const after = await snapshot()
        const changed = [...after].filter(([k, v]) => before.get(k) !== v).map(([k]) => k)
        const ok2xx = res.statusCode >= 200 && res.statusCode < 300
        if (changed.length > 0)
          failures.push(`${hosted.def.name} ${method} ${target} → ${res.statusCode}, changed ${changed.join(', ')}`)
        else if (ok2xx && method !== 'GET')
          failures.push(`${hosted.def.name} ${method} ${target} → ${res.statusCode} without a key`)
      }
    }
  }
  t.diagnostic(
    `${called} requests over ${runtime.hosted.map((h) => `${h.def.name}:${h.app.servedRoutes.length}`).join(' ')}`,
  )
  assert.deepEqual(failures, [])
  assert.ok(called > 40)
})
