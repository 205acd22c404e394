/**
 * labels on both backends: the per-target limits hold under 20 concurrent adds (exactly 5 land), re-applying
 * renews, expiry frees a slot, bulk apply, search, check (the calendar's endpoint), the cache and its
 * invalidation, validation naming the field, keys, `LabelsClient` over HTTP, and `!label` in chat.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { type PeopleFixture, startPeople } from '../../../test/helpers/people-runtime.js'
import { sql } from '../../runtime/storage/sql.js'
import { LabelsClient } from './public.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

const mod = { user_id: 'm1', user_name: 'mia', display_name: 'Mia', roles: ['moderator'] }
const bob = { user_id: 'b1', user_name: 'bob', display_name: 'Bob' }
const viewer = { user_id: 'v1', user_name: 'vic' }

describe('labels', { concurrency: true }, () => {
  for (const [backend, skip] of backends) {
    describe(`labels on ${backend.name}`, { skip, concurrency: 1 }, () => {
      let f: PeopleFixture
      before(async () => {
        f = await startPeople(backend)
      })
      after(async () => {
        await f?.close()
      })

      const target = (id: string, type: 'user' | 'community' | 'entity' | 'module' = 'user') => ({
        community_id: 'default',
        target_type: type,
        target_id: id,
      })

      test('20 concurrent adds to one user: exactly 5 land, the rest are 409 WB_LABEL_LIMIT', async () => {
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            f.call('labels', 'POST', '/api/v1/labels', { ...target('local:race'), label: `tag-${i}` }),
          ),
        )
        const codes = answers.map((a) => a.statusCode).sort()
        assert.equal(codes.filter((c) => c === 201).length, 5, `statuses: ${codes.join(',')}`)
        assert.equal(codes.filter((c) => c === 409).length, 15)
        const refused = answers.find((a) => a.statusCode === 409)!.json()
        assert.equal(refused.error.code, 'WB_LABEL_LIMIT')
        assert.match(refused.error.message, /user local:race already has 5 labels in community default/)
        const rows = await f.runtime.storage.one<{ n: unknown }>(
          sql`select count(*) as n from labels_applied where target_id = 'local:race'`,
        )
        assert.equal(Number(rows?.n), 5)
      })

      test('the community target holds its own limit under concurrency too; re-applying renews without a slot', async () => {
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            f.call('labels', 'POST', '/api/v1/labels', { ...target('default', 'community'), label: `c-${i % 8}` }),
          ),
        )
        const created = answers.filter((a) => a.statusCode === 201).length
        assert.equal(created, 5)
        const labels = (
          await f.call('labels', 'GET', '/api/v1/labels?community_id=default&target_type=community&target_id=default')
        ).json().labels
        assert.equal(labels.length, 5)
        const again = await f.call('labels', 'POST', '/api/v1/labels', {
          ...target('default', 'community'),
          label: labels[0].label,
        })
        assert.equal(again.statusCode, 200)
        assert.equal(again.json().created, false)
      })

      test('expiry: an expired label does not count for check, list or the limit', async () => {
        for (let i = 0; i < 5; i++) {
          const r = await f.call('labels', 'POST', '/api/v1/labels', {
            ...target('local:exp'),
            label: `e${i}`,
            ttl_ms: 60_000 * (i + 1),
          })
          assert.equal(r.statusCode, 201)
        }
        const check = (label: string) =>
          f.call('labels', 'POST', '/api/v1/labels/check', { ...target('local:exp'), label })
        assert.deepEqual((await check('e0')).json(), { has: true })
        assert.equal(
          (await f.call('labels', 'POST', '/api/v1/labels', { ...target('local:exp'), label: 'full' })).statusCode,
          409,
        )
        f.clock.advance(61_000)
        assert.deepEqual((await check('e0')).json(), { has: false })
        assert.deepEqual((await check('e1')).json(), { has: true })
        assert.equal(
          (await f.call('labels', 'POST', '/api/v1/labels', { ...target('local:exp'), label: 'fits' })).statusCode,
          201,
        )
        const past = await f.call('labels', 'POST', '/api/v1/labels', {
          ...target('local:exp'),
          label: 'x',
          expires_at: 5,
        })
        assert.equal(past.statusCode, 400)
        assert.equal(past.json().error.field, 'expires_at')
      })

      test('check: the endpoint the calendar calls, with validation naming the field and a key required', async () => {
        await f.call('labels', 'POST', '/api/v1/labels', { ...target('twitch:42'), label: 'event-autoapprove' })
        const yes = await f.call('labels', 'POST', '/api/v1/labels/check', {
          ...target('twitch:42'),
          label: 'event-autoapprove',
        })
        assert.equal(yes.statusCode, 200)
        assert.deepEqual(yes.json(), { has: true })
        const bad = await f.call('labels', 'POST', '/api/v1/labels/check', {
          ...target('twitch:42'),
          target_type: 'planet',
          label: 'x',
        })
        assert.equal(bad.statusCode, 400)
        assert.equal(bad.json().error.field, 'target_type')
        const badLabel = await f.call('labels', 'POST', '/api/v1/labels/check', {
          ...target('twitch:42'),
          label: 'Not OK!',
        })
        assert.equal(badLabel.json().error.field, 'label')
        assert.equal(
          (await f.call('labels', 'POST', '/api/v1/labels/check', { ...target('twitch:42'), label: 'x' }, null))
            .statusCode,
          401,
        )
        const collector = await f.call(
          'labels',
          'POST',
          '/api/v1/labels/check',
          { ...target('twitch:42'), label: 'x' },
          f.keys.collector,
        )
        assert.equal(collector.statusCode, 403)
        assert.equal(
          (
            await f.call(
              'labels',
              'POST',
              '/api/v1/labels/check',
              { ...target('twitch:42'), label: 'x' },
              f.keys.module,
            )
          ).statusCode,
          200,
        )
      })

      test('bulk apply: each item on its own, limits and invalid items reported by index', async () => {
        const applications = [
          ...Array.from({ length: 6 }, (_, i) => ({ ...target('local:bulk'), label: `b${i}` })),
          { ...target('local:bulk2'), label: 'Bad Label' },
          { ...target('local:bulk2'), label: 'vip-guest' },
        ]
        const r = await f.call('labels', 'POST', '/api/v1/labels/apply', { applications })
        assert.equal(r.statusCode, 200)
        const body = r.json()
        assert.equal(body.applied, 6)
        assert.equal(body.refused, 2)
        assert.equal(body.results[5].error.code, 'WB_LABEL_LIMIT')
        assert.equal(body.results[6].error.field, 'applications.6.label')
        const empty = await f.call('labels', 'POST', '/api/v1/labels/apply', { applications: [] })
        assert.equal(empty.json().error.field, 'applications')
      })

      test('search: targets carrying every listed label', async () => {
        await f.call('labels', 'POST', '/api/v1/labels', {
          ...target('local:s1'),
          label: 'vip-guest',
          target_name: 'Sue',
        })
        await f.call('labels', 'POST', '/api/v1/labels', { ...target('local:s1'), label: 'memories' })
        await f.call('labels', 'POST', '/api/v1/labels', { ...target('local:s2'), label: 'memories' })
        const both = (
          await f.call('labels', 'GET', '/api/v1/labels/search?community_id=default&label=memories,vip-guest')
        ).json()
        assert.deepEqual(
          both.targets.map((t: { target_id: string }) => t.target_id),
          ['local:s1'],
        )
        assert.equal(both.targets[0].target_name, 'sue')
        const one = (
          await f.call('labels', 'GET', '/api/v1/labels/search?community_id=default&label=memories&target_type=user')
        ).json()
        assert.deepEqual(one.targets.map((t: { target_id: string }) => t.target_id).sort(), ['local:s1', 'local:s2'])
        const bad = await f.call(
          'labels',
          'GET',
          '/api/v1/labels/search?community_id=default&label=memories&limit=5000',
        )
        assert.equal(bad.json().error.field, 'limit')
      })

      test('reads are cached and every change invalidates', async () => {
        const q = { ...target('local:cache'), label: 'memories' } as const
        const before = f.labels.reads
        assert.equal(await f.labels.has(q), false)
        assert.equal(await f.labels.has(q), false)
        assert.equal(f.labels.reads, before + 1)
        await f.labels.apply(q)
        assert.equal(await f.labels.has(q), true)
        assert.equal(await f.labels.remove(q), true)
        assert.equal(await f.labels.has(q), false)
        const gone = await f.call('labels', 'DELETE', '/api/v1/labels', q)
        assert.equal(gone.statusCode, 404)
      })

      test('LabelsClient over HTTP: apply, has, list, remove', async () => {
        const client = new LabelsClient(f.runtime.clients)
        const q = { community_id: 'other', target_type: 'module', target_id: 'calendar', label: 'vip-guest' } as const
        assert.equal(await client.has(q), false)
        assert.equal((await client.apply(q)).created, true)
        assert.equal(await client.has(q), true)
        assert.deepEqual(await client.list(q), ['vip-guest'])
        assert.equal(await client.remove(q), true)
        assert.equal(await client.remove(q), false)
      })

      test('!label in chat: add with a duration, list, who, remove, limits and refusals as one line', async () => {
        await f.say(bob, 'hello everyone') // bob chats: reputation knows him by name
        assert.deepEqual(await f.say(mod, '!label add @Bob guest-star 7d'), ['Labelled @Bob guest-star for 1w.'])
        assert.deepEqual(await f.say(mod, '!label add bob memories'), ['Labelled @Bob memories.'])
        assert.deepEqual(await f.say(mod, '!label list bob'), ['@Bob: guest-star (1w left), memories'])
        assert.deepEqual(await f.say(mod, '!label who guest-star'), ['guest-star: @bob'])
        assert.match((await f.say(mod, '!label list'))[0]!, /^Labels here: .*guest-star \(\d+\)/)
        assert.deepEqual(await f.say(mod, '!label remove bob memories'), ['Removed memories from @Bob.'])
        assert.deepEqual(await f.say(mod, '!label remove bob memories'), ['@Bob does not have memories.'])
        assert.match((await f.say(mod, '!label add nobody-here guest-star'))[0]!, /I don't know @nobody-here here yet/)
        assert.match((await f.say(mod, '!label add bob guest-star forever'))[0]!, /is not a duration/)
        assert.match((await f.say(mod, '!label add bob "no way"'))[0]!, /is not a label name/)
        assert.match((await f.say(mod, '!label'))[0]!, /^Usage: !label add/)
        for (const l of ['a1', 'a2', 'a3', 'a4']) await f.say(mod, `!label add local:b1 ${l}`)
        assert.match((await f.say(mod, '!label add bob a5'))[0]!, /already has 5 labels here \(the limit\)/)
        assert.match((await f.say(viewer, '!label add bob x'))[0]!, /is for moderators and above/)
      })
    })
  }
})
