/**
 * Acceptance: EventSub over WebSocket with no public URL, against the fake EventSub WebSocket server and
 * the fake Helix, a real router in the same runtime, on both backends. The collector opens the session,
 * creates its subscriptions for the claimed channel, a channel.raid becomes a `raid` event (its thanks come
 * back in chat), a session_reconnect loses and doubles nothing, a revocation shows in the status, silent
 * keepalives mean a new session with its subscriptions re-created, a USERNOTICE raid is one raid whichever
 * way it arrives first, and releasing the channel deletes its subscriptions.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { eventSubEvents, twitchIdOf } from '../../../test/fakes/twitch/index.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { BOT, eventually, startTwitchHarness, type TwitchHarness } from '../../../test/helpers/twitch-harness.js'
import { fetchHealth } from '../../modules/router/stream-probe.js'
import type { EventSubStatus } from './eventsub-service.js'
import twitchModule from './index.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]
const CHAN_ID = twitchIdOf('chan')
/** Types the bot's own token can authorize on someone else's channel (the rest need the broadcaster's grant). */
const OWN = ['channel.follow', 'channel.raid', 'stream.offline', 'stream.online']

for (const [backend, skip] of backends) {
  describe(`EventSub over WebSocket on ${backend.name}`, { skip }, () => {
    let h: TwitchHarness
    const twitch = () => h.runtime.module(twitchModule)
    const status = async () =>
      (await (await fetch(`${h.runtime.registry.urlOf('twitch')}/twitch/status`)).json()) as {
        eventsub: EventSubStatus
        warnings?: string[]
      }
    const enabledFor = (session: string) =>
      h.helix.subscriptions
        .filter((s) => s.transport.session_id === session && s.status === 'enabled')
        .map((s) => s.type)
        .sort()
    const raids = (user: string) => h.processed.filter((p) => p.message_type === 'raid' && p.user === user).length
    const said = () =>
      h.irc
        .privmsgs('chan')
        .filter((l) => l.nick === BOT)
        .map((l) => l.trailing)
    let session = ''

    before(async () => {
      // No public_url: WebSocket. A 1 s keepalive timeout from the fake keeps the silence test short.
      h = await startTwitchHarness(backend, { channels: ['chan'], keepaliveSeconds: 1 })
    })
    after(async () => {
      await h?.close()
    })

    test('the session opens and the claimed channel gets its subscriptions; a channel.raid reaches the router as a raid', async () => {
      session = await eventually('a session with subscriptions', () =>
        h.eventSub.sessionIds().find((id) => enabledFor(id).length === OWN.length),
      )
      assert.deepEqual(enabledFor(session), OWN)
      const created = h.helix.calls.filter((c) => c.method === 'POST' && c.path === '/eventsub/subscriptions')
      assert.ok(
        created.every((c) => c.headers.authorization === 'Bearer faketoken123'),
        'websocket subscriptions use the user token',
      )
      const raid = created.find((c) => (c.body as { type: string }).type === 'channel.raid')!.body
      assert.deepEqual(raid, {
        type: 'channel.raid',
        version: '1',
        condition: { to_broadcaster_user_id: CHAN_ID },
        transport: { method: 'websocket', session_id: session },
      })
      const follow = created.find((c) => (c.body as { type: string }).type === 'channel.follow')!.body as {
        condition: unknown
        version: string
      }
      assert.deepEqual(
        [follow.version, follow.condition],
        ['2', { broadcaster_user_id: CHAN_ID, moderator_user_id: twitchIdOf(BOT) }],
      )

      assert.equal(h.eventSub.notify('channel.raid', eventSubEvents.raid('chan', 'raider1', 42, twitchIdOf)).length, 1)
      await eventually('the raid', () => raids('raider1') === 1)
      const event = h.processed.find((p) => p.user === 'raider1')!
      assert.equal(event.entity_id, 'twitch:chan:chan')
      await eventually('the thanks in chat', () => said().includes('Thanks for the raid, raider1!'))

      const s = await status()
      assert.equal(s.eventsub.transport, 'websocket')
      assert.equal(s.eventsub.state, 'connected')
      assert.equal(s.eventsub.session_id, session)
      const refused = s.eventsub.subscriptions
        .filter((r) => r.status === 'refused')
        .map((r) => r.type)
        .sort()
      assert.deepEqual(refused, [
        'channel.channel_points_custom_reward_redemption.add',
        'channel.cheer',
        'channel.subscribe',
        'channel.subscription.gift',
        'channel.subscription.message',
      ])
      assert.deepEqual(s.eventsub.notes, [
        'channel.subscribe, channel.subscription.gift, channel.subscription.message, channel.cheer, channel.channel_points_custom_reward_redemption.add on #chan refused by Twitch (403 subscription missing proper authorization): the broadcaster has not authorized it',
      ])
    })

    test('session_reconnect: the session moves to the new URL, nothing lost or doubled, no subscription re-created', async () => {
      const posts = h.helix.calls.filter((c) => c.method === 'POST').length
      const conns = h.eventSub.connections.length
      h.eventSub.reconnect(session)
      // Before the client has moved: delivered on the old connection.
      const [early] = h.eventSub.notify('channel.raid', eventSubEvents.raid('chan', 'raider2', 5, twitchIdOf))
      await eventually(
        'the new connection',
        () =>
          h.eventSub.connections.length === conns + 1 &&
          h.eventSub.connections.at(-1)!.query.get('reconnect') === session,
      )
      await eventually(
        'the old connection closed by the client',
        () =>
          h.eventSub.sessionIds().length === 1 && twitch().ctx.state.platform?.eventSub.status().session_id === session,
      )
      // After: on the new connection, plus Twitch re-sending the early one (same message id).
      h.eventSub.notify('channel.raid', eventSubEvents.raid('chan', 'raider3', 6, twitchIdOf))
      h.eventSub.notify('channel.raid', eventSubEvents.raid('chan', 'raider2', 5, twitchIdOf), { id: early! })
      await eventually('both raids', () => raids('raider2') === 1 && raids('raider3') === 1)
      h.eventSub.notify('channel.raid', eventSubEvents.raid('chan', 'raider4', 7, twitchIdOf))
      await eventually('a later raid (barrier)', () => raids('raider4') === 1)
      assert.equal(raids('raider2'), 1, 'the re-sent message was dropped')
      assert.equal(
        h.helix.calls.filter((c) => c.method === 'POST').length,
        posts,
        'subscriptions moved with the session',
      )
      assert.deepEqual(enabledFor(session), OWN)
    })

    test('a revocation is logged and shown in the status; the subscription is not re-created', async () => {
      const follow = h.helix.subscriptions.find(
        (s) => s.transport.session_id === session && s.type === 'channel.follow',
      )!
      h.eventSub.revoke(follow.id, 'authorization_revoked')
      const s = await eventually('the revocation in the status', async () => {
        const st = await status()
        return st.eventsub.subscriptions.some((r) => r.type === 'channel.follow' && r.status === 'revoked')
          ? st
          : undefined
      })
      const line =
        'channel.follow on #chan revoked by Twitch (authorization_revoked); not re-created until the channel is claimed again'
      assert.ok(s.eventsub.notes.includes(line), s.eventsub.notes.join('\n'))
      assert.ok(s.warnings?.includes(line), 'the warning reaches /health (and `waddlebot status`)')
      const health = (await (await fetch(`${h.runtime.registry.urlOf('twitch')}/health`)).json()) as {
        detail: { warnings: string[]; claim_count: number; eventsub: { subscriptions: Record<string, number> } }
      }
      assert.ok(health.detail.warnings.includes(line))
      const counts: Record<string, number> = {}
      for (const r of s.eventsub.subscriptions) counts[r.status] = (counts[r.status] ?? 0) + 1
      assert.deepEqual(health.detail.eventsub.subscriptions, counts, '/health counts the subscriptions by status')
      assert.equal(health.detail.claim_count, 1, '/health counts the claims')
      const row = await fetchHealth(h.runtime.registry.urlOf('twitch'))
      assert.equal(row.status, 'ok')
      assert.ok(row.detail?.includes(line), 'the twitch row of `waddlebot status` shows it')
    })

    test('keepalives stop: the dead connection is dropped, a new session opens and gets the subscriptions again', async () => {
      h.eventSub.setKeepalives(false)
      const next = await eventually('a new session', () => h.eventSub.sessionIds().find((id) => id !== session))
      h.eventSub.setKeepalives(true)
      await eventually('subscriptions on the new session', () => enabledFor(next).length === OWN.length - 1)
      assert.deepEqual(
        enabledFor(next),
        OWN.filter((t) => t !== 'channel.follow'),
        'the revoked type stays off',
      )
      session = next
      h.eventSub.notify('channel.raid', eventSubEvents.raid('chan', 'raider5', 8, twitchIdOf))
      await eventually('a raid on the new session', () => raids('raider5') === 1)
    })

    test('a USERNOTICE raid becomes one raid, and the same raid over EventSub adds none (either order)', async () => {
      h.irc.userNotice('chan', {
        msgId: 'raid',
        user: 'ircraider',
        params: { displayName: 'ircraider', login: 'ircraider', viewerCount: '15' },
        systemMsg: '15 raiders from ircraider have joined!',
      })
      await eventually('the chat raid', () => raids('ircraider') === 1)
      const fromChat = h.processed.find((p) => p.user === 'ircraider')!
      assert.equal(fromChat.entity_id, 'twitch:chan:chan')
      h.eventSub.notify('channel.raid', eventSubEvents.raid('chan', 'ircraider', 15, twitchIdOf))
      h.eventSub.notify('channel.raid', eventSubEvents.raid('chan', 'raider6', 1, twitchIdOf))
      await eventually('a later raid (barrier)', () => raids('raider6') === 1)
      assert.equal(raids('ircraider'), 1, 'EventSub did not double the chat raid')

      h.eventSub.notify('channel.raid', eventSubEvents.raid('chan', 'bothways', 9, twitchIdOf))
      await eventually('the EventSub raid', () => raids('bothways') === 1)
      h.irc.userNotice('chan', {
        msgId: 'raid',
        user: 'bothways',
        params: { displayName: 'bothways', login: 'bothways', viewerCount: '9' },
      })
      h.irc.viewerMessage('chan', { user: 'viewer', text: 'barrier' })
      await eventually('the barrier message', () =>
        h.processed.some((p) => p.message_type === 'chatMessage' && p.user === 'viewer'),
      )
      await new Promise((r) => setTimeout(r, 100))
      assert.equal(raids('bothways'), 1, 'the chat raid did not double the EventSub one')
    })

    test('releasing the channel deletes its subscriptions', async () => {
      const ours = h.helix.subscriptions
        .filter((s) => s.transport.session_id === session && s.status === 'enabled')
        .map((s) => s.id)
      assert.equal(ours.length, OWN.length - 1)
      const released = await twitch().ctx.state.handle.coordination.releaseOffline()
      assert.deepEqual(released, ['twitch:chan:chan'])
      await eventually('the deletes', () =>
        ours.every((id) =>
          h.helix.calls.some(
            (c) => c.method === 'DELETE' && c.path === '/eventsub/subscriptions' && c.query.get('id') === id,
          ),
        ),
      )
      await twitch().ctx.state.platform!.eventSub.settled()
      assert.ok(
        ours.every((id) => !h.helix.subscriptions.some((s) => s.id === id)),
        'gone from Helix',
      )
    })
  })
}

