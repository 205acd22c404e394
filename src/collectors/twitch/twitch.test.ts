/**
 * Acceptance: the real tmi.js against the fake Twitch chat, a real router in the same runtime.
 * A viewer's !ping reaches the router and `pong` comes back as `PRIVMSG #chan :pong`; a long reply is split
 * at 500 without breaking words or multi-byte characters; moderation goes through Helix where the bot is a
 * moderator (and is only logged where it is not); ephemeral replies are whispers; EventSub events reach
 * the router and their replies arrive in chat.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { eventSubEvents, sendEventSub, twitchIdOf } from '../../../test/fakes/twitch/index.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { sql } from '../../runtime/storage/sql.js'
import {
  BOT,
  EVENTSUB_SECRET,
  eventually,
  LONG_TEXT,
  startTwitchHarness,
  type TwitchHarness,
} from '../../../test/helpers/twitch-harness.js'
import twitchModule from './index.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

for (const [backend, skip] of backends) {
  describe(`Twitch collector with tmi.js on ${backend.name}`, { skip }, () => {
    let h: TwitchHarness
    const said = (channel: string) =>
      h.irc
        .privmsgs(channel)
        .filter((l) => l.nick === BOT)
        .map((l) => l.trailing)

    before(async () => {
      h = await startTwitchHarness(backend, { channels: ['chan', 'modchan'] })
      h.irc.setModerator('modchan', BOT, true)
      await h.irc.waitFor(
        'the bot to join its claimed channels',
        () => h.irc.joined(BOT).has('chan') && h.irc.joined(BOT).has('modchan'),
      )
    })
    after(async () => {
      await h?.close()
    })

    test('a viewer’s !ping reaches the router and pong arrives at the fake IRC server', async () => {
      const id = h.irc.viewerMessage('chan', {
        user: 'alice',
        displayName: 'Alice',
        text: '!ping',
        badges: 'broadcaster/1',
      })
      const line = await h.irc.waitFor('pong', () => h.irc.privmsgs('chan').find((l) => l.trailing === 'pong'))
      assert.equal(line.raw, 'PRIVMSG #chan :pong')
      assert.equal(line.nick, BOT)
      const seen = h.processed.find((p) => p.command === '!ping' && p.entity_id === 'twitch:chan:chan')
      assert.ok(seen, 'the router processed the command')
      assert.equal(seen.outcome, 'command')
      assert.equal(seen.user, 'Alice')
      assert.ok(id)
    })

    test('the router sees the broadcaster badge as a role (moderator-only !commands lists more)', async () => {
      h.irc.viewerMessage('chan', { user: 'bob', text: '!commands' })
      h.irc.viewerMessage('chan', { user: 'alice', text: '!commands', badges: 'broadcaster/1' })
      const lists = await h.irc.waitFor('two command lists', () => {
        const l = said('chan').filter((t) => t?.startsWith('Commands:'))
        return l.length === 2 ? l : undefined
      })
      assert.ok(lists.every((l) => l?.includes('!ping')))
    })

    test('a long reply is split at 500 without breaking words or multi-byte characters', async () => {
      const before = said('chan').length
      h.irc.viewerMessage('chan', { user: 'carol', text: '!long' })
      const parts = await h.irc.waitFor('3 parts', () => {
        const got = said('chan').slice(before)
        return got.length >= 3 ? (got as string[]) : undefined
      })
      await new Promise((r) => setTimeout(r, 200))
      assert.equal(said('chan').length - before, 3, 'capped at max_parts (3)')
      for (const p of parts) assert.ok(p.length <= 500, `${p.length} ≤ 500`)
      assert.ok(parts[2]!.endsWith('…'))
      const words = new Set(LONG_TEXT.split(' '))
      for (const p of parts)
        for (const w of p.replace(/…$/, '').split(' '))
          assert.ok(words.has(w), `${JSON.stringify(w)} is a whole word of the reply`)
      assert.ok(LONG_TEXT.startsWith(`${parts[0]} ${parts[1]}`), 'the parts are the reply, in order')
    })

    test('moderation is carried out through Helix where the bot is a moderator, only logged where not', async () => {
      const id = h.irc.viewerMessage('modchan', { user: 'spammer', text: '!hush' })
      await h.irc.waitFor('the friendly line', () => said('modchan').includes('Please keep it friendly'))
      const actions = await eventually('two Helix actions', () =>
        h.helix.actions().length >= 2 ? h.helix.actions() : undefined,
      )
      const del = actions.find((c) => c.method === 'DELETE')!
      assert.equal(del.path, '/moderation/chat')
      assert.equal(del.query.get('message_id'), id)
      assert.equal(del.query.get('broadcaster_id'), twitchIdOf('modchan'))
      assert.equal(del.query.get('moderator_id'), twitchIdOf(BOT))
      const ban = actions.find((c) => c.path === '/moderation/bans')!
      assert.deepEqual(ban.body, { data: { user_id: twitchIdOf('spammer'), duration: 60, reason: 'calm down' } })
      const count = h.helix.actions().length
      h.irc.viewerMessage('chan', { user: 'spammer', text: '!hush' })
      await h.irc.waitFor('the friendly line in #chan', () => said('chan').includes('Please keep it friendly'))
      await new Promise((r) => setTimeout(r, 200))
      assert.equal(h.helix.actions().length, count, 'not a moderator in #chan: no Helix call')
    })

    test('the bot’s budget follows its moderator status', () => {
      const queue = h.runtime.module(twitchModule).ctx.state.handle.queue
      assert.deepEqual(queue.budgetOf('modchan'), { limit: 100, windowMs: 30_000 })
      assert.deepEqual(queue.budgetOf('chan'), { limit: 20, windowMs: 30_000 })
    })

    test('an ephemeral reply is a Helix whisper to the user', async () => {
      h.irc.viewerMessage('chan', { user: 'dave', text: '!whisper' })
      const w = await eventually('a whisper', () => h.helix.actions().find((c) => c.path === '/whispers'))
      assert.equal(w.query.get('to_user_id'), twitchIdOf('dave'))
      assert.equal(w.query.get('from_user_id'), twitchIdOf(BOT))
      assert.deepEqual(w.body, { message: 'just for you' })
    })

    test('EventSub follow and raid reach the router; the thanks arrive in chat', async () => {
      const follow = await sendEventSub(h.eventSubUrl, EVENTSUB_SECRET, {
        subscriptionType: 'channel.follow',
        event: eventSubEvents.follow('chan', 'erin', twitchIdOf),
      })
      assert.equal(follow.status, 204)
      await h.irc.waitFor('follow thanks', () => said('chan').includes('Thanks for the follow, erin!'))
      const raid = await sendEventSub(h.eventSubUrl, EVENTSUB_SECRET, {
        subscriptionType: 'channel.raid',
        event: eventSubEvents.raid('modchan', 'bigstreamer', 420, twitchIdOf),
      })
      assert.equal(raid.status, 204)
      await h.irc.waitFor('raid thanks', () => said('modchan').includes('Thanks for the raid, bigstreamer!'))
      assert.ok(h.processed.some((p) => p.message_type === 'raid' && p.entity_id === 'twitch:modchan:modchan'))
    })

    test('stream.online / offline are reported to coordination as is_live', async () => {
      const live = async () =>
        (
          await h.runtime.storage.one<{ is_live: number | boolean }>(
            sql`select is_live from coordination where entity_id = 'twitch:chan:chan'`,
          )
        )?.is_live
      await sendEventSub(h.eventSubUrl, EVENTSUB_SECRET, {
        subscriptionType: 'stream.online',
        event: eventSubEvents.streamOnline('chan', twitchIdOf),
      })
      await eventually('chan live', async () => Number(await live()) === 1)
      await sendEventSub(h.eventSubUrl, EVENTSUB_SECRET, {
        subscriptionType: 'stream.offline',
        event: {
          broadcaster_user_id: twitchIdOf('chan'),
          broadcaster_user_login: 'chan',
          broadcaster_user_name: 'chan',
        },
      })
      await eventually('chan offline', async () => Number(await live()) === 0)
      assert.ok(h.processed.some((p) => p.message_type === 'stream_online'))
    })

    test('GET /twitch/status and /health: chat connected, webhook ready, claims listed', async () => {
      const url = h.runtime.registry.urlOf('twitch')
      const status = (await (await fetch(`${url}/twitch/status`)).json()) as Record<string, unknown>
      assert.equal(status.chat, 'connected')
      assert.equal(status.webhook, 'ready')
      assert.deepEqual([...(status.claims as string[])].sort(), ['twitch:chan:chan', 'twitch:modchan:modchan'])
      assert.equal((await fetch(`${url}/health`)).status, 200)
    })
  })
}
