/**
 * The lean CLI (bin/lean.mjs): commands run from the precompiled lib/ with plain node, tsx registered only
 * when a project module (TypeScript) is imported; `start` and `run <module…>` skip oclif too when every flag
 * is one they read. WADDLEBOT_LEAN=0 runs the sources through tsx; the error line and exit code are the
 * same either way, and both give the same help.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { leanArgs } from '../../bin/lean.mjs'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { exited, freeOffset, runCli, spawnCli, waitForHealth } from '../helpers/cli.js'
import { writeTypeScriptGreeter } from '../helpers/fixture-modules.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const LEAN_LINE = 'debug: running from lib/ (precompiled, without tsx)'

/** A chat line from `ann` on the local platform, to the router on `port`. */
const chat = (port: number, message: string) =>
  fetch(`http://127.0.0.1:${port}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      platform: 'local',
      server_id: 's',
      channel_id: 'c',
      user_id: 'u',
      user_name: 'ann',
      message,
      message_type: 'chatMessage',
    }),
  })

describe('leanArgs: what the lean path takes', () => {
  test('start and run with --log-format / --config / -c; nothing else', () => {
    assert.deepEqual(leanArgs(['start']), { verb: 'start', names: [] })
    assert.deepEqual(leanArgs(['start', '--log-format=json', '-c', 'x.yaml']), {
      verb: 'start',
      names: [],
      logFormat: 'json',
      config: 'x.yaml',
    })
    assert.deepEqual(leanArgs(['run', 'collector', 'twitch', '--config', 'a.yaml']), {
      verb: 'run',
      names: ['collector', 'twitch'],
      config: 'a.yaml',
    })
    for (const argv of [
      [],
      ['up'],
      ['run'],
      ['start', '--help'],
      ['run', 'router', '-h'],
      ['start', 'router'],
      ['start', '--log-format'],
      ['start', '--log-format', '--config', 'x'],
      ['run', 'router', '--replicas', '2'],
    ])
      assert.equal(leanArgs(argv), undefined, argv.join(' '))
  })
})

describe('the lean start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-start-lean-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  const project = (name: string, yaml: string) => {
    const at = join(dir, name)
    mkdirSync(at, { recursive: true })
    writeFileSync(join(at, 'waddlebot.yaml'), yaml)
    return at
  }
  /** Only the router (and `extra`) enabled: a start that stays light. */
  const onlyRouter = (extra = '') =>
    `auth: {require_keys: false}\nmodules:\n${extra}${builtinCatalog
      .filter((m) => m.load && m.name !== 'router')
      .map((m) => `  ${m.name}: {enabled: false}\n`)
      .join('')}`

  test('start hosts the built-in modules from lib/, answers, and stops cleanly on SIGTERM', async () => {
    const cwd = project('plain', onlyRouter())
    const offset = await freeOffset([8000])
    const child = spawnCli(['start', '--log-format', 'json'], {
      cwd,
      env: { WADDLEBOT_PORT_OFFSET: String(offset), WADDLEBOT_LOG_LEVEL: 'debug' },
    })
    try {
      await waitForHealth(`http://127.0.0.1:${8000 + offset}`, 30_000, child)
      assert.match(child.output(), new RegExp(LEAN_LINE.replace(/[()/]/g, '\\$&')))
      assert.match(child.output(), /waddlebot is running \(sqlite/)
      const res = await chat(8000 + offset, '!ping')
      assert.equal(res.status, 200)
      assert.equal(((await res.json()) as { outcome: string }).outcome, 'command')
      child.kill('SIGTERM')
      assert.equal(await exited(child, 15_000), 0, child.output())
    } finally {
      child.kill('SIGKILL')
    }
  })

  test('a TypeScript project module: start runs from lib/ and registers tsx when it imports the module', async () => {
    const cwd = project('with-ts', onlyRouter('  greeter: {path: ./greeter, port: 8100}\n'))
    writeTypeScriptGreeter(cwd)
    const offset = await freeOffset([8000, 8100])
    const child = spawnCli(['start'], {
      cwd,
      env: { WADDLEBOT_PORT_OFFSET: String(offset), WADDLEBOT_LOG_LEVEL: 'debug' },
    })
    try {
      await waitForHealth(`http://127.0.0.1:${8100 + offset}`, 30_000, child)
      assert.match(child.output(), /running from lib/)
      const res = await chat(8000 + offset, '!hello')
      assert.match(JSON.stringify(await res.json()), /Hello, ann!/)
      child.kill('SIGTERM')
      assert.equal(await exited(child, 15_000), 0, child.output())
    } finally {
      child.kill('SIGKILL')
    }
  })

  test('errors: the same line and exit code through lib/ and through oclif', async () => {
    const cwd = project('errors', onlyRouter())
    for (const args of [
      ['run', 'nosuchmodule'],
      ['start', '--log-format', 'loud'],
      ['start', '-c', 'missing.yaml'],
    ]) {
      const lean = await runCli(args, { cwd })
      const oclif = await runCli(args, { cwd, env: { WADDLEBOT_LEAN: '0' } })
      assert.notEqual(lean.code, 0, args.join(' '))
      assert.equal(lean.code, oclif.code, `${args.join(' ')}: ${lean.stderr} vs ${oclif.stderr}`)
      assert.equal(lean.stderr.trim().split('\n').length, 1, lean.stderr)
      assert.match(lean.stderr, /^error WB_[A-Z_]+: /)
      assert.equal(lean.stderr.split(':')[0], oclif.stderr.split(':')[0], `${lean.stderr} vs ${oclif.stderr}`)
    }
  })

  test('the lean entry reaches neither tsx nor oclif (its static import graph in lib/)', () => {
    const entry = join(ROOT, 'lib', 'cli', 'lean.js')
    assert.ok(existsSync(entry), 'lib/ is built (npm ci runs prepare; start rebuilds it)')
    const seen = new Set<string>()
    const packages = new Set<string>()
    const visit = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(
        /^(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/gm,
      )) {
        if (spec!.startsWith('.')) visit(join(dirname(file), spec!))
        else packages.add(spec!)
      }
    }
    visit(entry)
    for (const p of packages) assert.doesNotMatch(p, /^(tsx|@oclif\/|node:module$)/, `lib/cli/lean.js reaches ${p}`)
    assert.ok(packages.has('fastify'))
  })
})
