import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { fillPlaceholders, renderTemplate } from '../../src/cli/render-template.js'
import { loadSettings } from '../../src/runtime/config.js'
import { serversUnavailable } from '../helpers/backends.js'

const pgSkip = await serversUnavailable()
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SECRETS = [
  'TWITCH_BOT_USERNAME',
  'TWITCH_BOT_TOKEN',
  'TWITCH_CLIENT_ID',
  'TWITCH_EVENTSUB_SECRET',
  'DISCORD_BOT_TOKEN',
  'DISCORD_PUBLIC_KEY',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'DATABASE_URL',
  'REDIS_URL',
  'WADDLEBOT_SERVICE_KEY',
]

interface Run {
  code: number
  stdout: string
  stderr: string
}
function cli(cwd: string, ...args: string[]): Promise<Run> {
  return cliWith({}, cwd, ...args)
}

function cliWith(extra: NodeJS.ProcessEnv, cwd: string, ...args: string[]): Promise<Run> {
  const env = { ...process.env, WADDLEBOT_PORT_OFFSET: '24300', WADDLEBOT_CONFIG: '', DATABASE_URL: '', ...extra }
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin/run.js'), ...args],
      { cwd, env, timeout: 30_000 },
      (error, stdout, stderr) => {
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
      },
    )
  })
}

/** Variable names set (uncommented) in a .env file. */
const setVars = (text: string): string[] => [...text.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]!)

let tmp: string
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'wb-init-'))
})
after(() => rmSync(tmp, { recursive: true, force: true }))

