import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { exited, freeOffset, runCli, spawnCli, waitForHealth } from '../helpers/cli.js'
import { writeModule } from '../helpers/fixture-modules.js'

describe('waddlebot start, chat and keys (real processes, SQLite)', () => {
  let dir: string
  let offset: number
  let url: string
  let bot: ReturnType<typeof spawnCli>
  let env: NodeJS.ProcessEnv

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-start-'))
    offset = await freeOffset()
    url = `http://127.0.0.1:${8000 + offset}`
    env = { WADDLEBOT_PORT_OFFSET: String(offset), DATABASE_URL: '', REDIS_URL: '', WADDLEBOT_SERVICE_KEY: '' }
    bot = spawnCli(['start'], { cwd: dir, env })
    await waitForHealth(url, 30_000, bot)
  })
  after(async () => {
    bot?.kill('SIGTERM')
    if (bot) await exited(bot)
    rmSync(dir, { recursive: true, force: true })
  })

  test('start with no config answers /health and uses data/waddlebot.db', async () => {
    const res = await fetch(`${url}/health`)
    const { pid, ...health } = (await res.json()) as { pid: unknown }
    assert.deepEqual(health, { status: 'ok', module: 'router', version: '0.1.0' })
    assert.equal(typeof pid, 'number', 'the answer names the process (CONTRACT §9)')
    assert.match(bot.output(), /sqlite .*data\/waddlebot\.db/)
  })

  test('collectors without tokens are degraded, with the reason, in status, status --json and doctor', async () => {
    const json = await runCli(['status', '--json'], { cwd: dir, env })
    assert.equal(json.code, 7, json.stderr)
    const report = JSON.parse(json.stdout) as { modules: { name: string; status: string; detail?: string }[] }
    const twitch = report.modules.find((m) => m.name === 'twitch')
    assert.equal(twitch?.status, 'degraded')
    assert.match(twitch?.detail ?? '', /^chat not connected: TWITCH_BOT_USERNAME, TWITCH_BOT_TOKEN not set$/)
    assert.equal(report.modules.find((m) => m.name === 'router')?.status, 'ok')
    const table = await runCli(['status'], { cwd: dir, env })
    assert.match(table.stdout, /^twitch +\d+ +degraded .*chat not connected/m)
    assert.match(
      table.stderr,
      /^error WB_MODULE_DOWN: .*twitch \(degraded: chat not connected.*a degraded one says why/m,
    )
    const doctor = await runCli(['doctor'], { cwd: dir, env })
    assert.match(doctor.stdout, /^! port \d+ +twitch: running here, degraded: chat not connected: TWITCH_BOT_USERNAME/m)
    assert.doesNotMatch(doctor.stdout, /in use by another program/)
  })

  test('piped chat prints pong and the command list', async () => {
    const r = await runCli(['chat'], { cwd: dir, env, input: '!ping\n!help\n' })
    assert.equal(r.code, 0, r.stderr)
    const [pong, help, ...rest] = r.stdout.trim().split('\n')
    assert.equal(pong, 'pong')
    assert.match(help!, /^Commands: (!\w+(, |$))+/)
    for (const c of ['!commands', '!help', '!ping']) assert.ok(help!.includes(c), help)
    assert.deepEqual(rest, [])
  })

  test('keys create --json gives a collector key that the events API accepts; no key → 401', async () => {
    const created = await runCli(['keys', 'create', 'x', '--scope', 'collector', '--json'], { cwd: dir, env })
    assert.equal(created.code, 0, created.stderr)
    const { key, id, scope } = JSON.parse(created.stdout)
    assert.equal(scope, 'collector')
    const body = {
      platform: 'local',
      server_id: 's',
      channel_id: 'c',
      user_id: 'u',
      user_name: 'Ann',
      message: '!ping',
      message_type: 'chatMessage',
    }
    const post = (headers: Record<string, string>, payload: unknown = body) =>
      fetch(`${url}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(payload),
      })
    const ok = await post({ 'x-api-key': key })
    assert.equal(ok.status, 200)
    assert.deepEqual((await ok.json()).responses[0], { type: 'chat', text: 'pong' })
    assert.equal((await post({})).status, 401)
    const { user_id: _u, ...missing } = body
    const bad = await post({ 'x-api-key': key }, missing)
    assert.equal(bad.status, 400)
    assert.equal((await bad.json()).error.field, 'user_id')
    const big = await post({ 'x-api-key': key }, { ...body, message: 'x'.repeat(100 * 1024) })
    assert.equal(big.status, 413)

    const listed = await runCli(['keys', 'list', '--json'], { cwd: dir, env })
    const keys = JSON.parse(listed.stdout)
    assert.ok(keys.some((k: { id: string }) => k.id === id))
    assert.ok(!listed.stdout.includes(key), 'list never shows the key')
    const revoked = await runCli(['keys', 'revoke', id], { cwd: dir, env })
    assert.equal(revoked.code, 0, revoked.stderr)
    assert.equal((await post({ 'x-api-key': key })).status, 401)
    const again = await runCli(['keys', 'revoke', id], { cwd: dir, env })
    assert.notEqual(again.code, 0)
    assert.match(again.stderr, /^error WB_KEY_REVOKED: API key \S+ was already revoked at .+\n$/)
    const table = (await runCli(['keys', 'list'], { cwd: dir, env })).stdout.split('\n')
    assert.match(table[0]!, /^ID +SCOPE +NAME +PREFIX +STATE$/)
    assert.ok(
      table.some((line) => line.startsWith(id) && /revoked \d{4}-/.test(line)),
      table.join('\n'),
    )
  })

  test('a second start on the same ports fails naming the port and the module', async () => {
    const r = await runCli(['start'], { cwd: dir, env })
    assert.notEqual(r.code, 0)
    assert.match(
      r.stderr,
      new RegExp(`error WB_PORT_IN_USE: port ${8000 + offset} for module router is already in use`),
    )
  })

  test('run router serves only the router', async () => {
    const other = await freeOffset()
    const runDir = mkdtempSync(join(tmpdir(), 'wb-run-'))
    const child = spawnCli(['run', 'router'], { cwd: runDir, env: { ...env, WADDLEBOT_PORT_OFFSET: String(other) } })
    try {
      await waitForHealth(`http://127.0.0.1:${8000 + other}`, 30_000, child)
      assert.match(child.output(), /router +http/)
      const lines = child
        .output()
        .split('\n')
        .filter((l) => /^ {2}\S/.test(l))
      assert.equal(lines.length, 1, child.output())
    } finally {
      child.kill('SIGTERM')
      assert.equal(await exited(child), 0)
      rmSync(runDir, { recursive: true, force: true })
    }
    const unknown = await runCli(['run', 'nosuch'], { cwd: dir, env })
    assert.match(unknown.stderr, /WB_MODULE_UNKNOWN/)
  })
})

