/**
 * Spam filters through the real tmi.js and the fake Twitch: a viewer's link is deleted through Helix with a
 * warning in chat, a repeat is deleted and timed out; Twitch's emote tags feed the emote filter; a moderator's
 * link is left alone. SQLite + in-process and Postgres + Redis.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { twitchIdOf } from '../../../test/fakes/twitch/index.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { setFilterSettings } from '../../modules/router/filters/store.js'
import { BOT, eventually, startTwitchHarness, type TwitchHarness } from '../../../test/helpers/twitch-harness.js'
import routerModule from '../../modules/router/index.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

for (const [backend, skip] of backends) {
  describe(`spam filters on Twitch on ${backend.name}`, { skip }, () => {
    let h: TwitchHarness
    const said = () =>
      h.irc
        .privmsgs('modchan')
        .filter((l) => l.nick === BOT)
        .map((l) => l.trailing ?? '')

    before(async () => {
      h = await startTwitchHarness(backend, { channels: ['modchan'] })
      h.irc.setModerator('modchan', BOT, true)
      await h.irc.waitFor('the bot to join', () => h.irc.joined(BOT).has('modchan'))
      await setFilterSettings(h.runtime.storage, { communityId: 'default' }, 'links', [
        'enabled=true',
        'steps=warn,timeout:60',
      ])
      await setFilterSettings(h.runtime.storage, { communityId: 'default' }, 'emotes', [
        'enabled=true',
        'max=5',
        'action=delete',
      ])
      await h.runtime.module(routerModule).ctx.state.pipeline.filters.book.reload()
    })
    after(async () => {
      await h?.close()
    })

    test('a link is deleted with a warning in chat; the next one is deleted and timed out', async () => {
      const first = h.irc.viewerMessage('modchan', { user: 'spammer', text: 'best viewers on bigfollows . com' })
      await h.irc.waitFor('the warning', () => said().find((t) => t.startsWith('@spammer ') && t.includes('no links')))
      const del = await eventually('a Helix delete', () =>
        h.helix.actions().find((c) => c.method === 'DELETE' && c.query.get('message_id') === first),
      )
      assert.equal(del.path, '/moderation/chat')
      assert.equal(del.query.get('broadcaster_id'), twitchIdOf('modchan'))
      const second = h.irc.viewerMessage('modchan', { user: 'spammer', text: 'bigfollows.com cheap' })
      await eventually('the second delete', () =>
        h.helix.actions().find((c) => c.method === 'DELETE' && c.query.get('message_id') === second),
      )
      const ban = await eventually('a Helix timeout', () =>
        h.helix.actions().find((c) => c.path === '/moderation/bans'),
      )
      assert.deepEqual(ban.body, {
        data: {
          user_id: twitchIdOf('spammer'),
          duration: 60,
          reason: 'no links, please (a moderator can !permit you).',
        },
      })
    })

    test('emote floods are measured from Twitch’s emote tags', async () => {
      const text = 'Kappa Kappa Kappa Kappa Kappa Kappa'
      const ranges = [0, 6, 12, 18, 24, 30].map((s) => `${s}-${s + 4}`).join(',')
      const id = h.irc.viewerMessage('modchan', { user: 'emoter', text, tags: { emotes: `25:${ranges}` } })
      await eventually('the emote-flood delete', () =>
        h.helix.actions().find((c) => c.method === 'DELETE' && c.query.get('message_id') === id),
      )
      const fine = h.irc.viewerMessage('modchan', {
        user: 'emoter2',
        text: 'Kappa Kappa nice one',
        tags: { emotes: '25:0-4,6-10' },
      })
      h.irc.viewerMessage('modchan', { user: 'emoter2', text: 'after the emotes', mod: false })
      await h.irc.waitFor(
        'the second message processed',
        () => h.processed.filter((p) => p.user === 'emoter2').length >= 2,
      )
      assert.equal(h.helix.actions().filter((c) => c.query.get('message_id') === fine).length, 0)
    })

    test('a moderator’s link is left alone', async () => {
      const id = h.irc.viewerMessage('modchan', {
        user: 'helper',
        text: 'rules: example.com/rules',
        mod: true,
        badges: 'moderator/1',
      })
      await h.irc.waitFor('processed', () => h.processed.find((p) => p.user === 'helper'))
      assert.equal(h.helix.actions().filter((c) => c.query.get('message_id') === id).length, 0)
      assert.equal(h.processed.find((p) => p.user === 'helper')!.outcome, 'ignored')
    })
  })
}
