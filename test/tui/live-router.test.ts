/**
 * The router's live monitoring against a real runtime (both backends): /api/v1/stats, the SSE stream,
 * /metrics after 100 !ping, and the dashboard driven by the live source while the router goes down and
 * comes back.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { after, afterEach, before, describe, test } from 'node:test'
import { cleanup, render } from 'ink-testing-library'
import { createElement } from 'react'
import { fetchStats, type HealthChange, openStream, type ProcessedSummary } from '../../src/cli/monitor-client.js'
import { createApiKey } from '../../src/runtime/api-keys.js'
import { loadSettings, type Settings } from '../../src/runtime/config.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import { sql } from '../../src/runtime/storage/sql.js'
import { Dashboard } from '../../src/tui/dashboard.js'
import { liveSource } from '../../src/tui/source.js'
import { type Backend, postgresRedisBackend, serversUnavailable, sqliteBackend } from '../helpers/backends.js'
import { freeOffset } from '../helpers/cli.js'
import { SAMPLE_MODULE, writeModule } from '../helpers/fixture-modules.js'
import { type TestProject, testProject } from '../helpers/settings.js'
import { waitForFrame } from './support.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import routerModule from '../../src/modules/router/index.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

const chat = (message: string, user = 'Ann') => ({
  platform: 'local',
  server_id: 's',
  channel_id: 'c',
  user_id: `u-${user}`,
  user_name: user,
  message,
  message_type: 'chatMessage',
})

async function until<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v) return v as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The value of one sample line of Prometheus text (0 when absent). */
function sample(text: string, line: string): number {
  const hit = text.split('\n').find((l) => l.startsWith(`${line} `))
  return hit ? Number(hit.slice(line.length + 1)) : 0
}