describe('stop', () => {
  test('SIGTERM with a library timer left running (as tmi.js leaves its reconnect timer): the process still exits, 0', async () => {
    const offset = await freeOffset([8000, 8100])
    const dir = mkdtempSync(join(tmpdir(), 'wb-stop-'))
    const mod = writeModule(
      dir,
      'lingerer',
      `export default { name: 'lingerer', version: '1.0.0', kind: 'interaction', summary: 'keeps a timer', port: 8100,
        commands: [], setup: () => { setInterval(() => {}, 60000) } }`,
    )
    writeFileSync(join(dir, 'waddlebot.yaml'), `modules:\n  lingerer: {path: ${mod}, port: 8100}\n`)
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n')
    const env = { WADDLEBOT_PORT_OFFSET: String(offset), DATABASE_URL: '', REDIS_URL: '', WADDLEBOT_SERVICE_KEY: '' }
    const child = spawnCli(['run', 'router', 'lingerer'], { cwd: dir, env })
    try {
      await waitForHealth(`http://127.0.0.1:${8100 + offset}`, 30_000, child)
      child.kill('SIGTERM')
      // A generous ceiling, not a deadline (the process exits 500 ms after a clean stop at the latest).
      assert.equal(await exited(child, 15_000), 0, child.output())
      assert.match(child.output(), /stopping/)
    } finally {
      child.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('configuration errors stop start-up with a one-line reason', () => {
  test('an invalid waddlebot.yaml names the bad key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-badcfg-'))
    try {
      writeFileSync(join(dir, 'waddlebot.yaml'), 'auth:\n  require_keys: maybe\n')
      const r = await runCli(['start'], { cwd: dir })
      assert.equal(r.code, 2)
      assert.match(r.stderr, /^error WB_CONFIG_INVALID: invalid configuration at auth\.require_keys: .*\n$/)
      writeFileSync(join(dir, 'waddlebot.yaml'), 'databse:\n  url: sqlite:x.db\n')
      const typo = await runCli(['start'], { cwd: dir })
      assert.match(typo.stderr, /invalid configuration at databse/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
