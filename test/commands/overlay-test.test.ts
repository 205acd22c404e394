import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { loadSettings } from '../../src/runtime/config.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import { OverlayClient } from '../browser/ws-client.js'
import { type Backend, postgresRedisBackend, serversUnavailable, sqliteBackend } from '../helpers/backends.js'
import { freeOffset, runCli } from '../helpers/cli.js'
import { type TestProject, testProject } from '../helpers/settings.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import browserSourceModule from '../../src/modules/browser-source/index.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

for (const [backend, skip] of backends) {
  describe(`waddlebot overlay test on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let env: Record<string, string>
    let runtime: Runtime
    let wsBase: string
    before(async () => {
      env = {
        ...(await backend.env()),
        WADDLEBOT_PORT_OFFSET: String(await freeOffset([8027])),
        WADDLEBOT_CONFIG: '',
        WADDLEBOT_LOG_LEVEL: 'silent',
      }
      project = testProject({ env, yaml: '' })
      runtime = await startRuntime({
        catalog: builtinCatalog,
        settings: loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } }),
        modules: ['browser-source'],
      })
      wsBase = `ws://127.0.0.1:${8027 + Number(env.WADDLEBOT_PORT_OFFSET)}/browser/source`
    })
    after(async () => {
      await runtime?.stop()
      await backend.cleanup()
      project?.cleanup()
    })

    test('an open ticker overlay receives the sample; the other types report 0 open overlays', async () => {
      const tokens = await runtime.module(browserSourceModule).ctx.state.tokens.ensureTokens('stream')
      const ticker = await OverlayClient.open(`${wsBase}/${tokens.ticker}/ticker`)
      try {
        assert.equal((await ticker.next()).type, 'hello')
        const one = await runCli(['overlay', 'test', 'ticker', '--community', 'stream'], { cwd: project.dir, env })
        assert.equal(one.code, 0, one.stderr)
        assert.match(one.stdout, /^ticker {3}shown on 1 open overlay\n/)
        const shown = await ticker.nextDisplay()
        assert.equal(shown.type, 'ticker')
        assert.equal(shown.data.text, 'waddlebot overlay test: the ticker works')
        const all = await runCli(['overlay', 'test', '--community', 'stream', '--json'], { cwd: project.dir, env })
        assert.equal(all.code, 0, all.stderr)
        assert.deepEqual(JSON.parse(all.stdout), {
          community_id: 'stream',
          delivered: { media: 0, ticker: 1, general: 0 },
        })
        assert.equal((await ticker.nextDisplay()).data.text, 'waddlebot overlay test: the ticker works')
      } finally {
        ticker.socket.close()
      }
    })
  })
}

test('waddlebot overlay test without a running browser-source, or with an unknown type, is a one-line error', async () => {
  const project = testProject({ yaml: '' })
  try {
    const env = { WADDLEBOT_CONFIG: '', WADDLEBOT_PORT_OFFSET: String(await freeOffset([8027])) }
    const down = await runCli(['overlay', 'test', 'media'], { cwd: project.dir, env })
    assert.equal(down.code, 5)
    assert.match(
      down.stderr.trim(),
      /^error WB_MODULE_UNREACHABLE: module browser-source unreachable at http:\/\/127\.0\.0\.1:\d+: .+ \(start it/,
    )
    const bad = await runCli(['overlay', 'test', 'banner'], { cwd: project.dir, env })
    assert.notEqual(bad.code, 0)
  } finally {
    project.cleanup()
  }
})
