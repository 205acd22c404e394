/**
 * Modules as packages, for real: `module new --package` scaffolds a publishable module whose own test passes
 * (through `waddlebot module test`), `npm pack` makes its tarball, `module add <tarball>` installs it offline
 * into a project and enables it, and the installed module answers its command through the router.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { parse } from 'yaml'
import { loadSettings } from '../../src/runtime/config.js'
import { startRuntime } from '../../src/runtime/host.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { REPO, runCli } from '../helpers/cli.js'

function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((done) =>
    execFile('npm', args, { cwd, env, timeout: 120_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
    ),
  )
}

describe('modules as npm packages', () => {
  let tmp: string
  let env: NodeJS.ProcessEnv
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'wb-module-package-'))
    // Offline: a tarball with no dependencies needs no registry; the peer (waddlebot) is the bot's own copy.
    env = {
      npm_config_offline: 'true',
      npm_config_legacy_peer_deps: 'true',
      npm_config_cache: join(tmp, 'npm-cache'),
      npm_config_update_notifier: 'false',
      WADDLEBOT_CONFIG: '',
      WADDLEBOT_LOG_LEVEL: 'silent',
    }
    // What the package's `npm install` gives it for its own tests: waddlebot (its dev dependency).
    mkdirSync(join(tmp, 'node_modules'))
    symlinkSync(REPO, join(tmp, 'node_modules/waddlebot'), 'dir')
  })
  after(() => rmSync(tmp, { recursive: true, force: true }))

  test('module new --package scaffolds a publishable package whose test passes', async () => {
    const created = await runCli(['module', 'new', 'hello-pkg', '--package'], { cwd: tmp, env })
    assert.equal(created.code, 0, created.stderr)
    const pkg = JSON.parse(readFileSync(join(tmp, 'hello-pkg/package.json'), 'utf8'))
    assert.equal(pkg.name, 'hello-pkg')
    assert.match(pkg.peerDependencies.waddlebot, /^\^\d+\.\d+\.\d+$/)
    assert.equal(pkg.exports, './index.ts')
    assert.match(readFileSync(join(tmp, 'hello-pkg/README.md'), 'utf8'), /waddlebot module add hello-pkg/)
    const tested = await runCli(['module', 'test'], { cwd: join(tmp, 'hello-pkg'), env })
    assert.equal(tested.code, 0, tested.stdout + tested.stderr)
    assert.match(tested.stdout, /^# pass 3$/m)
  })

  test('module add <tarball> installs it offline, enables it, and it answers its command', async () => {
    const packed = await npm(['pack', '--json'], join(tmp, 'hello-pkg'), { ...process.env, ...env })
    assert.equal(packed.code, 0, packed.out)
    const tarball = join(tmp, 'hello-pkg', 'hello-pkg-0.1.0.tgz')
    const project = join(tmp, 'bot')
    mkdirSync(project)
    writeFileSync(join(project, 'package.json'), '{"name":"bot","private":true,"type":"module"}\n')
    writeFileSync(join(project, 'waddlebot.yaml'), '# my bot\nmodules:\n  router:\n    enabled: true\n')
    const added = await runCli(['module', 'add', tarball], { cwd: project, env })
    assert.equal(added.code, 0, added.stderr)
    assert.match(added.stdout, /^Added module hello-pkg from the package hello-pkg \(port 8100\)/)
    const yaml = readFileSync(join(project, 'waddlebot.yaml'), 'utf8')
    assert.match(yaml, /^# my bot/)
    assert.deepEqual(parse(yaml).modules['hello-pkg'], { package: 'hello-pkg', port: 8100 })

    const settings = loadSettings({ cwd: project, env: { ...env, DATABASE_URL: 'sqlite::memory:' } })
    const runtime = await startRuntime({
      settings,
      catalog: builtinCatalog,
      modules: ['router', 'hello-pkg'],
      listen: false,
    })
    try {
      const router = runtime.hosted.find((h) => h.def.name === 'router')!.app
      const res = await router.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { 'x-service-key': runtime.serviceKey },
        payload: {
          platform: 'local',
          server_id: 's',
          channel_id: 'c',
          user_id: 'u',
          user_name: 'Ann',
          message: '!hello-pkg',
          message_type: 'chatMessage',
        },
      })
      assert.deepEqual(res.json().responses, [{ type: 'chat', text: 'Hello, Ann! (hello-pkg module)' }])
    } finally {
      await runtime.stop()
    }

    const again = await runCli(['module', 'add', join(tmp, 'missing.tgz')], { cwd: project, env })
    assert.equal(again.code, 1)
    assert.match(
      again.stderr.trim().split('\n').at(-1)!,
      /^error WB_MODULE_INSTALL_FAILED: module package .*missing\.tgz was not added: npm install exited with code \d+/,
    )
  })
})
