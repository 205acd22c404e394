/**
 * Subscriptions the bot manages itself in webhook mode (public_url set): created with the app token and a
 * callback to `<public_url>/twitch/eventsub`, verified by the fake Twitch through the real webhook route,
 * failed and missing ones repaired, deleted on release. And on the streamer's own channel over WebSocket,
 * a token without some scopes: those types are skipped and explained in one line.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { eventSubEvents, sendEventSub, twitchIdOf } from '../../../test/fakes/twitch/index.js'
import { sqliteBackend } from '../../../test/helpers/backends.js'
import { DEFAULT_EVENTSUB_TYPES } from './eventsub-types.js'
import type { EventSubStatus } from './eventsub-service.js'
import {
  BOT,
  EVENTSUB_SECRET,
  eventually,
  startTwitchHarness,
  type TwitchHarness,
} from '../../../test/helpers/twitch-harness.js'
import twitchModule from './index.js'

const statusOf = async (h: TwitchHarness) =>
  (await (await fetch(`${h.runtime.registry.urlOf('twitch')}/twitch/status`)).json()) as {
    eventsub: EventSubStatus
    warnings?: string[]
  }

describe('webhook mode: public_url configured', () => {
  let h: TwitchHarness
  const enabled = () => h.helix.subscriptions.filter((s) => s.transport.method === 'webhook' && s.status === 'enabled')
  before(async () => {
    h = await startTwitchHarness(sqliteBackend(), {
      channels: ['chan'],
      modules: ['router', 'twitch'],
      publicUrl: true,
      env: { WADDLEBOT_TWITCH_EVENTSUB_REPAIR_INTERVAL_MS: '300' },
    })
  })
  after(async () => {
    await h?.close()
  })

  test('every type is subscribed with the app token and the callback; Twitch verifies the callback; events arrive', async () => {
    await eventually('all enabled', () => enabled().length === DEFAULT_EVENTSUB_TYPES.length)
    const callback = `http://127.0.0.1:${8002 + h.offset}/twitch/eventsub`
    assert.ok(enabled().every((s) => s.transport.callback === callback && s.transport.secret === EVENTSUB_SECRET))
    assert.ok(
      enabled().every(
        (s) =>
          s.condition['broadcaster_user_id'] === twitchIdOf('chan') ||
          s.condition['to_broadcaster_user_id'] === twitchIdOf('chan'),
      ),
    )
    const posts = h.helix.calls.filter((c) => c.method === 'POST' && c.path === '/eventsub/subscriptions')
    assert.ok(
      posts.every((c) => c.headers.authorization === 'Bearer app-faketoken123'),
      'webhooks use the app token',
    )
    assert.equal(h.eventSub.connections.length, 0, 'no WebSocket in webhook mode')
    const s = await statusOf(h)
    assert.deepEqual([s.eventsub.transport, s.eventsub.notes], ['webhook', []])
    assert.equal(
      (
        await sendEventSub(h.eventSubUrl, EVENTSUB_SECRET, {
          subscriptionType: 'channel.raid',
          event: eventSubEvents.raid('chan', 'hookraider', 3, twitchIdOf),
        })
      ).status,
      204,
    )
    assert.ok(h.processed.some((p) => p.message_type === 'raid' && p.user === 'hookraider'))
  })

  test('a failed subscription is deleted and re-created, a missing one created again', async () => {
    const failed = enabled().find((s) => s.type === 'channel.cheer')!
    failed.status = 'notification_failures_exceeded'
    const gone = enabled().find((s) => s.type === 'stream.online')!
    h.helix.subscriptions.splice(h.helix.subscriptions.indexOf(gone), 1)
    await eventually(
      'repaired',
      () => enabled().length === DEFAULT_EVENTSUB_TYPES.length && !h.helix.subscriptions.includes(failed),
    )
    assert.ok(h.helix.calls.some((c) => c.method === 'DELETE' && c.query.get('id') === failed.id))
  })

  test('releasing the channel deletes its webhook subscriptions', async () => {
    const ids = enabled().map((s) => s.id)
    const twitch = h.runtime.module(twitchModule)
    assert.deepEqual(await twitch.ctx.state.handle.coordination.releaseOffline(), ['twitch:chan:chan'])
    await eventually('deleted', () =>
      ids.every((id) => h.helix.calls.some((c) => c.method === 'DELETE' && c.query.get('id') === id)),
    )
    await twitch.ctx.state.platform!.eventSub.settled()
  })
})

describe("the streamer's own channel, a token without some scopes", () => {
  let h: TwitchHarness
  before(async () => {
    h = await startTwitchHarness(sqliteBackend(), {
      channels: [BOT],
      modules: ['router', 'twitch'],
      scopes: ['chat:read', 'chat:edit', 'bits:read'],
    })
  })
  after(async () => {
    await h?.close()
  })

  test('the types those scopes cover are skipped (never sent to Twitch) and explained in one line each', async () => {
    const s = await eventually('the subscriptions', async () => {
      const st = await statusOf(h)
      return st.eventsub.subscriptions.length === DEFAULT_EVENTSUB_TYPES.length ? st : undefined
    })
    const byStatus = (status: string) =>
      s.eventsub.subscriptions
        .filter((r) => r.status === status)
        .map((r) => r.type)
        .sort()
    assert.deepEqual(byStatus('enabled'), ['channel.cheer', 'channel.raid', 'stream.offline', 'stream.online'])
    assert.deepEqual(s.eventsub.notes, [
      'channel.follow not subscribed on #waddlebot: the token lacks the moderator:read:followers scope (grant it with `waddlebot auth twitch`)',
      'channel.subscribe, channel.subscription.gift, channel.subscription.message not subscribed on #waddlebot: the token lacks the channel:read:subscriptions scope (grant it with `waddlebot auth twitch`)',
      'channel.channel_points_custom_reward_redemption.add not subscribed on #waddlebot: the token lacks the channel:read:redemptions or channel:manage:redemptions scope (grant it with `waddlebot auth twitch`)',
    ])
    assert.deepEqual(s.warnings, s.eventsub.notes)
    const sent = h.helix.calls
      .filter((c) => c.method === 'POST' && c.path === '/eventsub/subscriptions')
      .map((c) => (c.body as { type: string }).type)
      .sort()
    assert.deepEqual(sent, ['channel.cheer', 'channel.raid', 'stream.offline', 'stream.online'])
  })
})
