/**
 * Two Discord collector processes on one bot token: each serves only the channels it claimed, so every
 * message is answered once; DMs and guild-wide events are taken once across processes through the shared
 * cache (Redis). Both connect to the same fake gateway, as two processes would to Discord.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import type { RestRequest } from '../../../test/fakes/discord/index.js'
import type { Runtime } from '../../runtime/host.js'
import {
  collectorReady,
  type DiscordHarness,
  startDiscordHarness,
  startExtraCollector,
} from '../../../test/helpers/discord-harness.js'
import discordModule from './index.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]
const GUILDS = [
  {
    id: '200',
    systemChannelId: null,
    channels: [
      { id: '300', name: 'a' },
      { id: '301', name: 'b' },
    ],
  },
]
const replies = (h: DiscordHarness, content: string) =>
  h.fake.rest.requests.filter(
    (r: RestRequest) =>
      r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path) && r.json?.content === content,
  )
const claimsOf = (rt: Runtime) =>
  rt
    .module(discordModule)
    .ctx.state.handle.coordination.held()
    .map((e) => e.entity_id)

for (const [backend, skip] of backends) {
  describe(`two discord collectors on ${backend.name}`, { skip }, () => {
    let h: DiscordHarness
    let second: Awaited<ReturnType<typeof startExtraCollector>>
    before(async () => {
      h = await startDiscordHarness(backend, {
        guilds: GUILDS,
        channels: '200/300,200/301',
        env: { WADDLEBOT_DISCORD_MAX_CLAIMS: '1' },
        expectClaims: 1,
      })
      second = await startExtraCollector(h)
      await collectorReady(second.runtime, 1)
      await h.fake.gateway.waitForSessions(2)
    })
    after(async () => {
      await second?.close()
      await h?.close()
    })

    test('the channels are shared without overlap and each message is answered once', async () => {
      const a = claimsOf(h.runtime)
      const b = claimsOf(second.runtime)
      assert.deepEqual([...a, ...b].sort(), ['discord:200:300', 'discord:200:301'])
      for (const channelId of ['300', '301']) {
        h.fake.message(`!say once in ${channelId}`, { channelId })
        await h.fake.rest.waitFor(
          (r) => r.path === `/channels/${channelId}/messages` && r.json?.content === `once in ${channelId}`,
        )
        // A second answer from the other process would have come by the time a later message is answered.
        h.fake.message(`!say then ${channelId}`, { channelId })
        await h.fake.rest.waitFor(
          (r) => r.path === `/channels/${channelId}/messages` && r.json?.content === `then ${channelId}`,
        )
        assert.equal(replies(h, `once in ${channelId}`).length, 1)
        assert.equal(await h.executions(`!say once in ${channelId}`), 1)
      }
    })

    const sharedCache = backend.name.includes('redis')
      ? undefined
      : 'needs a cache shared by the processes (Redis); in-process caches are per process'
    test('a DM and a guild-wide event are handled by one process only', { skip: sharedCache }, async () => {
      h.fake.message('!say dm once', { dm: true })
      h.fake.memberJoin({ id: '777', username: 'carl', roles: [] })
      await h.fake.rest.waitFor((r) => r.json?.content === 'dm once')
      await h.fake.rest.waitFor((r) => r.json?.content === 'seen member_join carl')
      h.fake.message('!say after join', { channelId: '300' })
      h.fake.message('!say after join', { channelId: '301' })
      await h.fake.rest.waitFor(() => replies(h, 'after join').length === 2)
      assert.equal(replies(h, 'dm once').length, 1)
      assert.equal(replies(h, 'seen member_join carl').length, 1)
    })
  })
}
