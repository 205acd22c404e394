/**
 * `waddlebot status` against real module servers (both backends): non-zero with a one-line reason when a
 * configured module is not running, 0 once every runnable module answers.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { loadSettings, type Settings } from '../../src/runtime/config.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import { type Backend, postgresRedisBackend, serversUnavailable, sqliteBackend } from '../helpers/backends.js'
import { freeOffset, runCli } from '../helpers/cli.js'
import { SAMPLE_MODULE, writeModule } from '../helpers/fixture-modules.js'
import { type TestProject, testProject } from '../helpers/settings.js'
import { builtinCatalog } from '../../src/modules/catalog.js'

const SEED_PORTS = Object.fromEntries(builtinCatalog.map((m) => [m.name, m.port]))

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

for (const [backend, skip] of backends) {
  describe(`waddlebot status on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let settings: Settings
    let env: Record<string, string>
    let offset: number
    let router: Runtime | undefined
    let greeter: Runtime | undefined
    const status = (...args: string[]) => runCli(['status', ...args], { cwd: project.dir, env, timeoutMs: 60_000 })

    before(async () => {
      offset = await freeOffset([8000, 8100, 8101])
      env = {
        DATABASE_URL: '',
        REDIS_URL: '',
        ...(await backend.env()),
        WADDLEBOT_PORT_OFFSET: String(offset),
        WADDLEBOT_SERVICE_KEY: `wbot_service_${randomBytes(16).toString('base64url')}`,
        WADDLEBOT_LOG_LEVEL: 'silent',
      }
      project = testProject({ env })
      const path = writeModule(project.dir, 'greeter', SAMPLE_MODULE('greeter', 8100))
      // Only the router and the project module run here: the seed modules are switched off.
      const off = Object.keys(SEED_PORTS)
        .filter((m) => m !== 'router')
        .map((m) => `  ${m}: {enabled: false}\n`)
        .join('')
      writeFileSync(`${project.dir}/waddlebot.yaml`, `modules:\n  greeter: {path: ${path}, port: 8100}\n${off}`)
      settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
      router = await startRuntime({ catalog: builtinCatalog, settings, modules: ['router'] })
    })
    after(async () => {
      await greeter?.stop()
      await router?.stop()
      await backend.cleanup()
      project?.cleanup()
    })

    test('a configured module that is not running: --json reports it and exits 7; the text form prints one error line', async () => {
      const r = await status('--json')
      assert.equal(r.code, 7, r.stderr)
      const report = JSON.parse(r.stdout)
      assert.equal(report.ok, false)
      assert.deepEqual(report.down, ['greeter'])
      assert.equal(report.error.code, 'WB_MODULE_DOWN')
      assert.equal(report.router.reachable, true)
      const byName = Object.fromEntries(report.modules.map((m: { name: string }) => [m.name, m]))
      assert.deepEqual(Object.keys(byName).sort(), ['greeter', 'router'])
      assert.equal(byName.router.status, 'ok')
      assert.equal(byName.router.port, 8000 + offset)
      assert.equal(byName.greeter.status, 'down')
      assert.match(byName.greeter.detail, new RegExp(`unreachable at http://127\\.0\\.0\\.1:${8100 + offset}`))

      const text = await status()
      assert.equal(text.code, 7)
      assert.match(
        text.stderr,
        /^error WB_MODULE_DOWN: 1 of 2 modules not ok: greeter \(unreachable at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\) \(start the ones that are down .*\)\n$/,
      )
      assert.match(text.stdout, /^router\s+\d+\s+ok\s/m)
      assert.match(text.stdout, /^greeter\s+\d+\s+down\s/m)
    })

    test('every runnable module up: exit 0, ok true', async () => {
      greeter = await startRuntime({ catalog: builtinCatalog, settings, modules: ['greeter'] })
      const r = await status('--json')
      assert.equal(r.code, 0, r.stdout + r.stderr)
      const report = JSON.parse(r.stdout)
      assert.equal(report.ok, true)
      assert.deepEqual(report.down, [])
      assert.ok(report.modules.every((m: { status: string }) => m.status === 'ok'))
      assert.equal(typeof report.router.uptime_s, 'number')
      const text = await status()
      assert.equal(text.code, 0, text.stderr)
      assert.equal(text.stderr, '')
      assert.match(text.stdout, /^router http:\/\/127\.0\.0\.1:\d+: up \d+[smhd][ \dsmh]* · \d+ events · [\d.]+ ev\/s/m)
    })

    test('--url of a router that does not answer: exit 7 naming it', async () => {
      const spare = await freeOffset([8000])
      const r = await status('--json', '--url', `http://127.0.0.1:${8000 + spare}`)
      assert.equal(r.code, 7)
      const report = JSON.parse(r.stdout)
      assert.equal(report.router.reachable, false)
      assert.deepEqual(report.down, ['router'])
      assert.match(report.modules[0].detail, /unreachable at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/)
    })
  })
}
