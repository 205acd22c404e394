/**
 * Acceptance, Socket Mode: the REAL @slack/bolt SocketModeReceiver (apps.connections.open + WebSocket on the
 * fake) with a real router, on SQLite + in-process and Postgres + Redis.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { messageEvent, slashCommand } from '../../../test/fakes/slack/events.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { type SlackFixture, startSlackFixture } from '../../../test/helpers/slack-harness.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

for (const [backend, skip] of backends) {
  describe(`slack collector over Socket Mode on ${backend.name}`, { skip }, () => {
    let f: SlackFixture
    const newPong = (from: number, channel: string) =>
      f.fake.waitFor(
        'chat.postMessage',
        (c) => f.fake.calls.indexOf(c) >= from && c.params.channel === channel && c.params.text === 'pong',
      )

    before(async () => {
      f = await startSlackFixture(backend, { socketMode: true, signingSecret: false })
    })
    after(async () => {
      await f?.close()
    })

    test('the app opened its connection with the app token and bolt verified the bot token', async () => {
      await f.fake.socket.connected()
      const open = f.fake.callsOf('apps.connections.open')
      assert.ok(open.length >= 1)
      assert.equal(open[0]!.token, 'xapp-fake')
      assert.equal(f.fake.callsOf('auth.test')[0]!.token, 'xoxb-fake')
      assert.equal(f.handle.status().chat, 'connected')
    })

    test("a viewer's !ping over the socket reaches the router and pong arrives as chat.postMessage", async () => {
      const from = f.fake.calls.length
      const body = messageEvent({ channel: 'C1', text: '!ping' })
      const ack = await f.fake.socket.send('events_api', body)
      assert.deepEqual(ack, {})
      await newPong(from, 'C1')
      assert.equal(f.forwarded.filter((e) => e.metadata?.event_id === body.event_id).length, 1)
      assert.ok(f.routerSeen.some((r) => r.channel_id === 'C1' && r.message_type === 'chatMessage'))
    })

    test('a redelivered envelope with the same event_id is processed once', async () => {
      const body = messageEvent({ channel: 'C1', text: '!ping' })
      const from = f.fake.calls.length
      await f.fake.socket.send('events_api', body)
      await f.fake.socket.send('events_api', body, { retry_attempt: 1, retry_reason: 'timeout' })
      await f.duplicateSeen(String(body.event_id))
      await newPong(from, 'C1')
      assert.equal(f.forwarded.filter((e) => e.metadata?.event_id === body.event_id).length, 1)
    })

    test('slash command over the socket: the ack payload carries pong', async () => {
      const ack = await f.fake.socket.send('slash_commands', slashCommand({ channel: 'C1', text: 'ping' }))
      assert.deepEqual(ack, { response_type: 'in_channel', text: 'pong' })
    })

    test('the HTTP routes refuse everything when no signing secret is set', async () => {
      const res = await fetch(`${f.url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(messageEvent({ text: '!ping' })),
      })
      assert.equal(res.status, 503)
      assert.equal((await res.json()).error.code, 'WB_WEBHOOK_NOT_CONFIGURED')
    })
  })
}
