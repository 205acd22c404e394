/**
 * One person across platforms, one community across channels (issue 15), on SQLite and on Postgres + Redis:
 * a Twitch channel and a Discord server in one community share commands, overrides and roles; a user links
 * Twitch → Discord with a code DM'd on the fake Discord; afterwards one cooldown and one rate limit apply
 * across both; a rename keeps the link; 5 wrong codes lock; an expired code is refused with one line;
 * whispers that Discord refuses are reported in the execution log; every admin action leaves an audit row.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { type PeopleHarness, type Person, startPeopleHarness } from '../../../test/helpers/people-harness.js'
import { sql } from '../../runtime/storage/sql.js'
import routerModule from '../router/index.js'
import { CODE_ALPHABET } from './codes.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

const CODE = new RegExp(`\\b([${CODE_ALPHABET}]{6})\\b`)
const streamer: Person = { id: 't-owner', name: 'penguinstreams', roles: ['broadcaster'] }
const annTwitch: Person = { id: 't-1', name: 'annie' }
const annDiscord: Person = { id: '801', name: 'ann_d' }

for (const [backend, skip] of backends) {
  describe(`identity and community on ${backend.name}`, { skip }, () => {
    let h: PeopleHarness
    const codeFrom = async (userId: string, after: number) => CODE.exec(await h.dmTo(userId, after))?.[1] ?? ''
    const mark = () => h.fake.rest.requests.length

    before(async () => {
      h = await startPeopleHarness(backend)
    })
    after(async () => {
      await h?.close()
    })

    test('a community made from Twitch chat takes in the Discord server; both share it', async () => {
      const made = await h.twitch('!community create Penguin Club', streamer)
      assert.match(h.lines(made), /Community Penguin Club created with this channel; you are its owner/)
      const added = await h.call('community', 'POST', '/api/v1/communities/penguin-club/entities', {
        entity_id: 'discord:200:300',
      })
      assert.equal(added.status, 201, JSON.stringify(added.body))
      assert.match(h.lines(await h.twitch('!who', annTwitch)), / penguin-club$/)
      assert.match(h.lines(await h.discord('!who', annDiscord)), / penguin-club$/)
      // A channel outside the community stays in `default`.
      assert.match(h.lines(await h.twitch('!who', annTwitch, 'other')), / default$/)
      assert.match(
        h.lines(await h.discord('!community info', annDiscord)),
        /Penguin Club: 2 channels \(discord, twitch\)/,
      )
      const refused = await h.discord('!community create Mine', annDiscord)
      assert.match(h.lines(refused), /Only the channel's owner/)
    })

    test('a community override applies on both platforms, not outside', async () => {
      const set = await h.call('router', 'PUT', '/api/v1/admin/commands/overrides', {
        command: '!cool',
        community_id: 'penguin-club',
        is_enabled: false,
      })
      assert.equal(set.status, 200, JSON.stringify(set.body))
      const poller: Person = { id: 't-poll', name: 'poll' }
      const quiet = async () => (await h.twitch('!cool', poller)).outcome
      for (let i = 0; i < 50 && (await quiet()) !== 'unknown_command'; i++) await new Promise((r) => setTimeout(r, 20))
      assert.equal((await h.twitch('!cool', annTwitch)).outcome, 'unknown_command')
      assert.equal((await h.discord('!cool', annDiscord)).outcome, 'unknown_command')
      assert.equal((await h.twitch('!cool', { id: 't-x', name: 'x' }, 'other')).outcome, 'command')
      const removed = await h.call('router', 'DELETE', '/api/v1/admin/commands/overrides', {
        command: '!cool',
        community_id: 'penguin-club',
      })
      assert.equal(removed.status, 204)
      for (let i = 0; i < 50 && (await quiet()) === 'unknown_command'; i++) await new Promise((r) => setTimeout(r, 20))
    })

    test('a community moderator set from Twitch is a moderator on Discord', async () => {
      assert.equal((await h.discord('!modonly', annDiscord)).outcome, 'forbidden')
      assert.match(h.lines(await h.discord('!community join', annDiscord)), /joined this community/)
      const notAdmin = await h.discord('!community role ann_d moderator', annDiscord)
      assert.match(h.lines(notAdmin), /Only the community's owner or an admin/)
      const made = await h.twitch('!community role ann_d moderator', streamer)
      assert.match(h.lines(made), /ann_d is now moderator in this community, on every platform/)
      assert.equal(h.lines(await h.discord('!modonly', annDiscord)), 'mod ok')
      assert.match(h.lines(await h.discord('!community members', annDiscord)), /ann_d \(moderator, discord\)/)
    })

    test('linking Twitch → Discord: a code by DM on Discord, !verify there; resend spacing', async () => {
      const from = mark()
      const asked = await h.twitch('!identity link discord ann_d', annTwitch)
      assert.match(h.lines(asked), /I sent a code by DM to ann_d \(discord\)/)
      const code = await codeFrom('801', from)
      assert.match(code, /^[A-HJ-NP-Z2-9]{6}$/)
      assert.match(
        h.lines(await h.twitch('!identity link discord ann_d', annTwitch)),
        /moments ago; ask again in \d+ s/,
      )
      assert.match(
        h.lines(await h.discord(`!verify ${code.toLowerCase()}`, annDiscord)),
        /Linked! ann_d \(discord\), annie \(twitch\)/,
      )
      const [a, b] = [h.lines(await h.twitch('!who', annTwitch)), h.lines(await h.discord('!who', annDiscord))]
      assert.match(a, /^who idn_\w+ penguin-club$/)
      assert.equal(a, b)
      assert.match(
        h.lines(await h.twitch('!identity', annTwitch)),
        /Your linked accounts: ann_d \(discord\), annie \(twitch\)/,
      )
    })

    test('after the link: one cooldown, one rate limit, the community role on Twitch too', async () => {
      assert.equal(h.lines(await h.twitch('!cool', annTwitch)), 'cool ok')
      const second = await h.discord('!cool', annDiscord)
      assert.equal(second.outcome, 'rate_limited')
      assert.match(h.lines(second), /!cool is on cooldown, \d+ s left/)
      assert.equal(h.lines(await h.twitch('!rl', annTwitch)), 'rl ok')
      assert.equal(h.lines(await h.discord('!rl', annDiscord)), 'rl ok')
      assert.equal((await h.twitch('!rl', annTwitch)).outcome, 'rate_limited')
      // The moderator role given to the Discord account follows the person to Twitch.
      assert.equal(h.lines(await h.twitch('!modonly', annTwitch)), 'mod ok')
    })

    test('after the link: one points total on both platforms (reputation keys on the identity)', async () => {
      await h.event('twitch', 'follow', annTwitch)
      await h.event('discord', 'subscription', annDiscord)
      const onTwitch = h.lines(await h.twitch('!points', annTwitch)).replace('@annie', '@x')
      const onDiscord = h.lines(await h.discord('!points', annDiscord)).replace('@ann_d', '@x')
      assert.match(onTwitch, /has (\d+) points/)
      // follow 10 on Twitch + sub 50 on Discord (+ chat): one total.
      assert.ok(Number(/has (\d+) points/.exec(onTwitch)![1]) >= 60, onTwitch)
      assert.equal(onTwitch, onDiscord)
    })

    test('the entity-wide limit counts every user of the community on every platform', async () => {
      assert.equal((await h.twitch('!crowd', { id: 't-a', name: 'a' })).outcome, 'command')
      assert.equal((await h.discord('!crowd', { id: 'd-b', name: 'b' })).outcome, 'command')
      assert.equal((await h.twitch('!crowd', { id: 't-c', name: 'c' })).outcome, 'command')
      assert.equal((await h.discord('!crowd', { id: 'd-d', name: 'd' })).outcome, 'rate_limited')
      assert.equal((await h.twitch('!crowd', { id: 't-e', name: 'e' }, 'other')).outcome, 'command')
    })

    test('a Twitch rename keeps the link and updates the name', async () => {
      const before = h.lines(await h.twitch('!who', annTwitch))
      const renamed: Person = { id: 't-1', name: 'annie_v2' }
      assert.equal(h.lines(await h.twitch('!who', renamed)), before)
      assert.match(h.lines(await h.twitch('!identity', renamed)), /ann_d \(discord\), annie_v2 \(twitch\)/)
      assert.equal((await h.discord('!cool', annDiscord)).outcome, 'rate_limited')
    })

    test('5 wrong codes lock the link; the right code is refused afterwards', async () => {
      const bob: Person = { id: 't-2', name: 'bob' }
      const bobD: Person = { id: '802', name: 'bob_d' }
      await h.discord('hello', bobD)
      const from = mark()
      await h.twitch('!identity link discord bob_d', bob)
      const code = await codeFrom('802', from)
      const wrong = code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'
      for (let i = 1; i <= 4; i++)
        assert.match(h.lines(await h.discord(`!verify ${wrong}`, bobD)), new RegExp(`Wrong code: ${5 - i} tr`))
      assert.match(
        h.lines(await h.discord(`!verify ${wrong}`, bobD)),
        /That was 5 wrong codes: this link is locked for 60 min/,
      )
      assert.match(h.lines(await h.discord(`!verify ${code}`, bobD)), /Too many wrong codes: this link is locked/)
      assert.match(h.lines(await h.twitch('!identity link discord bob_d', bob)), /locked for \d+ more min/)
      assert.notEqual(h.lines(await h.twitch('!who', bob)), h.lines(await h.discord('!who', bobD)))
    })

    test('an expired code is refused with one clear line', async () => {
      const cat: Person = { id: 't-3', name: 'cat' }
      const catD: Person = { id: '803', name: 'cat_d' }
      await h.discord('hi', catD)
      const from = mark()
      await h.twitch('!identity link discord cat_d', cat)
      const code = await codeFrom('803', from)
      h.clock.advance(10 * 60_000 + 1)
      const late = await h.discord(`!verify ${code}`, catD)
      assert.equal(late.responses.length, 1)
      assert.equal(
        h.lines(late),
        'That code expired (codes last 10 minutes): ask for a new one with !identity link from your other account.',
      )
    })

    test('Discord refusing a DM: the link says why; a whisper response lands in the execution log', async () => {
      const dan: Person = { id: 't-4', name: 'dan' }
      const danD: Person = { id: '804', name: 'dan_d' }
      await h.discord('hi', danD)
      h.fake.world.dmClosed.add('804')
      const refused = await h.twitch('!identity link discord dan_d', dan)
      assert.match(h.lines(refused), /I could not DM dan_d \(discord\): .*does not accept direct messages .*50007/)
      const psst = await h.discord('!psst', danD)
      assert.equal(psst.outcome, 'command')
      assert.equal(psst.responses.length, 0)
      await h.runtime.module(routerModule).ctx.state.pipeline.executions.flush()
      const row = await h.runtime.storage.one<{ error_message: string | null }>(
        sql`select error_message from command_executions where command = '!psst' and user_id = '804'`,
      )
      assert.match(row?.error_message ?? '', /whisper to 804 on discord not delivered: .*50007/)
      // A user who takes DMs gets it, and it is not posted in the channel.
      const from = mark()
      const ok = await h.discord('!psst', annDiscord)
      assert.equal(ok.responses.length, 0)
      assert.equal(await h.dmTo('801', from), 'psst ann_d')
    })

    test('unlink gives the account its own identity again', async () => {
      assert.match(h.lines(await h.twitch('!identity unlink discord', annTwitch)), /Unlinked ann_d \(discord\)/)
      assert.notEqual(h.lines(await h.twitch('!who', annTwitch)), h.lines(await h.discord('!who', annDiscord)))
      assert.match(h.lines(await h.twitch('!identity', annTwitch)), /No linked accounts yet/)
    })

    test('user API keys: wbot_user_ prefix, hashed, at most 5, expiry, revocation', async () => {
      const who = /who (idn_\w+)/.exec(h.lines(await h.twitch('!who', annTwitch)))![1]!
      const made: { id: string; key: string }[] = []
      for (let i = 0; i < 5; i++) {
        const r = await h.call('identity', 'POST', '/api/v1/identity/keys', {
          identity_id: who,
          name: `k${i}`,
          days: 1,
        })
        assert.equal(r.status, 201, JSON.stringify(r.body))
        assert.match(r.body.key, /^wbot_user_[\w-]{43}$/)
        made.push(r.body)
      }
      const sixth = await h.call('identity', 'POST', '/api/v1/identity/keys', { identity_id: who, name: 'k5' })
      assert.equal(sixth.status, 409)
      assert.equal(sixth.body.error.code, 'WB_IDENTITY_KEY_LIMIT')
      const stored = await h.runtime.storage.query<{ key_hash: string }>(sql`select key_hash from user_api_keys`)
      assert.ok(stored.every((r) => /^[0-9a-f]{64}$/.test(r.key_hash) && !made.some((m) => m.key.includes(r.key_hash))))
      const ok = await h.call('identity', 'POST', '/api/v1/identity/keys/verify', { key: made[0]!.key })
      assert.deepEqual(ok.body, { identity_id: who, key_id: made[0]!.id })
      assert.equal((await h.call('identity', 'DELETE', `/api/v1/identity/keys/${made[0]!.id}`)).status, 200)
      assert.equal(
        (await h.call('identity', 'POST', '/api/v1/identity/keys/verify', { key: made[0]!.key })).status,
        401,
      )
      h.clock.advance(86_400_000 + 1)
      assert.equal(
        (await h.call('identity', 'POST', '/api/v1/identity/keys/verify', { key: made[1]!.key })).status,
        401,
      )
      const bad = await h.call('identity', 'POST', '/api/v1/identity/keys', { identity_id: who, name: '' })
      assert.equal(bad.status, 400)
      assert.equal(bad.body.error.field, 'name')
    })

    test('every admin action left an audit row', async () => {
      const rows = await h.runtime.storage.query<{ actor: string; action: string; target_id: string; details: string }>(
        sql`select actor, action, target_id, details from audit_log order by id`,
      )
      const actions = rows.map((r) => `${r.action} ${r.target_id} ${r.actor}`)
      assert.deepEqual(actions, [
        'community.create penguin-club twitch:t-owner',
        'community.add_entity penguin-club twitch:t-owner',
        'community.add_entity penguin-club service',
        'command.override.set penguin-club service',
        'command.override.delete penguin-club service',
        'community.role penguin-club twitch:t-owner',
      ])
      assert.match(rows[5]!.details, /"from":"member","to":"moderator"/)
      const feed = await h.call('community', 'GET', '/api/v1/communities/penguin-club/activity')
      assert.deepEqual((feed.body.activity as { activity_type: string }[]).map((a) => a.activity_type).reverse(), [
        'created',
        'entity_added',
        'entity_added',
        'joined',
        'role_changed',
      ])
    })
  })
}