for (const [backend, skip] of backends) {
  describe(`live monitoring on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let settings: Settings
    let router: Runtime | undefined
    let greeter: Runtime | undefined
    let url: string
    const key = `wbot_service_${randomBytes(16).toString('base64url')}`
    const post = (body: unknown) =>
      fetch(`${url}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify(body),
      })
    const startRouter = async () => {
      router = await startRuntime({ catalog: builtinCatalog, settings, modules: ['router'] })
    }

    before(async () => {
      const offset = await freeOffset([8000, 8100])
      url = `http://127.0.0.1:${8000 + offset}`
      const env = {
        ...(await backend.env()),
        WADDLEBOT_PORT_OFFSET: String(offset),
        WADDLEBOT_SERVICE_KEY: key,
        WADDLEBOT_ROUTER_HEALTH_INTERVAL_MS: '150',
        WADDLEBOT_ROUTER_STREAM_PING_MS: '100',
      }
      project = testProject({ env })
      const path = writeModule(project.dir, 'greeter', SAMPLE_MODULE('greeter', 8100))
      writeFileSync(`${project.dir}/waddlebot.yaml`, `modules:\n  greeter: {path: ${path}, port: 8100, replicas: 2}\n`)
      settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
    })
    afterEach(() => cleanup())
    after(async () => {
      await router?.stop()
      await greeter?.stop()
      await backend.cleanup()
      project?.cleanup()
    })

    test('the dashboard says the router is unreachable, goes live when it starts, and comes back after a restart', async () => {
      const ui = render(
        createElement(Dashboard, {
          source: liveSource({ url, key, statsIntervalMs: 100, retryMs: 50, maxRetryMs: 200 }),
          width: 100,
          height: 60, // every built-in module's row fits, the router's among them
        }),
      )
      const wait = (check: (t: string) => boolean, what: string) => waitForFrame(ui.lastFrame, check, 8000, what)
      await wait((t) => t.includes(`router unreachable at ${url}, retrying in`), 'unreachable before start')
      await startRouter()
      let text = await wait((t) => t.includes('● live') && /router\s+\d+\s+● ok/.test(t), 'live')
      assert.match(
        text,
        /greeter\s+\d+\s+✖ down\s+—\s+0\s+2\s+unreachable at/,
        'a configured module that is not running is down (replicas 2)',
      )
      greeter = await startRuntime({ catalog: builtinCatalog, settings, modules: ['greeter'] })
      text = await wait((t) => /greeter\s+\d+\s+● ok/.test(t), 'greeter recovers by itself')
      assert.match(text, /module greeter down → ok/)
      assert.equal((await post(chat('!ping'))).status, 200)
      await wait((t) => /local\/c Ann !ping → command/.test(t), '!ping in the feed')
      await router!.stop()
      router = undefined
      await wait(
        (t) => t.includes(`router unreachable at ${url}`) && /router\s+\d+\s+✖ down/.test(t),
        'unreachable after stop',
      )
      await startRouter()
      await wait((t) => t.includes('● live') && /router\s+\d+\s+● ok/.test(t), 'live again')
      ui.unmount()
    })

    test('/api/v1/stats and /api/v1/stream need an admin key; the service key and an admin key pass', async () => {
      if (!router) await startRouter()
      const collector = (await createApiKey(router!.storage, 'c', 'collector')).key
      const admin = (await createApiKey(router!.storage, 'a', 'admin')).key
      for (const path of ['/api/v1/stats', '/api/v1/stream']) {
        assert.equal((await fetch(`${url}${path}`)).status, 401, path)
        assert.equal((await fetch(`${url}${path}`, { headers: { 'x-api-key': collector } })).status, 403, path)
      }
      assert.equal(
        (await fetchStats({ url, key: admin })).modules.some((m) => m.name === 'router'),
        true,
      )
      const stream = await openStream({ url, key: admin }, {})
      stream.close()
    })

    test('the stream sends processed events, health changes and pings, and drops its listeners on disconnect', async () => {
      if (!router) await startRouter()
      const pipeline = router!.module(routerModule).ctx.state.pipeline
      // The stats window is the one permanent listener (earlier streams may still be closing).
      await until(() => pipeline.activity.listenerCount('processed') === 1, 'only the stats listener')
      const base = 1
      const seen: ProcessedSummary[] = []
      const health: HealthChange[] = []
      let pings = 0
      const stream = await openStream(
        { url, key },
        {
          processed: (s) => seen.push(s),
          health: (h) => health.push(h),
          comment: (c) => {
            if (c === 'ping') pings++
          },
        },
      )
      assert.equal(pipeline.activity.listenerCount('processed'), base + 1)
      await post(chat('!ping', 'Zed'))
      await post(chat('hello there', 'Zed'))
      await post(chat('!nosuch', 'Zed'))
      await until(() => seen.length >= 3, 'three processed events')
      assert.deepEqual(
        seen.map((s) => [s.user, s.command, s.outcome]),
        [
          ['Zed', '!ping', 'command'],
          ['Zed', undefined, 'ignored'],
          ['Zed', '!nosuch', 'unknown_command'],
        ],
      )
      assert.equal(seen[0]!.entity_id, 'local:s:c')
      assert.equal(seen[0]!.channel_id, 'c')
      assert.equal(typeof seen[0]!.latency_ms, 'number')
      await until(() => pings >= 1, 'a ping comment')
      if (!greeter) greeter = await startRuntime({ catalog: builtinCatalog, settings, modules: ['greeter'] })
      await until(
        () => fetchStats({ url, key }).then((s) => s.modules.find((m) => m.name === 'greeter')?.status === 'ok'),
        'greeter ok',
      )
      const mark = health.length
      await greeter.stop()
      greeter = undefined
      // While it closes, a poll may see 503 (degraded) or no answer (down); once it has marked itself
      // stopped in the modules table, it is stopped.
      const change = await until(
        () => health.find((h) => h.module === 'greeter' && h.status === 'stopped'),
        'greeter stopped',
      )
      const changes = health.slice(mark).filter((h) => h.module === 'greeter')
      assert.equal(changes[0]!.previous, 'ok', JSON.stringify(changes))
      assert.ok(['ok', 'degraded', 'down'].includes(String(change.previous)), JSON.stringify(changes))
      stream.close()
      await until(() => pipeline.activity.listenerCount('processed') === base, 'listener removed on disconnect')
    })

    test('stats: events/s over 60 one-second buckets, latency per module, errors, the module table', async () => {
      if (!router) await startRouter()
      const before = await fetchStats({ url, key })
      for (let i = 0; i < 5; i++) await post(chat('!ping'))
      await post(chat('!boom'))
      const s = await fetchStats({ url, key })
      assert.equal(s.events_total - before.events_total, 6)
      assert.equal(s.per_second.length, 60)
      assert.ok(s.per_second.reduce((a, b) => a + b, 0) >= 6)
      assert.ok(s.events_per_s > 0)
      const routerRow = s.modules.find((m) => m.name === 'router')!
      assert.equal(routerRow.status, 'ok')
      assert.equal(routerRow.in_process, true)
      assert.ok(routerRow.p50_ms !== null && routerRow.p99_ms !== null && routerRow.p99_ms >= routerRow.p50_ms)
      assert.ok(routerRow.events >= 5)
      assert.equal(s.outcomes.unknown_command !== undefined || s.outcomes.module_error !== undefined, true)
      const greeterRow = s.modules.find((m) => m.name === 'greeter')!
      assert.equal(greeterRow.replicas, 2)
      assert.ok(s.uptime_s >= 0 && s.started_at <= s.now)
      assert.equal(s.overlays, null, 'browser-source is not running here')
    })

    test('the router keeps waddlebot_coordination_claims and waddlebot_moderation_decisions_total up to date', async () => {
      if (!router) await startRouter()
      const now = Date.now()
      await router!.storage.execute(sql`insert into coordination (entity_id, platform, claimed_by, claimed_at, claim_expires)
        values ('twitch:a:a', 'twitch', 'collector-1', ${now}, ${now + 60_000}), ('twitch:b:b', 'twitch', 'collector-1', ${now}, ${now + 60_000}),
               ('twitch:c:c', 'twitch', 'collector-2', ${now - 120_000}, ${now - 60_000})`)
      const metrics = async () => (await fetch(`${url}/metrics`)).text()
      const text = await until(async () => {
        const m = await metrics()
        return m.includes('waddlebot_coordination_claims{container="collector-1"} 2') ? m : undefined
      }, 'claims gauge')
      assert.doesNotMatch(
        text,
        /waddlebot_coordination_claims\{container="collector-2"\}/,
        'an expired claim is not live',
      )
      await router!.storage.execute(
        sql`delete from coordination where entity_id in ('twitch:a:a', 'twitch:b:b', 'twitch:c:c')`,
      )
      await until(async () => !(await metrics()).includes('container="collector-1"'), 'released claims leave the gauge')

      const line = 'waddlebot_moderation_decisions_total{platform="twitch",action="timeout"}'
      const m0 = sample(await metrics(), line)
      const pipeline = router!.module(routerModule).ctx.state.pipeline
      pipeline.activity.emit('processed', {
        time: Date.now(),
        platform: 'twitch',
        entity_id: 'twitch:a:a',
        channel_id: 'a',
        user: 'Spam',
        message_type: 'chatMessage',
        outcome: 'string_match',
        latency_ms: 1,
        moderation: ['timeout'],
      })
      assert.equal(sample(await metrics(), line) - m0, 1)
    })

    test('/metrics after 100 !ping: 100 more command executions and 100 more latency observations', async () => {
      if (!router) await startRouter()
      const metrics = async () => (await fetch(`${url}/metrics`)).text()
      const exec = 'waddlebot_command_executions_total{command="!ping",module="router",status="success"}'
      const count = 'waddlebot_command_duration_seconds_count{module="router"}'
      const inf = 'waddlebot_command_duration_seconds_bucket{le="+Inf",module="router"}'
      const m0 = await metrics()
      for (let i = 0; i < 100; i++) assert.equal((await post(chat('!ping'))).status, 200)
      const m1 = await metrics()
      assert.equal(sample(m1, exec) - sample(m0, exec), 100)
      assert.equal(sample(m1, count) - sample(m0, count), 100)
      assert.equal(sample(m1, inf) - sample(m0, inf), 100)
      assert.match(m1, /waddlebot_command_duration_seconds_bucket\{le="0\.005",module="router"\} \d+/)
      assert.match(m1, /waddlebot_command_duration_seconds_sum\{module="router"\} [\d.e-]+/)
      for (const name of [
        'waddlebot_process_cpu_seconds_total',
        'waddlebot_process_resident_memory_bytes',
        'waddlebot_nodejs_eventloop_lag_seconds',
        'waddlebot_overlay_connections',
        'waddlebot_coordination_claims',
        'waddlebot_moderation_actions_total',
        'waddlebot_outbound_dropped_total',
        'waddlebot_outbound_queue_depth',
      ]) {
        assert.match(m1, new RegExp(`# TYPE ${name} `), name)
      }
    })
  })
}
