/**
 * Acceptance (issue 3): 200 concurrent events for a command limited to 10 per minute, spread over two real
 * router processes sharing Postgres and Redis, are answered with exactly 10 successes.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { serversUnavailable } from '../helpers/backends.js'
import { exited, freeOffset, runCli, spawnCli, waitForHealth } from '../helpers/cli.js'
import { SAMPLE_MODULE, writeModule } from '../helpers/fixture-modules.js'
import { fireSplit } from '../helpers/limits.js'
import { freshPostgresUrl } from '../helpers/pg.js'

const skip = await serversUnavailable()

describe('rate limit across two router processes (Postgres + Redis)', { skip }, () => {
  let dir: string
  let drop: () => Promise<void>
  let env: NodeJS.ProcessEnv
  let key: string
  const routers: ReturnType<typeof spawnCli>[] = []
  const urls: string[] = []

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-2routers-'))
    const pg = await freshPostgresUrl()
    drop = pg.drop
    const path = writeModule(dir, 'greeter', SAMPLE_MODULE('greeter', 8100))
    writeFileSync(join(dir, 'waddlebot.yaml'), `modules:\n  greeter: {path: ${path}, port: 8100}\n`)
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
    env = {
      DATABASE_URL: pg.url,
      REDIS_URL: `redis://127.0.0.1:6379`,
      WADDLEBOT_REDIS_PREFIX: `wbtest:two-routers:${process.pid}:`,
      WADDLEBOT_SERVICE_KEY: `svc-${process.pid}`,
      WADDLEBOT_LOG_LEVEL: 'warn',
    }
    await runCli(['db', 'migrate'], { cwd: dir, env })
    const created = await runCli(['keys', 'create', 'c', '--scope', 'collector', '--json'], { cwd: dir, env })
    key = JSON.parse(created.stdout).key
    for (let i = 0; i < 2; i++) {
      const offset = await freeOffset([8000, 8100])
      const child = spawnCli(['run', 'router', 'greeter'], {
        cwd: dir,
        env: { ...env, WADDLEBOT_PORT_OFFSET: String(offset) },
      })
      routers.push(child)
      urls.push(`http://127.0.0.1:${8000 + offset}`)
      await waitForHealth(urls[i]!, 30_000, child)
    }
  })
  after(async () => {
    for (const r of routers) r.kill('SIGTERM')
    await Promise.all(routers.map((r) => exited(r).catch(() => r.kill('SIGKILL'))))
    await drop?.()
    rmSync(dir, { recursive: true, force: true })
  })

  test('exactly 10 of 200 concurrent !limited succeed, with one notice', async () => {
    const user = `u-${Date.now()}`
    const tally = await fireSplit(urls, 200, async (url) => {
      const res = await fetch(`${url}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({
          platform: 'local',
          server_id: 's',
          channel_id: 'c',
          user_id: user,
          user_name: 'Ann',
          message: '!limited',
          message_type: 'chatMessage',
        }),
      })
      const body = (await res.json()) as { outcome: string; responses: { text?: string }[] }
      if (body.outcome !== 'command' && body.outcome !== 'rate_limited')
        throw new Error(`unexpected ${JSON.stringify(body)}`)
      return {
        allowed: body.outcome === 'command',
        notice: body.outcome === 'rate_limited' ? body.responses[0]?.text : undefined,
      }
    })
    assert.equal(tally.allowed, 10)
    assert.equal(tally.refused, 190)
    assert.equal(tally.notices.length, 1)
    assert.ok(tally.perTarget.every((t) => t.sent === 100))
  })
})