// The CLI runs are independent (one folder each), so they run side by side.
describe('waddlebot init', { concurrency: true }, () => {
  test('--yes renders a project whose config loads, with the next steps', async () => {
    const run = await cli(tmp, 'init', 'my-bot', '--yes')
    assert.equal(run.code, 0, run.stderr)
    const dir = join(tmp, 'my-bot')
    for (const f of [
      'waddlebot.yaml',
      '.env.example',
      '.gitignore',
      'package.json',
      'README.md',
      'modules/.gitkeep',
      'data/.gitkeep',
    ]) {
      assert.ok(existsSync(join(dir, f)), `${f} exists`)
    }
    assert.ok(!existsSync(join(dir, '_gitignore')))
    assert.match(run.stdout, /cd my-bot/)
    assert.match(run.stdout, /waddlebot start/)
    assert.match(run.stdout, /waddlebot chat/)

    const yamlText = readFileSync(join(dir, 'waddlebot.yaml'), 'utf8')
    assert.doesNotMatch(yamlText, /\{\{|\}\}/)
    assert.match(yamlText, /^# waddlebot\.yaml: configuration of the my-bot bot/)
    const settings = loadSettings({ cwd: dir, env: {} })
    assert.equal(settings.requireKeys, true)
    assert.match(settings.database.url, /^sqlite:.*data[\\/]waddlebot\.db$/)
    assert.equal(settings.platforms.local?.enabled, true)
    assert.equal(settings.platforms.twitch?.enabled, false)

    const envExample = readFileSync(join(dir, '.env.example'), 'utf8')
    for (const name of SECRETS) assert.match(envExample, new RegExp(`^# ?${name}=`, 'm'), `${name} is listed`)
    assert.deepEqual(setVars(envExample), [], 'local + sqlite needs no secret, so every line stays commented')

    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    assert.equal(pkg.name, 'my-bot')
    assert.equal(pkg.type, 'module')
    assert.equal(pkg.scripts.start, 'waddlebot start')
    assert.equal(pkg.scripts.chat, 'waddlebot chat')
    assert.match(pkg.scripts.test, /node --import tsx --test \$\(find modules -name '\*\.test\.ts'/)
    assert.deepEqual(
      readFileSync(join(dir, '.gitignore'), 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#')),
      ['data/', '.env', 'node_modules/'],
    )
  })

  test('refuses a folder that already holds waddlebot.yaml, and changes nothing', async () => {
    mkdirSync(join(tmp, 'existing'))
    const file = join(tmp, 'existing', 'waddlebot.yaml')
    writeFileSync(file, '# mine\nlog:\n  level: debug\n')
    const run = await cli(tmp, 'init', 'existing', '--yes')
    assert.equal(run.code, 2)
    assert.match(run.stderr, /^error WB_PROJECT_EXISTS: .*existing already holds a waddlebot project \(pass --force/)
    assert.equal(run.stderr.trim().split('\n').length, 1)
    assert.equal(readFileSync(file, 'utf8'), '# mine\nlog:\n  level: debug\n')
  })

  test('postgres without a reachable DATABASE_URL: one coded line, nothing written', async () => {
    const missing = await cli(tmp, 'init', 'no-db', '--yes', '--storage', 'postgres')
    assert.equal(missing.code, 2)
    assert.match(
      missing.stderr,
      /^error WB_DATABASE_URL_REQUIRED: .*DATABASE_URL is not set \(run it as DATABASE_URL=postgres:\/\/.*\)\n$/,
    )
    const unreachable = await cliWith(
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:9/nowhere' },
      tmp,
      'init',
      'no-db',
      '--yes',
      '--storage',
      'postgres',
    )
    assert.notEqual(unreachable.code, 0)
    assert.match(unreachable.stderr, /^error WB_STORAGE_UNREACHABLE: /)
    assert.ok(!existsSync(join(tmp, 'no-db')), 'nothing written')
  })

  test('postgres with DATABASE_URL only in the target folder’s .env: found there, the project is written', {
    skip: pgSkip,
  }, async () => {
    const dir = join(tmp, 'pg-dotenv')
    mkdirSync(dir)
    writeFileSync(join(dir, '.env'), 'DATABASE_URL=postgres://postgres@127.0.0.1:5432/test\n')
    const run = await cli(tmp, 'init', 'pg-dotenv', '--yes', '--storage', 'postgres')
    assert.equal(run.code, 0, run.stderr)
    assert.ok(existsSync(join(dir, 'waddlebot.yaml')))
    assert.doesNotMatch(run.stdout, /cp \.env\.example \.env/, 'the .env is there already')
  })

  test('a target that is a file: one coded line naming it, exit non-zero', async () => {
    writeFileSync(join(tmp, 'plain-file'), 'x')
    const run = await cli(tmp, 'init', 'plain-file', '--yes')
    assert.equal(run.code, 2)
    assert.match(run.stderr, /^error WB_INPUT_INVALID: .*plain-file is a file, not a folder.*\n$/)
  })

  test('postgres + twitch,discord: chosen secrets uncommented, the rest commented', { skip: pgSkip }, async () => {
    const run = await cliWith(
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' },
      tmp,
      'init',
      'pg-bot',
      '--yes',
      '--storage',
      'postgres',
      '--platforms',
      'twitch, discord',
    )
    assert.equal(run.code, 0, run.stderr)
    const dir = join(tmp, 'pg-bot')
    const envExample = readFileSync(join(dir, '.env.example'), 'utf8')
    assert.deepEqual(setVars(envExample), [
      'TWITCH_BOT_USERNAME',
      'TWITCH_BOT_TOKEN',
      'TWITCH_CLIENT_ID',
      'TWITCH_EVENTSUB_SECRET',
      'DISCORD_BOT_TOKEN',
      'DISCORD_PUBLIC_KEY',
      'DATABASE_URL',
    ])
    assert.match(envExample, /^DATABASE_URL=postgres:\/\/postgres@127\.0\.0\.1:5432\/waddlebot$/m)
    assert.match(envExample, /^TWITCH_BOT_TOKEN=$/m)
    const yamlText = readFileSync(join(dir, 'waddlebot.yaml'), 'utf8')
    assert.match(yamlText, /^# Storage: Postgres\. Set DATABASE_URL in \.env/m)
    assert.doesNotMatch(yamlText, /postgres:\/\//, 'no database URL in the config file')
    const raw = parse(yamlText)
    assert.deepEqual(
      [raw.local.enabled, raw.twitch.enabled, raw.discord.enabled, raw.slack.enabled],
      [false, true, true, false],
    )
    assert.equal(loadSettings({ cwd: dir, env: {} }).configFile, join(dir, 'waddlebot.yaml'))
    assert.match(run.stdout, /^ {2}waddlebot auth twitch +# log the bot in to twitch: the tokens go to \.env$/m)
    assert.match(run.stdout, /^ {2}waddlebot auth discord +# log the bot in to discord/m)
    assert.doesNotMatch(run.stdout, /waddlebot auth (slack|local)/)
  })

  test('an unknown platform is a one-line error naming platforms; nothing is written', async () => {
    const run = await cli(tmp, 'init', 'bad-bot', '--yes', '--platforms', 'twitch,irc')
    assert.notEqual(run.code, 0)
    assert.equal(run.stderr.trim().split('\n').length, 1)
    assert.match(run.stderr, /^error WB_INPUT_INVALID: invalid platforms: unknown irc/)
    assert.ok(!existsSync(join(tmp, 'bad-bot')))
  })
})

describe('renderTemplate', () => {
  let template: string
  before(() => {
    template = join(tmp, 'template')
    mkdirSync(join(template, 'sub'), { recursive: true })
    writeFileSync(join(template, '_gitignore'), 'out/\n')
    writeFileSync(join(template, '{{name}}.txt'), 'hello {{name}} on {{port}}\n')
    writeFileSync(join(template, 'sub', 'keep.bin'), Buffer.from([0, 123, 123, 120, 125, 125]))
  })

  test('fills names and contents, renames _gitignore, copies binary files as they are', () => {
    const out = join(tmp, 'rendered')
    const files = renderTemplate(template, out, { name: 'ada', port: '8100' })
    assert.deepEqual(files, ['.gitignore', 'ada.txt', join('sub', 'keep.bin')])
    assert.equal(readFileSync(join(out, 'ada.txt'), 'utf8'), 'hello ada on 8100\n')
    assert.equal(readFileSync(join(out, '.gitignore'), 'utf8'), 'out/\n')
    assert.deepEqual([...readFileSync(join(out, 'sub', 'keep.bin'))], [0, 123, 123, 120, 125, 125])
  })

  test('refuses to overwrite (writing nothing) unless force', () => {
    const out = join(tmp, 'taken')
    mkdirSync(out)
    writeFileSync(join(out, 'ada.txt'), 'mine')
    assert.throws(() => renderTemplate(template, out, { name: 'ada', port: '1' }), { code: 'WB_FILE_EXISTS' })
    assert.ok(!existsSync(join(out, '.gitignore')), 'nothing written on refusal')
    renderTemplate(template, out, { name: 'ada', port: '1' }, { force: true })
    assert.equal(readFileSync(join(out, 'ada.txt'), 'utf8'), 'hello ada on 1\n')
  })

  test('a placeholder without a value is an error', () => {
    assert.throws(() => fillPlaceholders('{{nope}}', {}, 'x.txt'), /x\.txt uses \{\{nope\}\}/)
  })
})
