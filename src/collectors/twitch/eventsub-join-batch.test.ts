/**
 * A collector joining many channels at once reconciles them together: Twitch's subscription list is read once
 * per batch and broadcaster ids are looked up 100 logins per `GET /users`. Before, every channel cost its own
 * `GET /users`, and every join after the session was up listed all of Twitch's subscriptions again.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sqliteBackend } from '../../../test/helpers/backends.js'
import { BOT, eventually, startTwitchHarness, type TwitchHarness } from '../../../test/helpers/twitch-harness.js'

const CHANNELS = Array.from({ length: 60 }, (_, i) => `batch${i}`)
let h: TwitchHarness

before(async () => {
  h = await startTwitchHarness(sqliteBackend(), {
    channels: CHANNELS,
    modules: ['router', 'twitch'],
    env: { WADDLEBOT_TWITCH_MAX_CLAIMS: String(CHANNELS.length) },
  })
})
after(async () => {
  await h?.close()
})

test('60 channels joined at once: their subscriptions are made with a few listings and user look-ups, not 60 of each', async () => {
  await eventually('every channel joined', () => h.irc.joined(BOT).size === CHANNELS.length, 60_000)
  const follows = () =>
    new Set(h.helix.subscriptions.filter((s) => s.type === 'channel.follow' && s.status === 'enabled').map((s) => s.id))
      .size
  await eventually('a follow subscription in every channel', () => follows() >= CHANNELS.length, 60_000)
  const lists = h.helix.calls.filter((c) => c.method === 'GET' && c.path === '/eventsub/subscriptions')
  const lookUps = h.helix.calls.filter(
    (c) => c.path === '/users' && c.query.getAll('login').some((l) => l.startsWith('batch')),
  )
  assert.ok(lists.length <= 5, `${lists.length} listings of the subscriptions for 60 channels`)
  assert.ok(lookUps.length <= 5, `${lookUps.length} GET /users for 60 channels`)
  const looked = lookUps.flatMap((c) => c.query.getAll('login'))
  assert.equal(new Set(looked).size, CHANNELS.length, 'every channel looked up')
  assert.equal(looked.length, CHANNELS.length, 'each channel looked up once')
})
