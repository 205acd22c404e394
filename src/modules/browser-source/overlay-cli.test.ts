import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { freeOffset, runCli } from '../../../test/helpers/cli.js'
import { type TestProject, testProject } from '../../../test/helpers/settings.js'
import { loadSettings } from '../../runtime/config.js'
import { type Runtime, startRuntime } from '../../runtime/host.js'
import { overlayUrls } from './public.js'
import { builtinCatalog } from '../catalog.js'
import browserSourceModule from './index.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]
const URL_RE = /^http:\/\/127\.0\.0\.1:(\d+)\/browser\/source\/([A-Za-z0-9_-]{43})\/(media|ticker|general)$/

for (const [backend, skip] of backends) {
  describe(`waddlebot overlay urls on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let env: Record<string, string>
    const cli = (...args: string[]) =>
      runCli(['overlay', 'urls', ...args], {
        cwd: project.dir,
        env: { ...env, WADDLEBOT_LOG_LEVEL: 'silent', WADDLEBOT_CONFIG: '' },
      })
    const json = async (...args: string[]) => {
      const r = await cli(...args, '--json')
      assert.equal(r.code, 0, r.stderr)
      return JSON.parse(r.stdout)
    }

    before(async () => {
      env = { ...(await backend.env()), WADDLEBOT_PORT_OFFSET: String(await freeOffset([8027])) }
      project = testProject({ env, yaml: '' })
    })
    after(async () => {
      await backend.cleanup()
      project?.cleanup()
    })

    test('prints the three URLs of the default community, the same on every call', async () => {
      const text = await cli()
      assert.equal(text.code, 0, text.stderr)
      const lines = text.stdout.split('\n').filter((l) => /^\s+(media|ticker|general)\s/.test(l))
      assert.equal(lines.length, 3)
      const first = await json()
      assert.equal(first.community_id, 'default')
      for (const type of ['media', 'ticker', 'general']) {
        const m = URL_RE.exec(first.urls[type])
        assert.ok(m, first.urls[type])
        assert.equal(Number(m[1]), 8027 + Number(env.WADDLEBOT_PORT_OFFSET))
        assert.equal(m[3], type)
        assert.ok(text.stdout.includes(first.urls[type]), 'the second call printed the tokens the first one created')
      }
    })

    test('--rotate replaces one token; the printed URL is served by a running browser-source, the old one until the grace ends', async () => {
      const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
      const runtime: Runtime = await startRuntime({ catalog: builtinCatalog, settings, modules: ['browser-source'] })
      try {
        const bs = runtime.module(browserSourceModule).ctx.state
        const before = overlayUrls(bs.baseUrl, await bs.tokens.ensureTokens('rot'))
        const rotated = await json('--community', 'rot', '--rotate', 'ticker', '--grace', '0')
        assert.equal(rotated.community_id, 'rot')
        assert.equal(rotated.rotated, 'ticker')
        assert.notEqual(rotated.urls.ticker, before.ticker)
        assert.equal(rotated.urls.media, before.media)
        const withGrace = await json('--community', 'rot', '--rotate', 'media')
        assert.equal((await fetch(rotated.urls.ticker)).status, 200)
        assert.equal((await fetch(before.ticker)).status, 404) // grace 0: gone at once
        assert.equal((await fetch(withGrace.urls.media)).status, 200)
        assert.equal((await fetch(before.media)).status, 200) // default grace: 10 min
      } finally {
        await runtime.stop()
      }
    })
  })
}

test('bad input exits non-zero with a one-line error; public_url in waddlebot.yaml is the base of the URLs', async () => {
  const project = testProject({ yaml: '' })
  try {
    writeFileSync(
      `${project.dir}/waddlebot.yaml`,
      'modules:\n  browser-source: {public_url: "https://overlays.example.test/obs"}\n',
    )
    const env = { WADDLEBOT_LOG_LEVEL: 'silent', WADDLEBOT_CONFIG: '', DATABASE_URL: '' }
    const [r, bad] = await Promise.all([
      runCli(['overlay', 'urls', '--json'], { cwd: project.dir, env }),
      runCli(['overlay', 'urls', '--community', ''], { cwd: project.dir, env }),
    ])
    assert.notEqual(bad.code, 0)
    assert.match(bad.stderr, /^error WB_INPUT_INVALID: .*community/m)
    assert.equal(r.code, 0, r.stderr)
    assert.match(
      JSON.parse(r.stdout).urls.general,
      /^https:\/\/overlays\.example\.test\/obs\/browser\/source\/[\w-]{43}\/general$/,
    )
  } finally {
    project.cleanup()
  }
})
