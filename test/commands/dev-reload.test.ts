/**
 * `waddlebot dev` (real processes, SQLite): a saved module is reloaded in place, the Twitch chat connection
 * stays up (the fake IRC server sees no second connection), a broken edit keeps the previous version
 * answering and prints the file and line, and `waddlebot module reload` (or `!reload` from an admin in chat) does the same on demand.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  type FakeEventSubWs,
  type FakeHelix,
  type FakeTwitchIrc,
  startFakeEventSubWs,
  startFakeHelix,
  startFakeTwitchIrc,
} from '../fakes/twitch/index.js'
import { exited, freeOffset, runCli, spawnCli, waitForHealth } from '../helpers/cli.js'
import { BOT, CLIENT_ID, EVENTSUB_SECRET, TOKEN } from '../helpers/twitch-harness.js'

const INDEX = `import { reply } from './words.js'
export default {
  name: 'greeter', version: '1.0.0', kind: 'interaction', summary: 'Greets', port: 8100,
  commands: [{ name: 'greet', summary: 'Greets you', run: (ctx: { request: { user: { name: string } } }) => reply(ctx.request.user.name) }],
}
`
const words = (word: string) => `export const reply = (name: string): string => \`${word}, \${name}!\`\n`

/** Polls `check` until it returns a truthy value; a generous ceiling, not a timing assertion. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('waddlebot dev', () => {
  let dir: string
  let env: NodeJS.ProcessEnv
  let bot: ReturnType<typeof spawnCli>
  let irc: FakeTwitchIrc
  let helix: FakeHelix
  let eventSub: FakeEventSubWs
  const mod = () => join(dir, 'modules/greeter')
  const chat = async (line: string) =>
    (await runCli(['chat', '--user', 'Ann'], { cwd: dir, env, input: `${line}\n` })).stdout.trim()
  const reloads = () => bot.output().match(/reloaded greeter \(!greet\)/g)?.length ?? 0
  const connections = () => new Set(irc.lines.filter((l) => l.command === 'NICK').map((l) => l.conn))

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-dev-'))
    irc = await startFakeTwitchIrc()
    eventSub = await startFakeEventSubWs()
    helix = await startFakeHelix({ clientId: CLIENT_ID, token: TOKEN, eventSub })
    const offset = await freeOffset([8000, 8002, 8100])
    env = {
      WADDLEBOT_PORT_OFFSET: String(offset),
      DATABASE_URL: '',
      REDIS_URL: '',
      WADDLEBOT_SERVICE_KEY: '',
      WADDLEBOT_LOG_LEVEL: 'warn',
      TWITCH_BOT_USERNAME: BOT,
      TWITCH_BOT_TOKEN: TOKEN,
      TWITCH_CLIENT_ID: CLIENT_ID,
      TWITCH_EVENTSUB_SECRET: EVENTSUB_SECRET,
      TWITCH_IRC_URL: irc.url,
      TWITCH_API_URL: helix.url,
      TWITCH_AUTH_URL: helix.authUrl,
      TWITCH_EVENTSUB_WS_URL: eventSub.url,
      TWITCH_CHANNELS: 'devchan',
      WADDLEBOT_TWITCH_JOIN_INTERVAL_MS: '0',
    }
    mkdirSync(mod(), { recursive: true })
    writeFileSync(join(mod(), 'package.json'), '{"type":"module"}\n')
    writeFileSync(join(mod(), 'index.ts'), INDEX)
    writeFileSync(join(mod(), 'words.ts'), words('Hello'))
    writeFileSync(
      join(dir, 'waddlebot.yaml'),
      'twitch:\n  enabled: true\nmodules:\n  greeter: {path: ./modules/greeter, port: 8100}\n',
    )
    bot = spawnCli(['dev'], { cwd: dir, env })
    await waitForHealth(`http://127.0.0.1:${8000 + offset}`, 60_000, bot)
    await until('the bot to join #devchan', () => irc.joined(BOT).has('devchan'))
  })
  after(async () => {
    bot?.kill('SIGTERM')
    if (bot) await exited(bot)
    await Promise.allSettled([irc?.close(), helix?.close(), eventSub?.close()])
    rmSync(dir, { recursive: true, force: true })
  })

  test('a saved edit changes the answer in waddlebot chat; the Twitch connection stays up', async () => {
    assert.match(bot.output(), /Watching greeter and waddlebot\.yaml/)
    assert.equal(await chat('!greet'), 'Hello, Ann!')
    const before = connections()
    assert.equal(before.size, 1)
    writeFileSync(join(mod(), 'words.ts'), words('Howdy')) // a file the module imports, not only index.ts
    await until('the reload', () => reloads() === 1)
    assert.equal(await chat('!greet'), 'Howdy, Ann!')
    assert.deepEqual(connections(), before, 'no second IRC connection: the chat was not dropped')
    assert.ok(irc.joined(BOT).has('devchan'))
  })

  test('a broken edit keeps the previous version answering and names the file and line', async () => {
    writeFileSync(join(mod(), 'index.ts'), INDEX.replace("name: 'greeter',", "name: 'greeter',,\n  oops"))
    const line = await until(
      'the reload error',
      () => bot.output().match(/error WB_MODULE_RELOAD_FAILED: module greeter was not reloaded: .*/)?.[0],
    )
    assert.match(line, /modules\/greeter\/index\.ts:\d+/)
    assert.equal(await chat('!greet'), 'Howdy, Ann!')
    const onDemand = await runCli(['module', 'reload', 'greeter'], { cwd: dir, env })
    assert.equal(onDemand.code, 1)
    assert.match(onDemand.stderr, /^error WB_MODULE_RELOAD_FAILED: module greeter was not reloaded: .*index\.ts:\d+/)
  })

  test('waddlebot module reload reloads on demand; a built-in module is refused in one line', async () => {
    writeFileSync(join(mod(), 'index.ts'), INDEX)
    await until('the fixed version', () => reloads() === 2)
    const ok = await runCli(['module', 'reload', 'greeter'], { cwd: dir, env })
    assert.equal(ok.code, 0, ok.stderr)
    assert.equal(ok.stdout.trim(), 'Reloaded greeter (!greet)')
    const admin = await runCli(['chat', '--user', 'Boss', '--role', 'admin'], {
      cwd: dir,
      env,
      input: '!reload greeter\n',
    })
    assert.equal(admin.stdout.trim(), 'Reloaded greeter (!greet).')
    assert.match(await chat('!reload greeter'), /admin/i, 'a viewer is refused')
    const builtin = await runCli(['module', 'reload', 'router'], { cwd: dir, env })
    assert.equal(builtin.code, 1)
    assert.match(
      builtin.stderr,
      /^error WB_MODULE_RELOAD_FAILED: module router was not reloaded: it is a built-in module/,
    )
    assert.equal(builtin.stderr.trim().split('\n').length, 1)
    assert.deepEqual(connections().size, 1)
  })

  test('a changed modules.<name> entry of waddlebot.yaml reloads that module with its new config', async () => {
    const count = reloads()
    writeFileSync(
      join(dir, 'waddlebot.yaml'),
      'twitch:\n  enabled: true\nmodules:\n  greeter: {path: ./modules/greeter, port: 8100, style: warm}\n',
    )
    await until('the config reload', () => reloads() === count + 1)
    assert.deepEqual(connections().size, 1)
  })
})
