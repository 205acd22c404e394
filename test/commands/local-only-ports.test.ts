/**
 * `enabled` means enabled: a project made by `init --yes` (the local console only) starts a process that
 * listens on the router and the modules it enables, and on nothing else; the Twitch, Discord and Slack
 * collectors (switched off in its waddlebot.yaml) neither start nor bind. The listening sockets are read
 * the way `ss -ltnp` does: the process's socket inodes (/proc/<pid>/fd) looked up in /proc/net/tcp{,6}.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { loadSettings } from '../../src/runtime/config.js'
import { createRegistry } from '../../src/runtime/registry.js'
import { exited, freeOffset, runCli, spawnCli, waitForHealth } from '../helpers/cli.js'
import { builtinCatalog } from '../../src/modules/catalog.js'

const root = mkdtempSync(join(tmpdir(), 'wb-local-only-'))
after(() => rmSync(root, { recursive: true, force: true }))

/** TCP ports `pid` listens on (IPv4 and IPv6). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (m) inodes.add(m[1]!)
    } catch {}
  }
  const ports = new Set<number>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols[3] === '0A' && inodes.has(cols[9]!)) ports.add(Number.parseInt(cols[1]!.split(':').pop()!, 16))
    }
  }
  return [...ports].sort((a, b) => a - b)
}

test('a local-only project binds only the router and the modules it enables', {
  skip: process.platform !== 'linux' && 'reads /proc',
  timeout: 120_000,
}, async () => {
  const offset = await freeOffset([8000, 8002, 8003, 8004, 8027])
  const env = {
    WADDLEBOT_PORT_OFFSET: String(offset),
    DATABASE_URL: '',
    REDIS_URL: '',
    WADDLEBOT_SERVICE_KEY: '',
    WADDLEBOT_CONFIG: '',
  }
  const init = await runCli(['init', 'bot', '--yes'], { cwd: root, env })
  assert.equal(init.code, 0, init.stderr)
  const project = join(root, 'bot')

  const settings = loadSettings({
    configPath: join(project, 'waddlebot.yaml'),
    env: { WADDLEBOT_PORT_OFFSET: String(offset) },
  })
  const registry = createRegistry(settings, builtinCatalog)
  const collectors = registry.entries.filter((e) => e.kind === 'collector')
  assert.deepEqual(
    collectors.map((e) => [e.name, e.enabled]),
    [
      ['twitch', false],
      ['discord', false],
      ['slack', false],
    ],
  )
  const expected = registry
    .runnable()
    .filter((e) => e.port > 0)
    .map((e) => registry.portOf(e.name))
    .sort((a, b) => a - b)
  assert.ok(expected.includes(8000 + offset), 'the router is expected')

  const bot = spawnCli(['start'], { cwd: project, env })
  try {
    await waitForHealth(`http://127.0.0.1:${8000 + offset}`, 60_000, bot)
    const ports = listeningPorts(bot.pid!)
    assert.deepEqual(ports, expected, bot.output())
    for (const p of [8002, 8003, 8004]) assert.ok(!ports.includes(p + offset), `collector port ${p} is not bound`)
    assert.doesNotMatch(bot.output(), /"module":"(twitch|discord|slack)"/, 'no collector logs a line')
  } finally {
    bot.kill('SIGTERM')
    await exited(bot)
  }
})

test('local.enabled: false: `waddlebot chat` refuses with one coded line', async () => {
  const dir = join(root, 'no-local')
  const init = await runCli(['init', dir, '--yes', '--platforms', 'twitch'], { cwd: root })
  assert.equal(init.code, 0, init.stderr)
  const chat = await runCli(['chat'], { cwd: dir, env: { WADDLEBOT_CONFIG: '' }, input: '!ping\n' })
  assert.equal(chat.code, 2)
  assert.match(
    chat.stderr,
    /^error WB_PLATFORM_DISABLED: the local platform is switched off \(local\.enabled: false in .*waddlebot\.yaml\) \(set local\.enabled: true/,
  )
})