describe('a USERNOTICE of each kind becomes the router event EventSub would send', () => {
  let h: TwitchHarness
  before(async () => {
    h = await startTwitchHarness(sqliteBackend(), {
      channels: ['chan'],
      env: { WADDLEBOT_TWITCH_EVENTSUB_TRANSPORT: 'off' },
    })
    await h.irc.waitFor('the join', () => h.irc.joined(BOT).has('chan'))
  })
  after(async () => {
    await h?.close()
  })

  test('sub, resub, submysterygift + its subgifts, a single subgift, raid and announcement', async () => {
    const tag = randomUUID().slice(0, 6)
    const u = (n: string) => `${n}${tag}`
    h.irc.userNotice('chan', { msgId: 'sub', user: u('sue'), params: { 'sub-plan': '1000', 'cumulative-months': '1' } })
    h.irc.userNotice('chan', {
      msgId: 'resub',
      user: u('rex'),
      params: { 'sub-plan': 'Prime', 'cumulative-months': '15', 'streak-months': '3' },
      text: 'Love the stream!',
    })
    h.irc.userNotice('chan', {
      msgId: 'submysterygift',
      user: u('gus'),
      params: { 'sub-plan': '1000', 'mass-gift-count': '2', 'sender-count': '10', 'origin-id': 'o1' },
    })
    for (const r of ['ann', 'bob']) {
      h.irc.userNotice('chan', {
        msgId: 'subgift',
        user: u('gus'),
        params: {
          'sub-plan': '1000',
          'recipient-user-name': u(r),
          'recipient-id': twitchIdOf(u(r)),
          'recipient-display-name': u(r),
          'community-gift-id': 'o1',
          months: '1',
        },
      })
    }
    h.irc.userNotice('chan', {
      msgId: 'subgift',
      user: 'ananonymousgifter',
      params: {
        'sub-plan': '2000',
        'recipient-user-name': u('cat'),
        'recipient-id': twitchIdOf(u('cat')),
        months: '1',
      },
    })
    h.irc.userNotice('chan', {
      msgId: 'raid',
      user: u('ray'),
      params: { login: u('ray'), displayName: u('ray'), viewerCount: '3' },
    })
    h.irc.userNotice('chan', {
      msgId: 'announcement',
      user: 'chan',
      params: { color: 'PRIMARY' },
      text: 'Stream starts soon',
    })
    h.irc.userNotice('chan', { msgId: 'bitsbadgetier', user: u('zed'), params: { threshold: '1000' } })
    await eventually('every event', () => h.processed.length >= 9)
    const seen = h.processed.map((p) => `${p.message_type} ${p.user}`).sort()
    assert.deepEqual(
      seen,
      [
        'announcement chan',
        `raid ${u('ray')}`,
        `resub ${u('rex')}`,
        'subgift Anonymous',
        `subgift ${u('gus')}`,
        `subscription ${u('ann')}`,
        `subscription ${u('bob')}`,
        `subscription ${u('cat')}`,
        `subscription ${u('sue')}`,
      ].sort(),
    )
  })

  test('eventsub_transport off: no WebSocket, no subscriptions; the status says why', async () => {
    const s = (await (await fetch(`${h.runtime.registry.urlOf('twitch')}/twitch/status`)).json()) as {
      eventsub: EventSubStatus
    }
    assert.deepEqual([s.eventsub.transport, s.eventsub.reason], ['off', 'eventsub_transport is off'])
    assert.equal(h.eventSub.connections.length, 0)
    assert.equal(h.helix.subscriptions.length, 0)
  })
})
