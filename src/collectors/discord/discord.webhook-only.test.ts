/** The Discord collector with only DISCORD_PUBLIC_KEY: the interactions endpoint works, chat is reported off. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { type DiscordHarness, startDiscordHarness } from '../../../test/helpers/discord-harness.js'
import { fetchHealth } from '../../runtime/health-probe.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

for (const [backend, skip] of backends) {
  describe(`discord collector without a bot token on ${backend.name}`, { skip }, () => {
    let h: DiscordHarness
    before(async () => {
      h = await startDiscordHarness(backend, { noToken: true })
    })
    after(async () => {
      await h?.close()
    })

    test('/health is 200 degraded with the reason, and the status says chat is not connected and why', async () => {
      const health = await fetch(`${h.url}/health`)
      assert.equal(health.status, 200)
      const body = (await health.json()) as {
        status: string
        module: string
        pid: number
        detail: { degraded: string }
      }
      assert.equal(body.status, 'degraded')
      assert.equal(body.module, 'discord')
      assert.equal(body.pid, process.pid)
      assert.equal(body.detail.degraded, 'chat not connected: DISCORD_BOT_TOKEN not set')
      assert.deepEqual(await fetchHealth(h.url), {
        status: 'degraded',
        detail: 'chat not connected: DISCORD_BOT_TOKEN not set',
      })
      const status = (await (await fetch(`${h.url}/discord/status`)).json()) as Record<string, unknown>
      assert.equal(status.chat, 'not connected')
      assert.equal(status.reason, 'DISCORD_BOT_TOKEN not set')
      assert.equal(status.webhook, 'ready')
      assert.equal(h.fake.gateway.sessions(), 0)
    })

    test('a signed slash command is answered through the router', async () => {
      const res = await h.interact(
        JSON.stringify(h.fake.slash({ options: [{ name: 'text', type: 3, value: 'ping' }] })),
      )
      assert.deepEqual(res.json, { type: 4, data: { content: 'pong', allowed_mentions: { parse: ['users'] } } })
    })

    test('moderation cannot be carried out without a token and is said so in the reply', async () => {
      const res = await h.interact(
        JSON.stringify(h.fake.slash({ options: [{ name: 'text', type: 3, value: 'mod timeout' }] })),
      )
      const json = res.json as { type: number; data: { content: string; flags: number } }
      assert.equal(json.type, 4)
      assert.match(json.data.content, /could not timeout/)
      assert.equal(h.fake.rest.requests.filter((r) => r.path.startsWith('/guilds/')).length, 0)
    })
  })
}

test('a DISCORD_PUBLIC_KEY that is not 64 hex characters stops start-up with a configuration error', async () => {
  await assert.rejects(
    startDiscordHarness(sqliteBackend(), { noToken: true, env: { DISCORD_PUBLIC_KEY: 'not-a-key' } }),
    /DISCORD_PUBLIC_KEY/,
  )
})

test('a token Discord refuses leaves chat not connected, /health 503 and nothing claimed', async () => {
  const h = await startDiscordHarness(sqliteBackend(), {
    expectClaims: 0,
    onFake: (fake) =>
      fake.rest.override((r) =>
        r.path === '/gateway/bot' ? { status: 401, body: { message: '401: Unauthorized', code: 0 } } : undefined,
      ),
  })
  try {
    await h.fake.rest.waitFor((r) => r.path === '/gateway/bot')
    const status = async () => (await (await fetch(`${h.url}/discord/status`)).json()) as Record<string, unknown>
    // "connecting" until the refused login has been handled.
    for (let i = 0; i < 400 && (await status()).chat !== 'not connected'; i++)
      await new Promise((r) => setTimeout(r, 25))
    assert.equal((await status()).chat, 'not connected')
    assert.deepEqual((await status()).claims, [])
    assert.equal((await fetch(`${h.url}/health`)).status, 503)
    assert.equal(h.fake.gateway.sessions(), 0)
  } finally {
    await h.close()
  }
})
