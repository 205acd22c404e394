/**
 * Spam filters through the real discord.js client and the fake Discord: a link from a viewer is deleted with a
 * warning, a repeat deletes and times out (REST calls at the fake), a moderator's link is left alone.
 * SQLite + in-process and Postgres + Redis.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { BASIC_PERMS, PERM, type RestRequest, VIEWER } from '../../../test/fakes/discord/index.js'
import { setFilterSettings } from '../../modules/router/filters/store.js'
import { type DiscordHarness, startDiscordHarness } from '../../../test/helpers/discord-harness.js'
import routerModule from '../../modules/router/index.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]
const MOD = { id: '501', username: 'mia' }
const GUILDS = [
  {
    id: '200',
    botPermissions: BASIC_PERMS | PERM.ManageMessages | PERM.ModerateMembers,
    channels: [{ id: '300', name: 'general' }],
    roles: [{ id: '2001', name: 'Mods', permissions: PERM.ManageMessages }],
    members: [{ ...MOD, roles: ['2001'] }],
  },
]
const posted = (content: RegExp) => (r: RestRequest) =>
  r.method === 'POST' && r.path === '/channels/300/messages' && content.test(String(r.json?.content))

for (const [backend, skip] of backends) {
  describe(`spam filters on Discord on ${backend.name}`, { skip }, () => {
    let h: DiscordHarness
    before(async () => {
      h = await startDiscordHarness(backend, { guilds: GUILDS, channels: '200/300' })
      await setFilterSettings(h.runtime.storage, { communityId: 'default' }, 'links', [
        'enabled=true',
        'steps=warn,timeout:60',
      ])
      await h.runtime.module(routerModule).ctx.state.pipeline.filters.book.reload()
    })
    after(async () => {
      await h?.close()
    })

    test('a link is deleted with a warning; the next one is deleted and the user timed out', async () => {
      const first = h.fake.message('free nitro at spam.xyz/claim')
      await h.fake.rest.waitFor((r) => r.method === 'DELETE' && r.path === `/channels/300/messages/${first}`)
      await h.fake.rest.waitFor(posted(new RegExp(`<@${VIEWER.id}> .*no links`)))
      const second = h.fake.message('really free nitro at spam dot xyz')
      await h.fake.rest.waitFor((r) => r.method === 'DELETE' && r.path === `/channels/300/messages/${second}`)
      const timeout = await h.fake.rest.waitFor(
        (r) => r.method === 'PATCH' && r.path === `/guilds/200/members/${VIEWER.id}`,
      )
      const until = Date.parse(timeout.json.communication_disabled_until)
      assert.ok(until > Date.now() && until <= Date.now() + 60_000, timeout.json.communication_disabled_until)
    })

    test('a moderator’s link is left alone', async () => {
      const id = h.fake.message('rules are at example.com/rules', { author: MOD })
      h.fake.message('!say after the mod link')
      await h.fake.rest.waitFor(posted(/^after the mod link$/))
      assert.equal(h.fake.rest.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(`/${id}`)).length, 0)
    })
  })
}
