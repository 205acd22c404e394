import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, test } from 'node:test'
import { loadSettings } from '../../src/runtime/config.js'
import { WaddleError } from '../../src/runtime/errors.js'

let dir: string
const project = (yaml?: string, dotenv?: string) => {
  dir = mkdtempSync(join(tmpdir(), 'wb-cfg-'))
  if (yaml !== undefined) writeFileSync(join(dir, 'waddlebot.yaml'), yaml)
  if (dotenv !== undefined) writeFileSync(join(dir, '.env'), dotenv)
  return dir
}
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const failsWith = (fn: () => unknown, code: string, pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof WaddleError && e.code === code && pattern.test(e.message))

describe('loadSettings', () => {
  test('no file: sane defaults, SQLite under data/, keys required, in-process cache', () => {
    const s = loadSettings({ cwd: project(), env: {} })
    assert.equal(s.configFile, undefined)
    assert.equal(s.database.url, `sqlite:${join(dir, 'data', 'waddlebot.db')}`)
    assert.equal(s.redisUrl, undefined)
    assert.equal(s.requireKeys, true)
    assert.equal(s.bind, '127.0.0.1')
    assert.equal(s.portOffset, 0)
  })

  test('environment overrides the file; empty variables count as unset', () => {
    const cwd = project('database: {url: "sqlite:./other.db"}\nauth: {require_keys: true}\n')
    const s = loadSettings({
      cwd,
      env: {
        DATABASE_URL: 'postgres://db/x',
        REDIS_URL: 'redis://r:6379',
        WADDLEBOT_PORT_OFFSET: '100',
        WADDLEBOT_REQUIRE_KEYS: 'false',
      },
    })
    assert.equal(s.database.url, 'postgres://db/x')
    assert.equal(s.redisUrl, 'redis://r:6379')
    assert.equal(s.portOffset, 100)
    assert.equal(s.requireKeys, false)
    const e = loadSettings({ cwd, env: { DATABASE_URL: '', REDIS_URL: '' } })
    assert.equal(e.database.url, `sqlite:${join(dir, 'other.db')}`)
    assert.equal(e.redisUrl, undefined)
  })

  test('log.format defaults to auto, set in the file or by WADDLEBOT_LOG_FORMAT; a wrong value names the variable', () => {
    assert.equal(loadSettings({ cwd: project('log: {level: info}\n'), env: {} }).logFormat, 'auto')
    const cwd = project('log: {format: json}\n')
    assert.equal(loadSettings({ cwd, env: {} }).logFormat, 'json')
    assert.equal(loadSettings({ cwd, env: { WADDLEBOT_LOG_FORMAT: 'pretty' } }).logFormat, 'pretty')
    failsWith(
      () => loadSettings({ cwd, env: { WADDLEBOT_LOG_FORMAT: 'fancy' } }),
      'WB_CONFIG_INVALID',
      /WADDLEBOT_LOG_FORMAT/,
    )
    failsWith(
      () => loadSettings({ cwd: project('log: {format: fancy}\n'), env: {} }),
      'WB_CONFIG_INVALID',
      /log\.format/,
    )
  })

  test('redis.prefix defaults to wb:, set in the file or by WADDLEBOT_REDIS_PREFIX', () => {
    assert.equal(loadSettings({ cwd: project('log: {level: info}\n'), env: {} }).redisPrefix, 'wb:')
    const cwd = project('redis: {prefix: "bot1:"}\n')
    assert.equal(loadSettings({ cwd, env: {} }).redisPrefix, 'bot1:')
    assert.equal(loadSettings({ cwd, env: { WADDLEBOT_REDIS_PREFIX: 'bot2:' } }).redisPrefix, 'bot2:')
  })

  test('WADDLEBOT_<MODULE>_<KEY> lands in modules.<module>.<key>, typed', () => {
    const s = loadSettings({
      cwd: project('modules:\n  my-mod: {path: ./modules/my-mod}\n'),
      env: {
        WADDLEBOT_ROUTER_DEFAULT_TIMEOUT: '3000',
        WADDLEBOT_MY_MOD_GREETING: 'hey',
        WADDLEBOT_YOUTUBE_MUSIC_MAX_QUEUE: '20',
        WADDLEBOT_PORT_OFFSET: '5',
      },
    })
    assert.equal(s.modules.router?.default_timeout, 3000)
    assert.equal(s.modules['my-mod']?.greeting, 'hey')
    assert.equal(s.modules['youtube-music']?.max_queue, 20)
    assert.equal(s.modules.port, undefined)
  })

  test('.env is loaded without overriding the real environment', () => {
    const env: NodeJS.ProcessEnv = { REDIS_URL: 'redis://real:1' }
    const s = loadSettings({
      cwd: project(undefined, 'REDIS_URL=redis://dotenv:2\nDISCORD_BOT_TOKEN="abc"\n# comment\n'),
      env,
    })
    assert.equal(s.redisUrl, 'redis://real:1')
    assert.equal(env.DISCORD_BOT_TOKEN, 'abc')
  })

  test('an invalid value names its key', () => {
    const cwd = project('auth:\n  require_keys: maybe\n')
    failsWith(() => loadSettings({ cwd, env: {} }), 'WB_CONFIG_INVALID', /at auth\.require_keys:/)
  })

  test('an unknown key names itself, also nested', () => {
    failsWith(() => loadSettings({ cwd: project('databse: {}\n'), env: {} }), 'WB_CONFIG_INVALID', /at databse:/)
    rmSync(dir, { recursive: true, force: true })
    failsWith(
      () => loadSettings({ cwd: project('database: {uri: x}\n'), env: {} }),
      'WB_CONFIG_INVALID',
      /at database\.uri:/,
    )
  })

  test('YAML syntax errors name the line', () => {
    failsWith(() => loadSettings({ cwd: project('auth: [\n'), env: {} }), 'WB_CONFIG_INVALID', /line \d+/)
  })

  test('secrets in the file are refused', () => {
    failsWith(
      () => loadSettings({ cwd: project('twitch:\n  bot_token: oauth:abc\n'), env: {} }),
      'WB_CONFIG_SECRET_IN_FILE',
      /twitch\.bot_token/,
    )
  })

  test('an explicit config path that does not exist is an error', () => {
    failsWith(
      () => loadSettings({ cwd: project(), configPath: 'nope.yaml', env: {} }),
      'WB_CONFIG_NOT_FOUND',
      /nope\.yaml/,
    )
  })

  test('a garbage port offset is refused', () => {
    assert.throws(
      () => loadSettings({ cwd: project(), env: { WADDLEBOT_PORT_OFFSET: 'abc' } }),
      /WADDLEBOT_PORT_OFFSET/,
    )
  })
})
