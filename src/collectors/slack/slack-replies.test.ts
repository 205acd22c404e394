/**
 * Acceptance, rendering through the whole path (viewer → bolt → router → module → Slack Web API fake):
 * a long reply split at Slack's limits without breaking words or multi-byte characters, moderation where
 * the bot may (chat.delete) and reported where it may not, ephemeral replies, forms as Block Kit; and the
 * webhook-only mode (no bot token). SQLite + in-process and Postgres + Redis.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { messageEvent, postSigned, slashCommand } from '../../../test/fakes/slack/events.js'
import type { SlackCall } from '../../../test/fakes/slack/web-api.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import slackModule from './index.js'
import {
  LONG_TEXT,
  LONG_WORDS,
  SIGNING_SECRET,
  type SlackFixture,
  startSlackFixture,
} from '../../../test/helpers/slack-harness.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]
/** No lone surrogate (a multi-byte character cut in half). */
const wellFormed = (s: string) => !/\p{Cs}/u.test(s)
const unescapeSlack = (s: string) => s.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')
const graphemes = (s: string) =>
  [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].map((g) => g.segment)

for (const [backend, skip] of backends) {
  describe(`slack replies on ${backend.name}`, { skip }, () => {
    let f: SlackFixture
    const say = async (text: string, channel = 'C1') => {
      const from = f.fake.calls.length
      const body = messageEvent({ channel, user: 'U5', text })
      assert.equal((await postSigned(`${f.url}/slack/events`, SIGNING_SECRET, body)).status, 200)
      return { from, ts: (body.event as { ts: string }).ts }
    }
    const after_ = (from: number) => (c: SlackCall) => f.fake.calls.indexOf(c) >= from

    before(async () => {
      f = await startSlackFixture(backend)
    })
    after(async () => {
      await f?.close()
    })

    test('a long reply is split at 40,000 per message and 3,000 per section, never inside a word or character', async () => {
      const { from } = await say('!long')
      const third = await f.fake.waitFor(
        'chat.postMessage',
        (c) =>
          after_(from)(c) && f.fake.calls.filter((x) => x.method === 'chat.postMessage' && after_(from)(x)).length >= 3,
        10_000,
      )
      assert.ok(third)
      const posts = f.fake.calls.filter((c) => c.method === 'chat.postMessage' && after_(from)(c))
      assert.equal(posts.length, 3, 'LONG_TEXT (≈ 90k) needs 3 messages, within the cap of 3')
      const words: string[] = []
      for (const p of posts) {
        const text = String(p.params.text)
        assert.ok(text.length <= 40_000, `message text ${text.length} > 40,000`)
        assert.ok(wellFormed(text), 'no lone surrogate')
        const blocks = p.params.blocks as { type: string; text: { text: string } }[]
        assert.ok(Array.isArray(blocks) && blocks.length > 1 && blocks.length <= 50)
        for (const b of blocks) {
          assert.equal(b.type, 'section')
          assert.ok(b.text.text.length <= 3000, `section ${b.text.text.length} > 3,000`)
          assert.ok(wellFormed(b.text.text))
        }
        assert.equal(
          unescapeSlack(blocks.map((b) => b.text.text).join(' ')),
          unescapeSlack(text),
          'the sections carry the whole message',
        )
        words.push(...unescapeSlack(text).split(' '))
      }
      // Every word arrives whole and in order, multi-byte graphemes (ZWJ family, flag) intact.
      assert.deepEqual(words, LONG_TEXT.split(' ').slice(0, words.length))
      for (const w of words)
        assert.ok((LONG_WORDS as readonly string[]).includes(w), `broken word ${JSON.stringify(w)}`)
      assert.ok(words.includes('👩‍👩‍👧') && graphemes('👩‍👩‍👧').length === 1)
      assert.ok(String(posts[0]!.params.text).includes('ok&lt;3'), 'control characters are escaped')
    })

    test('moderation: delete is tried with chat.delete and, refused by Slack, reported in the channel', async () => {
      const { from, ts } = await say('!zap')
      const del = await f.fake.waitFor('chat.delete', after_(from))
      assert.equal(del.params.ts, ts)
      assert.equal(del.params.channel, 'C1')
      const report = await f.fake.waitFor(
        'chat.postMessage',
        (c) => after_(from)(c) && String(c.params.text).includes('cant_delete_message'),
      )
      assert.match(
        String(report.params.text),
        /Moderation \(delete\) not carried out: cant_delete_message\. Reason given: spam/,
      )
      await f.fake.waitFor('chat.postMessage', (c) => after_(from)(c) && c.params.text === 'zapped')
      // Moderation goes first.
      assert.ok(
        f.fake.calls.indexOf(del) < f.fake.calls.findIndex((c) => after_(from)(c) && c.params.text === 'zapped'),
      )
    })

    test('moderation: where the bot may delete, the message is deleted and nothing is reported', async () => {
      const restore = f.fake.on('chat.delete', (c) => ({ channel: c.params.channel, ts: c.params.ts }))
      const { from, ts } = await say('!zap', 'C2')
      await f.fake.waitFor('chat.postMessage', (c) => after_(from)(c) && c.params.text === 'zapped')
      restore()
      const del = f.fake.calls.find((c) => after_(from)(c) && c.method === 'chat.delete')
      assert.equal(del?.params.ts, ts)
      assert.equal(
        f.fake.calls.filter((c) => after_(from)(c) && String(c.params.text ?? '').includes('not carried out')).length,
        0,
      )
    })

    test('moderation: a timeout (not a Slack action) is reported, not faked', async () => {
      const { from } = await say('!hush')
      const report = await f.fake.waitFor(
        'chat.postMessage',
        (c) => after_(from)(c) && String(c.params.text).includes('timeout'),
      )
      assert.match(String(report.params.text), /Slack has no timeouts\. Reason given: calm down/)
    })

    test('an ephemeral reply goes to the user only (chat.postEphemeral)', async () => {
      const { from } = await say('!whisper', 'C2')
      const eph = await f.fake.waitFor('chat.postEphemeral', after_(from))
      assert.deepEqual([eph.params.channel, eph.params.user, eph.params.text], ['C2', 'U5', 'psst'])
    })

    test('a DM to the bot is answered in the DM; directMessage opens a conversation first', async () => {
      const from = f.fake.calls.length
      const body = messageEvent({ channel: 'DU5', channel_type: 'im', user: 'U5', text: '!ping' })
      assert.equal((await postSigned(`${f.url}/slack/events`, SIGNING_SECRET, body)).status, 200)
      await f.fake.waitFor(
        'chat.postMessage',
        (c) => after_(from)(c) && c.params.channel === 'DU5' && c.params.text === 'pong',
      )
      const slack = f.runtime.module(slackModule).ctx.state.platform
      assert.ok(slack, 'the Slack state exists with a bot token')
      slack.directMessage('U9', 'your code is <1234>')
      const open = await f.fake.waitFor('conversations.open', (c) => after_(from)(c) && c.params.users === 'U9')
      assert.ok(open)
      const dm = await f.fake.waitFor('chat.postMessage', (c) => after_(from)(c) && c.params.channel === 'D9')
      assert.equal(dm.params.text, 'your code is &lt;1234&gt;')
    })

    test('a form is rendered as Block Kit', async () => {
      const { from } = await say('!survey')
      const post = await f.fake.waitFor('chat.postMessage', (c) => after_(from)(c) && Array.isArray(c.params.blocks))
      const blocks = post.params.blocks as { type: string; text: { text: string } }[]
      assert.equal(blocks[0]!.type, 'header')
      assert.equal(blocks[0]!.text.text, 'Survey')
      assert.match(blocks[1]!.text.text, /\*Colour\* \(select, required\)\nred · blue/)
    })
    test('POST /slack/whisper sends a DM now (conversations.open + chat.postMessage); a key is required', async () => {
      const from = f.fake.calls.length
      const whisper = (headers: Record<string, string>) =>
        fetch(`${f.url}/slack/whisper`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ to_user_id: 'U7', text: 'your code is <K7MX3Q>' }),
        })
      assert.equal((await whisper({})).status, 401)
      const res = await whisper({ 'x-service-key': f.runtime.serviceKey })
      assert.equal(res.status, 200, await res.clone().text())
      assert.deepEqual(await res.json(), { delivered: true })
      const opened = f.fake.calls.find((c) => c.method === 'conversations.open' && f.fake.calls.indexOf(c) >= from)
      assert.equal(opened?.params.users, 'U7')
      const post = await f.fake.waitFor(
        'chat.postMessage',
        (c) => c.params.channel === 'D7' && f.fake.calls.indexOf(c) >= from,
      )
      assert.equal(post.params.text, 'your code is &lt;K7MX3Q&gt;')
    })
  })

  describe(`slack webhook only (no bot token) on ${backend.name}`, { skip }, () => {
    let f: SlackFixture
    before(async () => {
      f = await startSlackFixture(backend, { botToken: false })
    })
    after(async () => {
      await f?.close()
    })

    test('/health is ok, /slack/status says chat is not connected and the webhook is ready', async () => {
      assert.equal((await fetch(`${f.url}/health`)).status, 200)
      const status = await (await fetch(`${f.url}/slack/status`)).json()
      assert.equal(status.chat, 'not connected')
      assert.match(status.reason, /SLACK_BOT_TOKEN/)
      assert.equal(status.webhook, 'ready')
      assert.equal(f.fake.callsOf('auth.test').length, 0)
    })

    test('a slash command is still answered in its ack', async () => {
      const res = await postSigned(
        `${f.url}/slack/commands`,
        SIGNING_SECRET,
        slashCommand({ channel: 'C1', text: 'ping' }),
        { form: 'form' },
      )
      assert.deepEqual(JSON.parse(res.body), { response_type: 'in_channel', text: 'pong' })
    })

    test('a forged slash command is refused', async () => {
      const res = await postSigned(`${f.url}/slack/commands`, 'nope', slashCommand({ channel: 'C1', text: 'ping' }), {
        form: 'form',
      })
      assert.equal(res.status, 401)
    })
  })
}
