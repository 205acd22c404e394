/**
 * The filters in the router pipeline, on SQLite + in-process cache and on Postgres + Redis: escalation,
 * `!permit`, exemptions, per-channel settings, first-time chatters, `!filters`.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../../test/helpers/backends.js'
import { type RouterFixture, startRouterFixture } from '../../../../test/helpers/router-runtime.js'
import { sql } from '../../../runtime/storage/sql.js'
import { setFilterSettings } from './store.js'
import type { FilterName } from './types.js'
import routerModule from '../index.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

interface Resp {
  type: string
  action?: string
  duration?: number
  text?: string
  reason?: string
}
const moderation = (res: { responses: Resp[] }): string[] =>
  res.responses
    .filter((r) => r.type === 'moderation')
    .map((r) => (r.action === 'timeout' ? `timeout:${r.duration}` : String(r.action)))

for (const [backend, skip] of backends) {
  describe(`spam filters in the router on ${backend.name}`, { skip }, () => {
    let f: RouterFixture
    const as = (user: string, roles: string[] = [], extra: Record<string, unknown> = {}) => ({
      user_id: `id-${user}`,
      user_name: user,
      roles,
      ...extra,
    })
    const set = async (filter: FilterName, pairs: string[], entityId?: string) => {
      await setFilterSettings(f.runtime.storage, { communityId: 'default', entityId }, filter, pairs)
      await f.runtime.module(routerModule).ctx.state.pipeline.filters.book.reload()
    }
    before(async () => {
      f = await startRouterFixture(backend)
      await set('links', ['enabled=true', 'allow=youtube.com'])
      await set('caps', ['enabled=true', 'action=timeout', 'duration=30'])
    })
    after(async () => f?.close())

    test('the migration created both tables', async () => {
      const rows = await f.runtime.storage.query<{ id: string }>(
        sql`select id from schema_migrations where module = 'router' order by id`,
      )
      assert.deepEqual(
        rows.map((r) => r.id).filter((id) => id.includes('filter')),
        ['0102_router_filters', '0103_router_filter_chatters'],
      )
      assert.deepEqual(
        await f.runtime.storage.query(sql`select * from router_filter_chatters where community_id = 'nobody'`),
        [],
      )
    })

    test('escalation: warn (and delete) → 60 s timeout → 10 min timeout, the last step repeating', async () => {
      const steps = []
      for (let i = 0; i < 4; i++) steps.push(moderation(await f.event('free followers at spam.xyz', as('eve'))))
      assert.deepEqual(steps, [
        ['delete', 'warn'],
        ['delete', 'timeout:60'],
        ['delete', 'timeout:600'],
        ['delete', 'timeout:600'],
      ])
      const first = await f.event('again spam.xyz', as('eve2'))
      assert.equal(first.outcome, 'string_match')
      assert.match(first.responses.find((r: Resp) => r.action === 'warn').reason, /no links/)
    })

    test('allowed domains pass; a fixed action is used as set', async () => {
      assert.equal((await f.event('watch youtube.com/watch?v=1', as('amy'))).outcome, 'ignored')
      assert.deepEqual(moderation(await f.event('WHY IS EVERYONE SO QUIET TODAY', as('amy'))), ['delete', 'timeout:30'])
    })

    test('!permit lets exactly one link through within its window', async () => {
      const denied = await f.event('!permit bob 60', as('viewer'))
      assert.equal(denied.outcome, 'forbidden')
      const ok = await f.event('!permit @Bob 60', as('mod', ['moderator']))
      assert.equal(ok.outcome, 'command')
      assert.deepEqual(ok.responses, [{ type: 'chat', text: '@Bob may post one link in the next 60 s.' }])
      assert.equal((await f.event('here is my clip example.com/clip', as('bob'))).outcome, 'ignored')
      assert.deepEqual(moderation(await f.event('and another example.com/two', as('bob'))), ['delete', 'warn'])
    })

    test('exempt roles pass: moderators and the broadcaster by default, VIPs once configured', async () => {
      assert.equal((await f.event('mod link spam.xyz', as('m1', ['moderator']))).outcome, 'ignored')
      assert.equal((await f.event('streamer link spam.xyz', as('b1', ['broadcaster']))).outcome, 'ignored')
      assert.deepEqual(moderation(await f.event('vip link spam.xyz', as('v1', ['vip']))), ['delete', 'warn'])
      await set('links', ['exempt=broadcaster,owner,admin,moderator,vip'])
      assert.equal((await f.event('vip link spam.xyz', as('v1', ['vip']))).outcome, 'ignored')
      assert.deepEqual(moderation(await f.event('sub link spam.xyz', as('s1', ['subscriber']))), ['delete', 'warn'])
    })

    test('a channel can override its community', async () => {
      await set('links', ['enabled=false'], 'local:s:quiet')
      assert.equal((await f.event('link spam.xyz', as('cat', [], { channel_id: 'quiet' }))).outcome, 'ignored')
      assert.deepEqual(moderation(await f.event('link spam.xyz', as('cat'))), ['delete', 'warn'])
    })

    test('first-time chatters: their first message may not carry a link; later ones may', async () => {
      await set('links', ['enabled=false'])
      await set('first-chatter', ['enabled=true'])
      assert.deepEqual(moderation(await f.event('best viewers on bigfollows dot com', as('bot1'))), ['delete'])
      assert.equal((await f.event('hello everyone', as('human'))).outcome, 'ignored')
      assert.equal((await f.event('my art is at example.com', as('human'))).outcome, 'ignored')
      // The platform's own first-message flag counts even for a user this router has seen before.
      assert.deepEqual(moderation(await f.event('spam.xyz', as('human', [], { metadata: { first_message: true } }))), [
        'delete',
      ])
      await set('links', ['enabled=true'])
    })

    test('!filters says what is on here', async () => {
      const res = await f.event('!filters', as('curious'))
      assert.match(
        res.responses[0].text,
        /^Spam filters on: links from first-time chatters, links \(allowed: youtube\.com\), caps \(70% of 15\+ letters\)\.$/,
      )
      const quiet = await f.event('!filters', as('curious', [], { channel_id: 'quiet' }))
      assert.doesNotMatch(quiet.responses[0].text, /links \(/)
    })

    test('filter hits are counted in /metrics', async () => {
      const metrics = await f.runtime.hosted[0]!.app.inject({ url: '/metrics' })
      assert.match(metrics.body, /waddlebot_filter_hits_total\{filter="links",action="timeout"\} [1-9]/)
    })
  })
}
