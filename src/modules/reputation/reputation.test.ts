/**
 * reputation on both backends, through the router: points for each event kind with their caps (chat per
 * minute, follow once a day), per person across platforms (identity id), batched writes, `!points`,
 * `!leaderboard`, `!give` (off until a moderator turns it on), `!reputation`, auto-moderation, history and
 * the REST API, and the flush on teardown.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { type PeopleFixture, startPeople, type Viewer } from '../../../test/helpers/people-runtime.js'
import { createLogger } from '../../runtime/logger.js'
import { sql } from '../../runtime/storage/sql.js'
import { Caps } from './caps.js'
import { Ledger } from './ledger.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

const mod: Viewer = { user_id: 'mod', user_name: 'mia', display_name: 'Mia', roles: ['moderator'] }
const person = (name: string): Viewer => ({
  user_id: `id-${name}`,
  user_name: name,
  display_name: name[0]!.toUpperCase() + name.slice(1),
})

describe('reputation', { concurrency: true }, () => {
  for (const [backend, skip] of backends) {
    describe(`reputation on ${backend.name}`, { skip, concurrency: 1 }, () => {
      let f: PeopleFixture
      before(async () => {
        f = await startPeople(backend)
      })
      after(async () => {
        await f?.close()
      })

      const standing = async (subject: string) =>
        (
          await f.call(
            'reputation',
            'GET',
            `/api/v1/reputation/user?community_id=default&subject=${encodeURIComponent(subject)}`,
          )
        ).json()

      test('chat earns 1 a message up to 5 a minute per person; commands earn nothing', async () => {
        const ann = person('ann')
        for (let i = 0; i < 9; i++) await f.event(ann, `message ${i}`)
        await f.say(ann, '!ping')
        assert.equal((await standing('local:id-ann')).points, 5)
        f.clock.advance(60_000)
        for (let i = 0; i < 2; i++) await f.event(ann, `later ${i}`)
        assert.equal((await standing('local:id-ann')).points, 7)
      })

      test('each event kind scores its default; follow counts once a day', async () => {
        const kinds: [string, Record<string, unknown>, number][] = [
          ['follow', {}, 10],
          ['subscription', { tier: '1000' }, 50],
          ['resub', { cumulative_months: 3 }, 50],
          ['subgift', { total: 3 }, 150],
          ['cheer', { bits: 250 }, 2],
          ['raid', { viewers: 4 }, 20],
          ['ban', {}, -100],
          ['timeout', {}, -20],
        ]
        for (const [type, metadata, expected] of kinds) {
          const who = person(`k${type}`)
          const out = await f.event(who, '', { message_type: type, metadata })
          assert.equal(out.outcome, 'event')
          assert.deepEqual(out.responses, [])
          assert.equal((await standing(`local:${who.user_id}`)).points, expected, type)
        }
        const fan = person('kfollow')
        await f.event(fan, '', { message_type: 'follow' })
        assert.equal((await standing('local:id-kfollow')).points, 10, 'a second follow the same day earns nothing')
        f.clock.advance(86_400_000)
        await f.event(fan, '', { message_type: 'follow' })
        assert.equal((await standing('local:id-kfollow')).points, 20)
      })

      test('writes are batched: 200 chat events from 20 people become one transaction of two statements', async () => {
        f.clock.advance(60_000)
        await f.reputation.ledger.flush()
        const before = { ...f.reputation.ledger.stats }
        for (let round = 0; round < 4; round++)
          await Promise.all(Array.from({ length: 50 }, (_, i) => f.event(person(`batch${i % 20}`), `hi ${i}`)))
        assert.equal(f.reputation.ledger.stats.flushes, before.flushes, 'nothing written before the flush')
        await f.reputation.ledger.flush()
        const s = f.reputation.ledger.stats
        assert.equal(s.flushes - before.flushes, 1)
        assert.equal(s.statements - before.statements, 2)
        assert.equal(s.scored - before.scored, 100, 'each of 20 people is capped at 5 a minute')
        const row = await f.runtime.storage.one<{ points: unknown }>(
          sql`select points from reputation_scores where subject = 'local:id-batch7'`,
        )
        assert.equal(Number(row?.points), 5)
        const history = (
          await f.call('reputation', 'GET', '/api/v1/reputation/history?community_id=default&subject=local:id-batch7')
        ).json()
        assert.deepEqual(
          history.history.map((h: { reason: string; delta: number; events: number }) => [h.reason, h.delta, h.events]),
          [['message', 5, 5]],
        )
      })

      test('one person across platforms: the identity id keys the points', async () => {
        const request = (platform: string, userId: string) => ({
          execution_id: randomUUID(),
          session_id: randomUUID(),
          command: 'score',
          args: [],
          raw_message: '',
          trigger: 'event' as const,
          user: { id: userId, name: 'ida', roles: [], identity_id: 'identity-ida' },
          entity: { id: `${platform}:s:c`, platform, server_id: 's', channel_id: 'c', community_id: 'default' },
          event: { type: 'follow', data: {} },
        })
        await f.reputation.onEvent(request('twitch', 't-1'))
        f.clock.advance(86_400_000)
        await f.reputation.onEvent(request('discord', 'd-1'))
        assert.equal((await standing('identity-ida')).points, 20)
      })

      test('!points, !leaderboard and !points <user>', async () => {
        const zed = person('zed')
        await f.event(zed, '', { message_type: 'subgift', metadata: { total: 20 } })
        assert.match((await f.say(zed, '!points'))[0]!, /^@Zed has 1000 points \(#1 here\)\.$/)
        assert.match((await f.say(mod, '!points zed'))[0]!, /^@Zed has 1000 points \(#1 here\)\.$/)
        assert.deepEqual(await f.say(mod, '!points nobody'), ["I haven't seen @nobody chat here yet."])
        const top = (await f.say(mod, '!leaderboard'))[0]!
        assert.match(
          top,
          /^Top 5: 1\. Zed \(1000\) · 2\. Kraid \(20\) · 3\. Kfollow \(20\)|^Top 5: 1\. Zed \(1000\) · 2\. /,
        )
        assert.deepEqual(await f.say(mod, '!top'), [top])
        const api = (
          await f.call('reputation', 'GET', '/api/v1/reputation/leaderboard?community_id=default&limit=2')
        ).json()
        assert.equal(api.leaderboard.length, 2)
        assert.deepEqual(api.leaderboard[0], {
          subject: 'local:id-zed',
          name: 'zed',
          display_name: 'Zed',
          points: 1000,
          rank: 1,
        })
        const bad = await f.call('reputation', 'GET', '/api/v1/reputation/leaderboard?community_id=default&limit=0')
        assert.equal(bad.statusCode, 400)
        assert.equal(bad.json().error.field, 'limit')
        assert.equal(
          (await f.call('reputation', 'GET', '/api/v1/reputation/leaderboard?community_id=default', undefined, null))
            .statusCode,
          401,
        )
      })

      test('!give: off until a moderator turns it on, then moves points once and refuses what is not there', async () => {
        const zed = person('zed')
        const amy = person('amy')
        await f.event(amy, 'hello')
        assert.match((await f.say(zed, '!give amy 10'))[0]!, /!give is off here/)
        assert.match((await f.say(zed, '!reputation give on'))[0]!, /is for moderators and above/)
        assert.match((await f.say(mod, '!reputation give on'))[0]!, /^Saved\. .*!give on/)
        assert.deepEqual(await f.say(zed, '!give @Amy 100'), ['@Zed gave 100 points to @Amy.'])
        assert.equal((await standing('local:id-zed')).points, 900)
        assert.equal((await standing('local:id-amy')).points, 101)
        assert.deepEqual(await f.say(amy, '!give zed 500'), ['You have 101 points: not enough to give 500.'])
        assert.match((await f.say(amy, '!give zed lots'))[0]!, /is not an amount/)
        assert.deepEqual(await f.say(amy, '!give amy 1'), ["You can't give points to yourself."])
        assert.deepEqual(await f.say(amy, '!give'), ['Usage: !give <user> <points>'])
        const history = (
          await f.call('reputation', 'GET', '/api/v1/reputation/history?community_id=default&subject=local:id-amy')
        ).json()
        assert.deepEqual(history.history[0], {
          subject: 'local:id-amy',
          delta: 100,
          reason: 'give',
          events: 1,
          actor: 'local:id-zed',
          created_at: f.clock.now(),
        })
      })

      test('!reputation settings and the settings API change the weights per community', async () => {
        assert.match((await f.say(mod, '!reputation set follow 25'))[0]!, /follow 25/)
        assert.match((await f.say(mod, '!reputation set dance 5'))[0]!, /^Events: message, follow/)
        assert.match((await f.say(mod, '!reputation cap 2'))[0]!, /chat cap 2\/min/)
        const newbie = person('newbie')
        await f.event(newbie, '', { message_type: 'follow' })
        for (let i = 0; i < 4; i++) await f.event(newbie, `m${i}`)
        assert.equal((await standing('local:id-newbie')).points, 27)
        const put = await f.call('reputation', 'PUT', '/api/v1/reputation/settings', {
          community_id: 'default',
          points: { sub: 70 },
        })
        assert.equal(put.statusCode, 200)
        assert.equal(put.json().points.sub, 70)
        assert.equal(put.json().points.follow, 25)
        const bad = await f.call('reputation', 'PUT', '/api/v1/reputation/settings', {
          community_id: 'default',
          points: { sub: 'x' },
        })
        assert.equal(bad.json().error.field, 'points.sub')
        assert.match((await f.say(mod, '!reputation reset'))[0]!, /^Reset\. .*follow 10, sub 50/)
      })

      test('auto-moderation: at or below the threshold, chat gets the moderation response (once a minute)', async () => {
        assert.match((await f.say(mod, '!reputation automod -50 timeout 120'))[0]!, /automod timeout 120s at ≤ -50/)
        const troll = person('troll')
        await f.event(troll, '', { message_type: 'ban' })
        const out = await f.event(troll, 'i am back')
        assert.deepEqual(out.responses, [
          {
            type: 'moderation',
            action: 'timeout',
            reason: "reputation -99 is at or below this community's threshold (-50)",
            duration: 120,
          },
        ])
        assert.deepEqual((await f.event(troll, 'again')).responses, [])
        assert.deepEqual((await f.event(person('nice'), 'hi')).responses, [])
        assert.match((await f.say(mod, '!reputation automod off'))[0]!, /automod off/)
      })

      test('two replicas share one per-minute cap (the cache counts, Redis when configured)', async () => {
        const a = new Caps(f.runtime.cache, f.clock.now)
        const b = new Caps(f.runtime.cache, f.clock.now)
        const verdicts = await Promise.all(
          Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).message('replicas', 'local:r', 5)),
        )
        assert.equal(verdicts.filter(Boolean).length, 5)
        f.clock.advance(60_000)
        assert.equal(await a.message('replicas', 'local:r', 5), true)
      })

      test('a ledger flushes what it holds when it closes (teardown)', async () => {
        const ledger = new Ledger(f.runtime.storage, createLogger({ level: 'silent' }), {
          flushMs: 60_000,
          maxPending: 100,
          now: f.clock.now,
        })
        ledger.start()
        ledger.add({ community_id: 'closing', subject: 'local:x' }, 7, 'message')
        await ledger.close()
        const row = await f.runtime.storage.one<{ points: unknown }>(
          sql`select points from reputation_scores where community_id = 'closing'`,
        )
        assert.equal(Number(row?.points), 7)
      })
    })
  }
})
