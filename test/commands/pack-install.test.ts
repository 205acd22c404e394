/**
 * The path of a user outside this repository, for real: `npm pack` the CLI, install the tarball into an
 * empty folder, `npx waddlebot init mybot --yes`, `npm install` the new project, its generated `npm test`
 * passes, and `waddlebot chat` gets `pong` for `!ping`.
 *
 * No network: npm talks to a registry on 127.0.0.1 that serves the lockfile's packages from the local npm
 * cache (test/fakes/npm-registry.ts); any HTTPS request (e.g. a prebuilt-binary download) goes to a
 * closed local port and fails. better-sqlite3 installs through its own install script, from a local
 * prebuild made of this checkout's compiled binary (the same file prebuild-install would download).
 */
import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { startNpmRegistry } from '../fakes/npm-registry.js'
import { freeOffset, REPO, waitForHealth } from '../helpers/cli.js'

const root = mkdtempSync(join(tmpdir(), 'wb-pack-'))
after(() => rmSync(root, { recursive: true, force: true }))

interface Run {
  code: number
  out: string
  stdout: string
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { cwd, env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          out: `${stdout}${stderr}`,
          stdout,
        })
      },
    )
    if (input !== undefined) child.stdin?.end(input)
  })
}

/** The compiled better-sqlite3 of this checkout, packed the way prebuild-install names a download. */
function localPrebuild(dir: string): Promise<Run> {
  const pkg = JSON.parse(readFileSync(join(REPO, 'node_modules/better-sqlite3/package.json'), 'utf8')) as {
    version: string
  }
  const file = `better-sqlite3-v${pkg.version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`
  mkdirSync(dir, { recursive: true })
  return run(
    'tar',
    ['czf', join(dir, file), '-C', join(REPO, 'node_modules/better-sqlite3'), 'build/Release/better_sqlite3.node'],
    REPO,
    process.env,
  )
}

function npmCache(): Promise<string> {
  return run('npm', ['config', 'get', 'cache'], REPO, process.env).then((r) => r.stdout.trim())
}

test('npm pack → install the tarball → init → npm install → npm test → chat', { timeout: 600_000 }, async () => {
  const registry = await startNpmRegistry(join(REPO, 'package-lock.json'), await npmCache())
  after(() => registry.close())
  const offset = await freeOffset([8000, 8100])
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    npm_config_registry: `${registry.url}/`,
    npm_config_cache: join(root, 'npm-cache'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_https_proxy: 'http://127.0.0.1:9',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost',
    npm_config_noproxy: '127.0.0.1,localhost',
    WADDLEBOT_PORT_OFFSET: String(offset),
    DATABASE_URL: '',
    REDIS_URL: '',
    WADDLEBOT_SERVICE_KEY: '',
  }
  delete env.NODE_TEST_CONTEXT // the project's own `npm test` is a test run of its own, not part of this one
  assert.equal((await localPrebuild(join(root, 'prebuilds'))).code, 0)
  // prebuild-install reads .prebuild-installrc from the package's folder upwards.
  writeFileSync(join(root, '.prebuild-installrc'), `local-prebuilds=${join(root, 'prebuilds')}\n`)

  const packDir = join(root, 'pack')
  mkdirSync(packDir)
  const packed = await run('npm', ['pack', '--pack-destination', packDir, '--json'], REPO, env)
  assert.equal(packed.code, 0, packed.out)
  const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }]
  const shipped = info.files.map((f) => f.path)
  assert.ok(shipped.includes('templates/project/waddlebot.yaml'))
  assert.deepEqual(
    shipped.filter(
      (p) => !p.startsWith('templates/') && /\.test\.ts$|\.fixture\.ts$|test-support\.ts$|^test\//.test(p),
    ),
    [],
    'no tests or fixtures ship',
  )
  const tarball = join(packDir, info.filename)

  const app = join(root, 'app')
  mkdirSync(app)
  writeFileSync(join(app, 'package.json'), '{"name":"app","private":true}\n')
  const installed = await run('npm', ['install', '--foreground-scripts', tarball], app, env)
  assert.equal(installed.code, 0, installed.out)
  assert.doesNotMatch(installed.out, /EBADENGINE/, installed.out)
  assert.ok(existsSync(join(app, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')))
  assert.doesNotMatch(
    installed.out,
    /make: Entering directory|gyp info|tunneling socket/,
    'the local prebuild was used, nothing compiled or downloaded',
  )
  assert.ok(!existsSync(join(app, 'node_modules/playwright-core')), 'test-only packages are not installed')

  const init = await run('npx', ['waddlebot', 'init', 'mybot', '--yes'], app, env)
  assert.equal(init.code, 0, init.out)
  const project = join(app, 'mybot')
  const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>
  }
  assert.equal(manifest.dependencies.waddlebot, 'file:../../pack/waddlebot-0.1.0.tgz')
  assert.match(readFileSync(join(project, 'README.md'), 'utf8'), /package file it was installed from/)

  const projectInstall = await run('npm', ['install', '--foreground-scripts'], project, env)
  assert.equal(projectInstall.code, 0, projectInstall.out)
  assert.doesNotMatch(projectInstall.out, /EBADENGINE/, projectInstall.out)

  const created = await run('npx', ['waddlebot', 'module', 'new', 'greeter'], project, env)
  assert.equal(created.code, 0, created.out)
  const tested = await run('npm', ['test'], project, env)
  assert.equal(tested.code, 0, tested.out)
  assert.match(tested.out, /^# pass [1-9]/m, tested.out)
  assert.match(tested.out, /^# fail 0$/m)

  const bot = spawn('npx', ['waddlebot', 'start'], {
    cwd: project,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  for (const s of [bot.stdout, bot.stderr])
    s.on('data', (d: Buffer) => {
      log += d.toString()
    })
  try {
    await waitForHealth(`http://127.0.0.1:${8000 + offset}`, 60_000, Object.assign(bot, { output: () => log }))
    const chat = await run('npx', ['waddlebot', 'chat', '--user', 'Ann'], project, env, '!ping\n!greeter there\n')
    assert.equal(chat.code, 0, chat.out)
    const lines = chat.out.trim().split('\n')
    assert.equal(lines[0], 'pong', chat.out)
    assert.match(lines[1]!, /Ann/)
  } finally {
    await stop(bot)
  }
  // Only documents of optional peers nobody installs may be missing (npm asks, then skips them).
  assert.deepEqual(
    registry.misses.filter((p) => p.includes('/-/')),
    [],
  )
})

/** SIGTERM to npx and the CLI it started (their own process group). */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve()
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  process.kill(-child.pid, 'SIGTERM')
  return done
}
