/**
 * Acceptance of the Discord collector: the real discord.js client against the fake Discord, a real router
 * and a test module in one runtime, on SQLite + in-process and on Postgres + Redis.
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
import { type DiscordHarness, startDiscordHarness } from '../../../test/helpers/discord-harness.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

const MOD_PERMS = BASIC_PERMS | PERM.ManageMessages | PERM.ModerateMembers | PERM.BanMembers
const MIA = { id: '501', username: 'mia' }
const ADA = { id: '502', username: 'ada' }
const GUILDS = [
  {
    id: '200',
    botPermissions: MOD_PERMS,
    systemChannelId: '300',
    channels: [
      { id: '300', name: 'general' },
      { id: '301', name: 'unclaimed' },
      { id: '302', name: 'voice', type: 2 },
    ],
    roles: [
      { id: '2001', name: 'Mods', permissions: PERM.ManageMessages },
      { id: '2002', name: 'Admins', permissions: PERM.Administrator },
    ],
    members: [
      { ...MIA, roles: ['2001'] },
      { ...ADA, roles: ['2002'] },
    ],
  },
  { id: '210', channels: [{ id: '310', name: 'general' }] },
]

const posted = (channel: string, content?: string) => (r: RestRequest) =>
  r.method === 'POST' &&
  r.path === `/channels/${channel}/messages` &&
  (content === undefined || r.json?.content === content)

for (const [backend, skip] of backends) {
  describe(`discord collector on ${backend.name}`, { skip }, () => {
    let h: DiscordHarness
    before(async () => {
      h = await startDiscordHarness(backend, { guilds: GUILDS, channels: '200/300,210/310' })
    })
    after(async () => {
      await h?.close()
    })

    test("a viewer's !ping reaches the router and the bot's pong arrives at Discord REST", async () => {
      h.fake.message('!ping')
      const sent = await h.fake.rest.waitFor(posted('300', 'pong'))
      assert.equal(sent.headers.authorization, 'Bot fake.token')
      assert.ok((await h.executions('!ping')) >= 1)
    })

    test('messages in a channel this process has not claimed are ignored', async () => {
      h.fake.message('!say in-301', { channelId: '301' })
      h.fake.message('!say after-301')
      await h.fake.rest.waitFor(posted('300', 'after-301'))
      assert.equal(h.fake.rest.requests.filter(posted('301')).length, 0)
      assert.equal(await h.executions('!say in-301'), 0)
    })

    test('direct messages are answered in the DM channel', async () => {
      h.fake.message('!say dm hello', { dm: true })
      await h.fake.rest.waitFor(posted(`7${VIEWER.id}`, 'dm hello'))
    })

    test('roles: owner, Administrator, Manage Messages and boosters map to waddlebot roles', async () => {
      const rolesOf = async (author: { id: string; username: string }) => {
        const before = h.fake.rest.requests.length
        h.fake.message('!whoami', { author })
        const r = await h.fake.rest.waitFor(
          (x) => h.fake.rest.requests.indexOf(x) >= before && posted('300')(x) && /^roles=/.test(x.json?.content),
        )
        return new Set(String(r.json.content).slice('roles='.length).split(',').filter(Boolean))
      }
      assert.deepEqual(await rolesOf({ id: '900', username: 'owner' }), new Set(['owner', 'admin', 'moderator']))
      assert.deepEqual(await rolesOf(ADA), new Set(['admin', 'moderator']))
      assert.deepEqual(await rolesOf(MIA), new Set(['moderator']))
      assert.deepEqual(await rolesOf(VIEWER), new Set())
    })

    test('a long reply is split at 2000 without breaking words or multi-byte characters', async () => {
      const start = h.fake.rest.requests.length
      h.fake.message('!long')
      await h.fake.rest.waitFor(
        (r) =>
          h.fake.rest.requests.indexOf(r) >= start &&
          posted('300')(r) &&
          String(r.json.content).includes('héllo') &&
          h.fake.rest.requests.slice(start).filter((x) => posted('300')(x) && String(x.json.content).includes('héllo'))
            .length >= 3,
      )
      const parts = h.fake.rest.requests
        .slice(start)
        .filter((x) => posted('300')(x) && String(x.json.content).includes('héllo'))
        .map((x) => String(x.json.content))
      const words = ['héllo', 'wörld', '🐧', 'naïve', '👩‍👩‍👧‍👦', 'ÿes']
      const original = Array.from({ length: 700 }, (_, i) => words[i % 6]).join(' ')
      assert.equal(parts.length, Math.ceil(original.length / 2000))
      for (const part of parts) {
        assert.ok(part.length <= 2000, `part of ${part.length}`)
        for (const word of part.split(' ')) assert.ok(words.includes(word), `broken word ${JSON.stringify(word)}`)
      }
      assert.equal(parts.join(' '), original)
    })

    test('forms become embed fields and media an embed with title, artist and thumbnail', async () => {
      h.fake.message('!card')
      const form = await h.fake.rest.waitFor((r) => posted('300')(r) && r.json?.embeds?.[0]?.title === 'Profile')
      assert.deepEqual(form.json.embeds[0].fields, [
        { name: 'Name', value: 'Ann', inline: false },
        { name: 'Level', value: '7', inline: false },
      ])
      const media = await h.fake.rest.waitFor((r) => posted('300')(r) && r.json?.embeds?.[0]?.title === 'Song')
      assert.equal(media.json.embeds[0].description, 'Band')
      assert.equal(media.json.embeds[0].thumbnail.url, 'https://example.test/art.png')
    })

    test('a 429 from Discord is waited out by discord.js REST and the message still arrives', async () => {
      let limited = 0
      h.fake.rest.override((r) =>
        posted('300', 'after a 429')(r) && limited++ === 0
          ? {
              status: 429,
              body: { message: 'You are being rate limited.', retry_after: 0.05, global: false },
              headers: { 'retry-after': '0.05', 'x-ratelimit-scope': 'user' },
            }
          : undefined,
      )
      try {
        h.fake.message('!say after a 429')
        await h.fake.rest.waitFor(() => h.fake.rest.requests.filter(posted('300', 'after a 429')).length === 2)
        assert.equal(limited, 2)
      } finally {
        h.fake.rest.override(undefined)
      }
    })

    test('moderation responses become REST delete, timeout and ban where the bot has the permission', async () => {
      const messageId = h.fake.message('!mod delete')
      await h.fake.rest.waitFor((r) => r.method === 'DELETE' && r.path === `/channels/300/messages/${messageId}`)
      h.fake.message('!mod timeout')
      const timeout = await h.fake.rest.waitFor(
        (r) => r.method === 'PATCH' && r.path === `/guilds/200/members/${VIEWER.id}`,
      )
      const until = Date.parse(timeout.json.communication_disabled_until)
      assert.ok(until > Date.now() && until <= Date.now() + 60_000, timeout.json.communication_disabled_until)
      h.fake.message('!mod ban')
      const ban = await h.fake.rest.waitFor((r) => r.method === 'PUT' && r.path === `/guilds/200/bans/${VIEWER.id}`)
      assert.equal(decodeURIComponent(String(ban.headers['x-audit-log-reason'])), 'test ban')
    })

    test('moderation without the permission is not attempted and is reported in the channel', async () => {
      h.fake.message('!mod ban', { guildId: '210', channelId: '310' })
      const report = await h.fake.rest.waitFor((r) => posted('310')(r) && /Ban Members/.test(r.json?.content))
      assert.match(report.json.content, /could not ban/)
      assert.equal(h.fake.rest.requests.filter((r) => r.path.startsWith('/guilds/210/bans')).length, 0)
    })

    test('member join/leave, voice join/leave, boosts and reactions reach the router', async () => {
      const bob = { id: '601', username: 'bob' }
      h.fake.memberJoin({ ...bob, roles: [] })
      await h.fake.rest.waitFor(posted('300', 'seen member_join bob'))
      h.fake.voice(bob, '302')
      await h.fake.rest.waitFor(posted('300', 'seen voice_join bob'))
      h.fake.voice(bob, null)
      await h.fake.rest.waitFor(posted('300', 'seen voice_leave bob'))
      h.fake.boost(bob)
      await h.fake.rest.waitFor(posted('300', 'seen boost bob'))
      h.fake.reaction('1234', '🐧', { user: bob })
      await h.fake.rest.waitFor(posted('300', 'seen reaction bob'))
      h.fake.memberLeave(bob)
      await h.fake.rest.waitFor(posted('300', 'seen member_leave bob'))
    })

    test('a slash command over the gateway is answered through the interaction callback', async () => {
      const i = h.fake.slash({ options: [{ name: 'text', type: 3, value: 'say over the gateway' }] })
      h.fake.interact(i)
      const cb = await h.fake.rest.waitFor(
        (r) => r.method === 'POST' && r.path === `/interactions/${i.id}/${i.token}/callback`,
      )
      assert.deepEqual({ type: cb.json.type, content: cb.json.data.content }, { type: 4, content: 'over the gateway' })
    })

    test('interactions endpoint: PING, and a signed slash command gets a type-4 reply with the router answer', async () => {
      assert.deepEqual((await h.interact(JSON.stringify({ id: '1', application_id: '101', type: 1 }))).json, {
        type: 1,
      })
      const slash = h.fake.slash({ options: [{ name: 'text', type: 3, value: 'say via http' }] })
      const res = await h.interact(JSON.stringify(slash))
      assert.equal(res.status, 200)
      assert.deepEqual(res.json, { type: 4, data: { content: 'via http', allowed_mentions: { parse: ['users'] } } })
      const cmd = h.fake.slash({
        name: 'command',
        options: [
          { name: 'name', type: 3, value: 'say' },
          { name: 'args', type: 3, value: 'two words' },
        ],
      })
      assert.equal(
        ((await h.interact(JSON.stringify(cmd))).json as { data: { content: string } }).data.content,
        'two words',
      )
    })

    test('forged signature, tampered body, old timestamp and missing headers get 401 and reach nothing', async () => {
      const body = (text: string) => JSON.stringify(h.fake.slash({ options: [{ name: 'text', type: 3, value: text }] }))
      const forged = body('say forged')
      const other = (await import('../../../test/fakes/discord/sign.js')).createInteractionSigner()
      assert.equal((await h.interact(forged, other.headers(forged))).status, 401)
      const tampered = body('say tampered')
      assert.equal((await h.interact(tampered, h.signer.headers(tampered.replace('101', '102')))).status, 401)
      const old = body('say replayed')
      const res = await h.interact(old, h.signer.headers(old, String(Math.floor(Date.now() / 1000) - 600)))
      assert.equal(res.status, 401)
      assert.match(JSON.stringify(res.json), /WB_WEBHOOK_SIGNATURE_INVALID/)
      assert.equal((await h.interact(body('say bare'), { 'content-type': 'application/json' })).status, 401)
      for (const text of ['forged', 'tampered', 'replayed', 'bare'])
        assert.equal(await h.executions(`!say ${text}`), 0, text)
    })

    test('a duplicate interaction id is processed once', async () => {
      const body = JSON.stringify(h.fake.slash({ options: [{ name: 'text', type: 3, value: 'say only once' }] }))
      assert.equal((await h.interact(body)).status, 200)
      const again = await h.interact(body, h.signer.headers(body))
      assert.equal(again.status, 409)
      assert.equal(await h.executions('!say only once'), 1)
    })

    test('a slow router answer is deferred (type 5) and the original message edited through REST', async () => {
      const slash = h.fake.slash({ options: [{ name: 'text', type: 3, value: 'sleepy' }] })
      const res = await h.interact(JSON.stringify(slash))
      assert.deepEqual(res.json, { type: 5 })
      const edit = await h.fake.rest.waitFor(
        (r) => r.method === 'PATCH' && r.path === `/webhooks/101/${slash.token}/messages/@original`,
        10_000,
      )
      assert.equal(edit.json.content, 'finally awake')
      assert.equal(edit.headers.authorization, undefined)
    })

    test('a long interaction reply continues in follow-up messages', async () => {
      const slash = h.fake.slash({ options: [{ name: 'text', type: 3, value: 'long' }] })
      const res = (await h.interact(JSON.stringify(slash))).json as { type: number; data: { content: string } }
      assert.equal(res.type, 4)
      assert.ok(res.data.content.length <= 2000 && res.data.content.startsWith('héllo'))
      const follow = await h.fake.rest.waitFor((r) => r.method === 'POST' && r.path === `/webhooks/101/${slash.token}`)
      assert.ok(String(follow.json.content).length <= 2000)
    })

    test('moderation from an HTTP slash command targets the invoking user', async () => {
      const mia = h.fake.slash({ user: MIA, options: [{ name: 'text', type: 3, value: 'mod timeout' }] })
      await h.interact(JSON.stringify(mia))
      await h.fake.rest.waitFor((r) => r.method === 'PATCH' && r.path === `/guilds/200/members/${MIA.id}`)
    })

    test('/discord/status reports chat connected and the claims', async () => {
      const status = (await (await fetch(`${h.url}/discord/status`)).json()) as { chat: string; claims: string[] }
      assert.equal(status.chat, 'connected')
      assert.deepEqual([...status.claims].sort(), ['discord:200:300', 'discord:210:310'])
      assert.equal((await fetch(`${h.url}/health`)).status, 200)
    })
  })
}
