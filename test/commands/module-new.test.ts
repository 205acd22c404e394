import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { loadSettings } from '../../src/runtime/config.js'
import type { CommandContext } from '../../src/runtime/module.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { createRegistry, loadProjectModule } from '../../src/runtime/registry.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

interface Run {
  code: number
  stdout: string
  stderr: string
}
function run(nodeArgs: string[], cwd: string): Promise<Run> {
  // NODE_TEST_CONTEXT (set by our own runner) would make a nested `node --test` report to us, not to stdout.
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env
  const env = { ...inherited, WADDLEBOT_PORT_OFFSET: '24500', WADDLEBOT_CONFIG: '' }
  return new Promise((done) => {
    execFile(process.execPath, nodeArgs, { cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
    })
  })
}
const cli = (cwd: string, ...args: string[]): Promise<Run> => run([join(ROOT, 'bin/run.js'), ...args], cwd)
/** Runs a generated test file the way a project's `npm test` does (tsx resolved from this repo). */
const nodeTest = (file: string): Promise<Run> => run(['--import', 'tsx', '--test', file], ROOT)

let tmp: string
let project: string
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'wb-module-new-'))
  project = join(tmp, 'bot')
  // What `npm install` gives a real project: waddlebot in node_modules (the generated tests import the kit).
  mkdirSync(join(tmp, 'node_modules'))
  symlinkSync(ROOT, join(tmp, 'node_modules/waddlebot'), 'dir')
  const init = await cli(tmp, 'init', 'bot', '--yes')
  assert.equal(init.code, 0, init.stderr)
})
after(() => rmSync(tmp, { recursive: true, force: true }))

describe('waddlebot module new, in a project', () => {
  let created: Run
  before(async () => {
    created = await cli(project, 'module', 'new', 'greeter')
  })

  test('writes modules/greeter and adds it to waddlebot.yaml, keeping the comments', () => {
    assert.equal(created.code, 0, created.stderr)
    assert.match(created.stdout, /restart the bot to load it/i)
    for (const f of ['index.ts', 'greeter.test.ts', 'README.md', 'package.json'])
      assert.ok(existsSync(join(project, 'modules/greeter', f)), f)
    const text = readFileSync(join(project, 'waddlebot.yaml'), 'utf8')
    assert.match(text, /^# waddlebot\.yaml: configuration of the bot bot/)
    assert.match(text, /# `waddlebot module new <name>` adds your own modules here/)
    assert.match(text, /require_keys: true/)
    assert.deepEqual(parse(text).modules, {
      router: { enabled: true },
      greeter: { path: './modules/greeter', port: 8100 },
    })
  })

  test('the runtime loads the module and its command replies', async () => {
    const settings = loadSettings({ cwd: project, env: {} })
    const entry = createRegistry(settings, builtinCatalog).get('greeter')
    assert.ok(entry && entry.source === 'project' && entry.port === 8100)
    const def = await loadProjectModule('greeter', entry.path!)
    assert.equal(def.port, 8100)
    const command = def.commands?.find((c) => c.name === 'greeter')
    assert.ok(command)
    const request = {
      user: { id: 'u1', name: 'ada', display_name: 'Ada', roles: [] },
      entity: { id: 'local:a:b' },
      args: ['hi', 'there'],
    }
    const state = await def.setup?.({} as never)
    const reply = await command.run({ request, args: request.args, state } as unknown as CommandContext)
    assert.equal(reply, 'Hello, Ada! (greeter module) You said: hi there')
  })

  test('the generated test passes, and fails once the command changes', async () => {
    const broken = join(tmp, 'broken-greeter')
    cpSync(join(project, 'modules/greeter'), broken, { recursive: true })
    const index = join(broken, 'index.ts')
    writeFileSync(index, readFileSync(index, 'utf8').replace(/`Hello(?=\$\{again\}, )/, '`Hi'))
    const [good, bad] = await Promise.all([
      nodeTest(join(project, 'modules/greeter/greeter.test.ts')),
      nodeTest(join(broken, 'greeter.test.ts')),
    ])
    assert.equal(good.code, 0, good.stdout + good.stderr)
    assert.match(good.stdout, /# pass 3/)
    assert.notEqual(bad.code, 0)
    assert.match(bad.stdout, /# fail 3/)
    assert.match(
      bad.stdout,
      /expected:\n\s+0: 'Hello, Ada! \(greeter module\)'\n\s+actual:\n\s+0: 'Hi, Ada! \(greeter module\)'/,
    )
  })

  test('refuses an existing module, a built-in name or command and a bad name, with one-line errors', async () => {
    const [existing, seed, builtinCommand, bad] = await Promise.all([
      cli(project, 'module', 'new', 'greeter'),
      cli(project, 'module', 'new', 'router'),
      cli(project, 'module', 'new', 'help'),
      cli(project, 'module', 'new', 'Bad_Name'),
    ])
    assert.match(existing.stderr, /^error WB_MODULE_EXISTS: module greeter already exists at .*greeter/)
    assert.match(seed.stderr, /^error WB_INPUT_INVALID: invalid name: router is a built-in module/)
    assert.match(
      builtinCommand.stderr,
      /^error WB_INPUT_INVALID: invalid name: !help is already a command of the router module/,
    )
    assert.match(bad.stderr, /^error WB_INPUT_INVALID: invalid name: "Bad_Name" must be kebab-case/)
    for (const r of [existing, seed, builtinCommand, bad]) {
      assert.equal(r.code, 2)
      assert.equal(r.stderr.trim().split('\n').length, 1)
    }
    assert.ok(!existsSync(join(project, 'modules/router')) && !existsSync(join(project, 'modules/help')))
  })
})

describe('waddlebot module new, outside a project', () => {
  test('inside the waddlebot repository: src/modules/<name>, next free port', async () => {
    const repo = join(tmp, 'repo')
    mkdirSync(repo)
    writeFileSync(join(repo, 'package.json'), '{"name":"waddlebot"}')
    const first = await cli(repo, 'module', 'new', 'alpha')
    assert.equal(first.code, 0, first.stderr)
    const second = await cli(repo, 'module', 'new', 'beta')
    assert.equal(second.code, 0, second.stderr)
    assert.ok(existsSync(join(repo, 'src/modules/alpha/alpha.test.ts')))
    assert.ok(existsSync(join(repo, 'src/modules/beta/index.ts')))
    const { modules } = loadSettings({ cwd: repo, env: {} })
    assert.deepEqual(modules, {
      alpha: { path: './src/modules/alpha', port: 8100 },
      beta: { path: './src/modules/beta', port: 8101 },
    })
  })

  test('in a plain folder: modules/<name> and a minimal waddlebot.yaml', async () => {
    const plain = join(tmp, 'plain')
    mkdirSync(plain)
    const r = await cli(plain, 'module', 'new', 'solo-mod')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /Created waddlebot\.yaml/)
    assert.ok(existsSync(join(plain, 'modules/solo-mod/solo-mod.test.ts')))
    const settings = loadSettings({ cwd: plain, env: {} })
    assert.deepEqual(settings.modules, { 'solo-mod': { path: './modules/solo-mod', port: 8100 } })
    // No project package.json here: the module's own one keeps index.ts an ES module.
    const def = await loadProjectModule('solo-mod', createRegistry(settings, builtinCatalog).get('solo-mod')!.path!)
    assert.deepEqual(
      def.commands?.map((c) => c.name),
      ['solo-mod'],
    )
  })
})
