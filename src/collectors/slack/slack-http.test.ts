/**
 * Acceptance, Events API over HTTP: the REAL @slack/bolt (fed by the module's fastify routes on its own
 * port) against the fake Slack Web API, with a real router, on SQLite + in-process and Postgres + Redis.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { messageEvent, postSigned, signSlackRequest, slashCommand } from '../../../test/fakes/slack/events.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { type SlackFixture, SIGNING_SECRET, startSlackFixture } from '../../../test/helpers/slack-harness.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

for (const [backend, skip] of backends) {
  describe(`slack collector over HTTP on ${backend.name}`, { skip }, () => {
    let f: SlackFixture
    const events = () => `${f.url}/slack/events`
    /** Sends a signed `!ping` marker in C2 and waits for its pong: everything dispatched before it is done. */
    const settle = async () => {
      const from = f.fake.calls.length
      const marker = messageEvent({ channel: 'C2', text: '!ping' })
      assert.equal((await postSigned(events(), SIGNING_SECRET, marker)).status, 200)
      await f.fake.waitFor(
        'chat.postMessage',
        (c) => f.fake.calls.indexOf(c) >= from && c.params.channel === 'C2' && c.params.text === 'pong',
      )
    }
    const forwardedWith = (eventId: string) => f.forwarded.filter((e) => e.metadata?.event_id === eventId)

    before(async () => {
      f = await startSlackFixture(backend)
    })
    after(async () => {
      await f?.close()
    })

    test('bolt verified the token with auth.test at start, and the configured channels were claimed', () => {
      assert.ok(f.fake.callsOf('auth.test').length >= 1)
      assert.equal(f.fake.callsOf('auth.test')[0]!.token, 'xoxb-fake')
      assert.deepEqual([...f.handle.status().claims].sort(), ['slack:T1:C1', 'slack:T1:C2'])
      assert.equal(f.handle.status().chat, 'connected')
      assert.equal(f.handle.status().webhook, 'ready')
      assert.deepEqual(
        f.handle.queue.budgetOf('C1'),
        { limit: 1, windowMs: 1000 },
        'about one message per second per channel',
      )
    })

    test('url_verification is answered with the challenge', async () => {
      const res = await postSigned(events(), SIGNING_SECRET, {
        type: 'url_verification',
        token: 'x',
        challenge: 'chal-123',
      })
      assert.equal(res.status, 200)
      assert.deepEqual(JSON.parse(res.body), { challenge: 'chal-123' })
    })

    test("a viewer's !ping reaches the router and pong arrives at the fake Web API as chat.postMessage", async () => {
      const body = messageEvent({ channel: 'C1', user: 'U42', text: '!ping' })
      const res = await postSigned(events(), SIGNING_SECRET, body)
      assert.equal(res.status, 200)
      const call = await f.fake.waitFor(
        'chat.postMessage',
        (c) => c.params.text === 'pong' && c.params.channel === 'C1',
      )
      assert.equal(call.token, 'xoxb-fake')
      assert.equal(call.params.thread_ts, undefined)
      const sent = forwardedWith(String(body.event_id))
      assert.equal(sent.length, 1)
      assert.equal(sent[0]!.entity_id, 'slack:T1:C1')
      assert.equal(sent[0]!.user_id, 'U42')
      assert.equal(sent[0]!.user_name, 'u42', 'the name comes from users.info')
      assert.equal(sent[0]!.message_id, (body.event as { ts: string }).ts)
      assert.ok(f.routerSeen.some((r) => r.channel_id === 'C1' && r.message_type === 'chatMessage'))
    })

    test('a message in a thread is answered in that thread', async () => {
      await postSigned(
        events(),
        SIGNING_SECRET,
        messageEvent({ channel: 'C1', text: '!ping', thread_ts: '1699999999.000100' }),
      )
      const call = await f.fake.waitFor('chat.postMessage', (c) => c.params.thread_ts === '1699999999.000100')
      assert.equal(call.params.text, 'pong')
    })

    test('users.info is asked once per user; later events use the cached name', async () => {
      await settle()
      await settle()
      assert.equal(f.fake.callsOf('users.info').filter((c) => c.params.user === 'U123').length, 1)
      assert.ok(f.forwarded.filter((e) => e.user_id === 'U123').every((e) => e.user_name === 'u123'))
    })

    test('a forged signature → 401 and nothing reaches the router', async () => {
      const body = messageEvent({ channel: 'C1', text: '!ping' })
      const res = await postSigned(events(), 'not-the-secret', body)
      assert.equal(res.status, 401)
      assert.equal(JSON.parse(res.body).error.code, 'WB_WEBHOOK_SIGNATURE_INVALID')
      const tampered = JSON.stringify(body)
      const headers = signSlackRequest(SIGNING_SECRET, tampered)
      const res2 = await fetch(events(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: tampered.replace('!ping', '!pong'),
      })
      assert.equal(res2.status, 401)
      await settle()
      assert.equal(forwardedWith(String(body.event_id)).length, 0)
    })

    test('a replayed old timestamp (> 5 min) → 401 and nothing reaches the router', async () => {
      const body = messageEvent({ channel: 'C1', text: '!ping' })
      const res = await postSigned(events(), SIGNING_SECRET, body, {
        timestampSec: Math.floor(Date.now() / 1000) - 6 * 60,
      })
      assert.equal(res.status, 401)
      assert.match(JSON.parse(res.body).error.message, /stale_timestamp/)
      await settle()
      assert.equal(forwardedWith(String(body.event_id)).length, 0)
    })

    test('missing signature headers → 401', async () => {
      const res = await fetch(events(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(messageEvent({ text: '!ping' })),
      })
      assert.equal(res.status, 401)
    })

    test('a duplicate event_id (a Slack retry) is acknowledged and processed once', async () => {
      const body = messageEvent({ channel: 'C1', text: '!ping' })
      const before = f.routerSeen.length
      assert.equal((await postSigned(events(), SIGNING_SECRET, body)).status, 200)
      const retry = await postSigned(events(), SIGNING_SECRET, body, {
        headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
      })
      assert.equal(retry.status, 200)
      await f.duplicateSeen(String(body.event_id))
      await settle()
      assert.equal(forwardedWith(String(body.event_id)).length, 1)
      // The router processed exactly two events since: the original and the settle marker.
      assert.equal(f.routerSeen.length - before, 2)
    })

    test('events in a channel this process has not claimed are ignored', async () => {
      const body = messageEvent({ channel: 'C9', text: '!ping' })
      assert.equal((await postSigned(events(), SIGNING_SECRET, body)).status, 200)
      await settle()
      assert.equal(forwardedWith(String(body.event_id)).length, 0)
      assert.equal(f.fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'C9').length, 0)
    })

    test('the bot’s own messages and edits are not forwarded', async () => {
      const own = messageEvent({ channel: 'C1', text: '!ping' })
      ;(own.event as Record<string, unknown>).bot_id = 'BBOT'
      const edit = messageEvent({ channel: 'C1', text: '!ping' })
      ;(edit.event as Record<string, unknown>).subtype = 'message_changed'
      await postSigned(events(), SIGNING_SECRET, own)
      await postSigned(events(), SIGNING_SECRET, edit)
      await settle()
      assert.equal(forwardedWith(String(own.event_id)).length + forwardedWith(String(edit.event_id)).length, 0)
    })

    test('slash command /waddlebot ping → the ack carries pong (in channel)', async () => {
      const res = await postSigned(
        `${f.url}/slack/commands`,
        SIGNING_SECRET,
        slashCommand({ channel: 'C1', text: 'ping' }),
        { form: 'form' },
      )
      assert.equal(res.status, 200)
      assert.deepEqual(JSON.parse(res.body), { response_type: 'in_channel', text: 'pong' })
      assert.ok(f.forwarded.some((e) => e.message_type === 'slashCommand' && e.message === '!ping'))
    })

    test('slash command with a forged signature → 401 and not forwarded', async () => {
      const body = slashCommand({ channel: 'C1', text: 'whisper' })
      const res = await postSigned(`${f.url}/slack/commands`, 'wrong', body, { form: 'form' })
      assert.equal(res.status, 401)
      await settle()
      assert.equal(f.forwarded.filter((e) => e.message_id === body.trigger_id).length, 0)
    })

    test('a replayed signed slash command or interaction is acknowledged but forwarded once', async () => {
      const ts = Math.floor(Date.now() / 1000)
      const body = slashCommand({ channel: 'C1', text: 'ping' })
      const first = await postSigned(`${f.url}/slack/commands`, SIGNING_SECRET, body, {
        form: 'form',
        timestampSec: ts,
      })
      const again = await postSigned(`${f.url}/slack/commands`, SIGNING_SECRET, body, {
        form: 'form',
        timestampSec: ts,
      })
      assert.equal(first.status, 200)
      assert.deepEqual(JSON.parse(first.body), { response_type: 'in_channel', text: 'pong' })
      assert.equal(again.status, 200)
      assert.equal(again.body, '')
      await settle()
      assert.equal(f.forwarded.filter((e) => e.message_id === body.trigger_id).length, 1)
      const payload = {
        type: 'block_actions',
        team: { id: 'T1' },
        user: { id: 'U7', username: 'seven', team_id: 'T1' },
        channel: { id: 'C1' },
        trigger_id: 't.replay',
        actions: [{ action_id: 'vote:no', block_id: 'b1', value: 'no', type: 'button' }],
        container: { type: 'message', channel_id: 'C1' },
      }
      for (let i = 0; i < 3; i++)
        assert.equal(
          (
            await postSigned(`${f.url}/slack/interactions`, SIGNING_SECRET, payload, {
              form: 'payload',
              timestampSec: ts,
            })
          ).status,
          200,
        )
      await settle()
      assert.equal(
        f.forwarded.filter((e) => e.message_type === 'interaction' && e.metadata?.custom_id === 'vote:no').length,
        1,
      )
    })

    test('an ephemeral reply to a slash command is acked as ephemeral', async () => {
      const res = await postSigned(
        `${f.url}/slack/commands`,
        SIGNING_SECRET,
        slashCommand({ channel: 'C1', text: 'whisper' }),
        { form: 'form' },
      )
      assert.deepEqual(JSON.parse(res.body), { response_type: 'ephemeral', text: 'psst' })
    })

    test('interactions (block_actions) are verified, acked and forwarded as interaction events', async () => {
      const payload = {
        type: 'block_actions',
        team: { id: 'T1' },
        user: { id: 'U7', username: 'seven', team_id: 'T1' },
        channel: { id: 'C1' },
        trigger_id: 't.1',
        actions: [{ action_id: 'vote:yes', block_id: 'b1', value: 'yes', type: 'button' }],
        container: { type: 'message', channel_id: 'C1' },
      }
      assert.equal((await postSigned(`${f.url}/slack/interactions`, 'wrong', payload, { form: 'payload' })).status, 401)
      const res = await postSigned(`${f.url}/slack/interactions`, SIGNING_SECRET, payload, { form: 'payload' })
      assert.equal(res.status, 200)
      await settle()
      const got = f.forwarded.filter((e) => e.message_type === 'interaction' && e.metadata?.custom_id === 'vote:yes')
      assert.equal(got.length, 1)
      assert.equal(got[0]!.metadata?.custom_id, 'vote:yes')
      assert.equal(got[0]!.message, 'yes')
    })
  })
}
