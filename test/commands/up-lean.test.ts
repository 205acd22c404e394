/**
 * `waddlebot up` starts the children of built-in modules from the precompiled lib/ (bin/build-lib.mjs) with
 * plain `node` and the lean entry lib/cli/child.js: no tsx, no oclif, so no module-hooks thread. A project
 * module written in TypeScript still runs through `bin/run.js run` (tsx), and a chat command reaches it
 * through a lean router. lib/ is rebuilt when a source is newer than its stamp.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ensureLib, libIsFresh } from '../../bin/build-lib.mjs'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { REDIS_TEST_URL, serversUnavailable } from '../helpers/backends.js'
import { BIN, freeOffset } from '../helpers/cli.js'
import { writeTypeScriptGreeter } from '../helpers/fixture-modules.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const LEAN = join(ROOT, 'lib', 'cli', 'child.js')

const cmdline = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)

async function until<T>(what: string, probe: () => Promise<T | false> | T | false, ms: number, out?: () => string) {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await probe()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${out?.() ?? ''}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

// Redis carries the greeter's `commands:changed` to the router in the other process.
const skip = await serversUnavailable()

describe('waddlebot up: lean children', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-up-lean-'))
  let up: ChildProcess | undefined
  after(() => {
    up?.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs built-in modules (and router replicas) from lib/ without tsx, a TypeScript project module with tsx registered for it', async () => {
    writeTypeScriptGreeter(dir)
    writeFileSync(
      join(dir, 'waddlebot.yaml'),
      'auth: {require_keys: false}\nmodules:\n  greeter: {path: ./greeter, port: 8100}\n' +
        builtinCatalog
          .filter((m) => m.load && m.name !== 'router')
          .map((m) => `  ${m.name}: {enabled: false}\n`)
          .join(''),
    )
    const offset = await freeOffset([8000, 8100])
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      WADDLEBOT_PORT_OFFSET: String(offset),
      DATABASE_URL: `sqlite:${join(dir, 'data', 'waddlebot.db')}`,
      REDIS_URL: REDIS_TEST_URL,
      WADDLEBOT_REDIS_PREFIX: `wbtest:${process.pid}:lean:`,
    }
    delete env.NODE_TEST_CONTEXT
    delete env.WADDLEBOT_CONFIG
    let out = ''
    up = spawn(process.execPath, [BIN, 'up', '--replicas', 'router=2'], { cwd: dir, env, stdio: 'pipe' })
    up.stdout?.on('data', (c) => (out += c))
    up.stderr?.on('data', (c) => (out += c))
    const pids = (label: string) =>
      [...out.matchAll(/\[supervisor\] started (\S+) pid (\d+)/g)]
        .filter((m) => m[1] === label)
        .map((m) => Number(m[2]))
    const router = `http://127.0.0.1:${8000 + offset}`
    const greeter = `http://127.0.0.1:${8100 + offset}`
    const ok = (url: string) => () =>
      fetch(`${url}/health`, { headers: { connection: 'close' } }).then(
        (r) => r.ok,
        () => false,
      )
    await until(
      'router and greeter healthy',
      async () => (await ok(router)()) && (await ok(greeter)()),
      60_000,
      () => out,
    )

    for (const label of ['router', 'router#2']) {
      const [pid] = pids(label)
      assert.ok(pid, `${label} started`)
      const argv = cmdline(pid)
      // node --import <watchdog data: URL> <repo>/lib/cli/child.js router: compiled JavaScript, no loader
      assert.equal(argv.at(-2), LEAN, `${label}: ${argv.join(' ')}`)
      assert.equal(argv.at(-1), 'router')
      assert.ok(!argv.some((a) => a.includes('tsx')), argv.join(' '))
    }
    const [greeterPid] = pids('greeter')
    assert.ok(greeterPid)
    assert.deepEqual(cmdline(greeterPid).slice(-3), [BIN, 'run', 'greeter'])

    // A chat command through a lean router reaches the TypeScript module over HTTP.
    const answer = async () => {
      const res = await fetch(`${router}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          platform: 'local',
          server_id: 'lean',
          channel_id: 'main',
          user_id: 'u1',
          user_name: 'ann',
          message: '!hello',
          message_type: 'chatMessage',
        }),
      })
      assert.equal(res.status, 200, out)
      return JSON.stringify(await res.json())
    }
    // Both replicas listening (the greeter may be up before the second router is).
    await until(
      'router#2 listening',
      () => /\[router#2\] +.*Server listening/.test(out),
      60_000,
      () => out,
    )
    // Each router replica learns the greeter's command once it is announced: both must answer it.
    for (let i = 0; i < 2; i++)
      assert.match(
        await until(
          '!hello answered',
          async () => /Hello, ann!/.test(await answer()) && 'ok',
          20_000,
          () => out,
        ),
        /ok/,
      )

    up.kill('SIGTERM')
    const code = await new Promise((r) => (up!.exitCode !== null ? r(up!.exitCode) : up!.once('exit', r)))
    assert.equal(code, 0, out)
    assert.match(out, /\[supervisor\] router stopped/)
  })
})

describe('the lean entry', () => {
  it('imports neither tsx nor oclif nor module hooks (its whole static import graph in lib/)', () => {
    assert.ok(existsSync(LEAN), 'lib/ is built (npm ci runs prepare; `up` rebuilds it)')
    const seen = new Set<string>()
    const packages = new Set<string>()
    const visit = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      const code = readFileSync(file, 'utf8')
      for (const [, spec] of code.matchAll(/^(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/gm)) {
        if (spec!.startsWith('.')) visit(join(dirname(file), spec!))
        else packages.add(spec!)
      }
    }
    visit(LEAN)
    assert.ok(seen.size > 20, `walked ${seen.size} files`)
    for (const p of packages) assert.doesNotMatch(p, /^(tsx|@oclif\/|node:module$)/, `lib/cli/child.js reaches ${p}`)
    assert.ok(packages.has('fastify'), 'the walk reaches the runtime')
  })
})

describe('bin/build-lib.mjs', () => {
  const root = mkdtempSync(join(tmpdir(), 'wb-lib-'))
  after(() => rmSync(root, { recursive: true, force: true }))
  const ago = (seconds: number) => new Date(Date.now() - seconds * 1000)
  /** Every input 60 s old and the stamp 30 s: lib is fresh, and whatever is saved now is newer than the stamp. */
  const settle = () => {
    const age = (path: string) => {
      if (statSync(path).isDirectory())
        for (const name of readdirSync(path)) if (name !== 'lib' || path !== root) age(join(path, name))
      utimesSync(path, ago(60), ago(60))
    }
    age(root)
    utimesSync(join(root, 'lib', '.stamp'), ago(30), ago(30))
  }
  /** The stamp has millisecond precision: a file saved in the millisecond its build starts counts as newer. */
  const tick = () => new Promise((r) => setTimeout(r, 5))
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }

  it('builds src into lib (tests left out, other files copied), and rebuilds once a source is newer', async () => {
    write('bin/build-lib.mjs', '') // an input of the build: its mtime counts
    write('package.json', '{"type":"module"}')
    write('tsconfig.json', '{"compilerOptions":{"verbatimModuleSyntax":true}}')
    write('src/a.ts', "import { b } from './sub/b.js'\nexport const a: string = 'a' + b\n")
    write('src/sub/b.ts', 'export const b: number = 1\n')
    write('src/sub/gone.ts', 'export const gone = 1\n')
    write('src/a.test.ts', "import { a } from './a.js'\n")
    write('src/sub/worker.mjs', 'export const w = 1\n')
    assert.equal(libIsFresh(root), false)
    await tick()
    assert.deepEqual(await ensureLib(root), { ok: true, built: true })
    assert.equal(libIsFresh(root), true)
    assert.equal((await import(join(root, 'lib', 'a.js'))).a, 'a1')
    assert.equal(existsSync(join(root, 'lib', 'a.test.js')), false)
    assert.equal(readFileSync(join(root, 'lib', 'sub', 'worker.mjs'), 'utf8'), 'export const w = 1\n')
    settle()
    assert.equal(libIsFresh(root), true)
    assert.deepEqual(await ensureLib(root), { ok: true, built: false }, 'fresh: nothing to do')

    // A saved source (newer than the stamp) makes lib stale; the next ensureLib rebuilds it.
    write('src/sub/b.ts', 'export const b: number = 2\n')
    assert.equal(libIsFresh(root), false)
    await tick()
    assert.deepEqual(await ensureLib(root), { ok: true, built: true })
    assert.match(readFileSync(join(root, 'lib', 'sub', 'b.js'), 'utf8'), /const b = 2/)
    assert.equal(libIsFresh(root), true)

    // A deleted source changes its folder's mtime: lib is rebuilt without the file.
    settle()
    unlinkSync(join(root, 'src', 'sub', 'gone.ts'))
    assert.equal(libIsFresh(root), false)
    await tick()
    assert.deepEqual(await ensureLib(root), { ok: true, built: true })
    assert.equal(libIsFresh(root), true)
    assert.equal(existsSync(join(root, 'lib', 'sub', 'gone.js')), false)
    assert.equal(existsSync(join(root, 'lib', 'sub', 'b.js')), true)

    // So does a change to the build's other inputs.
    settle()
    write('tsconfig.json', '{"compilerOptions":{"verbatimModuleSyntax":true,"target":"ES2022"}}')
    assert.equal(libIsFresh(root), false)
  })

  it('a source that does not compile: not ok with the reason, the previous lib left in place', async () => {
    write('src/broken.ts', 'export const x = (\n')
    const result = await ensureLib(root)
    assert.equal(result.ok, false)
    assert.match(result.ok ? '' : result.reason, /broken\.ts|Build failed/)
    assert.equal(existsSync(join(root, 'lib', 'a.js')), true)
    assert.equal(libIsFresh(root), false, 'still stale: `up` runs the children through tsx')
  })
})
