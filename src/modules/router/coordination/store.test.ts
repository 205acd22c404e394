import assert from 'node:assert/strict'
import { before, beforeEach, test } from 'node:test'
import { sql } from '../../../runtime/storage/sql.js'
import type { Storage } from '../../../runtime/storage/types.js'
import { createCoordination } from './store.js'
import { describeOnBothDatabases, manualClock } from '../../../../test/helpers/coordination/store-support.js'
import type { CoordinationEntity } from './types.js'

const TTL = 10_000
const ids = (rows: readonly CoordinationEntity[]) => rows.map((r) => r.entity_id)

await describeOnBothDatabases('coordination store', (db) => {
  let storage: Storage
  const clock = manualClock(1_700_000_000_000)
  const coordination = () =>
    createCoordination(storage, { claimTtlMs: TTL, checkinIntervalMs: 1000, maxErrors: 3, now: clock.now })
  const row = (id: string) =>
    storage.one<Record<string, unknown>>(sql`select * from coordination where entity_id = ${id}`)
  const seed = (n: number, platform = 'twitch') =>
    coordination().upsertEntities(
      platform,
      Array.from({ length: n }, (_, i) => ({ entity_id: `${platform}:e${i}:e${i}` })),
    )

  before(async () => {
    storage = await db.open()
  })
  beforeEach(async () => {
    await storage.execute(sql`delete from coordination`)
  })

  test('upsertEntities is idempotent, keeps claims and priorities it is not given, updates what it is given', async () => {
    const c = coordination()
    const first = await c.upsertEntities('twitch', [
      { entity_id: 'twitch:a:a', server_id: 'a', channel_id: 'a', priority: 10 },
      { entity_id: 'twitch:b:b' },
      { entity_id: 'twitch:b:b', priority: 7 },
    ])
    assert.deepEqual(first, { upserted: 2, created: 2 })
    assert.equal(
      (await c.claim('twitch', 'c1', 1))[0]!.entity_id,
      'twitch:b:b',
      'priority 7 (the last duplicate) is claimed first',
    )
    const again = await c.upsertEntities('twitch', [
      { entity_id: 'twitch:a:a' },
      { entity_id: 'twitch:b:b', channel_id: 'B' },
    ])
    assert.deepEqual(again, { upserted: 2, created: 0 })
    const a = await row('twitch:a:a')
    assert.equal(Number(a!.priority), 10, 'omitted priority keeps the stored one')
    assert.equal(a!.server_id, 'a', 'omitted server_id keeps the stored one')
    const b = await row('twitch:b:b')
    assert.equal(b!.claimed_by, 'c1', 'a re-registration leaves the claim alone')
    assert.equal(b!.channel_id, 'B')
    assert.equal(Number(b!.priority), 7)
    const total = await storage.one<{ n: number }>(sql`select count(*) as n from coordination`)
    assert.equal(Number(total!.n), 2)
  })

  test('claim order: live first, then priority, then latest activity, then entity id', async () => {
    const c = coordination()
    await c.upsertEntities('twitch', [
      { entity_id: 'twitch:p50:p50', priority: 50 },
      { entity_id: 'twitch:live:live', priority: 200 },
      { entity_id: 'twitch:old:old', priority: 50 },
      { entity_id: 'twitch:new:new', priority: 50 },
      { entity_id: 'twitch:p10:p10', priority: 10 },
    ])
    await storage.execute(
      sql`update coordination set is_live = 1, status = 'live' where entity_id = 'twitch:live:live'`,
    )
    await storage.execute(sql`update coordination set last_activity = 100 where entity_id = 'twitch:old:old'`)
    await storage.execute(sql`update coordination set last_activity = 200 where entity_id = 'twitch:new:new'`)
    const claimed = await c.claim('twitch', 'c1', 10)
    assert.deepEqual(ids(claimed), [
      'twitch:live:live',
      'twitch:p10:p10',
      'twitch:new:new',
      'twitch:old:old',
      'twitch:p50:p50',
    ])
    // The database picks in the same order: claim one at a time with a fresh container each.
    await c.release('c1')
    const oneByOne: string[] = []
    for (let i = 0; i < 5; i++) oneByOne.push(...ids(await c.claim('twitch', `solo${i}`, 1)))
    assert.deepEqual(oneByOne, ids(claimed))
    const first = claimed[0]!
    assert.equal(first.claimed_by, 'c1')
    assert.equal(first.claim_expires, clock.now() + TTL)
    assert.equal(first.is_live, true)
  })

  test('claim: at most maxClaims held in total, only its platform, never an entity in error, expired claims are free', async () => {
    const c = coordination()
    await seed(8)
    await seed(2, 'discord')
    assert.equal((await c.claim('twitch', 'c1', 3)).length, 3)
    assert.equal((await c.claim('twitch', 'c1', 3)).length, 0, 'already holds 3')
    assert.equal((await c.claim('twitch', 'c1', 5)).length, 2, 'room for 2 more')
    assert.ok((await c.claim('twitch', 'c1', 50)).every((e) => e.platform === 'twitch'))
    await storage.execute(
      sql`update coordination set status = 'error' where entity_id = 'twitch:e7:e7' or entity_id = 'discord:e0:e0'`,
    )
    await c.release('c1')
    const all = await c.claim('twitch', 'c2', 50)
    assert.equal(all.length, 7)
    assert.ok(!ids(all).includes('twitch:e7:e7'))
    assert.deepEqual(await c.claim('twitch', 'c3', 5), [], 'everything is held')
    clock.advance(TTL)
    const taken = await c.claim('twitch', 'c3', 5)
    assert.equal(taken.length, 5, 'claims expired at claim_expires are free again')
    assert.ok(taken.every((e) => e.claimed_by === 'c3'))
    assert.deepEqual(ids(await c.claim('discord', 'd1', 5)), ['discord:e1:e1'])
    await assert.rejects(c.claim('twitch', 'c9', 0), RangeError)
  })

  test('concurrent claims of one container never exceed its maxClaims', async () => {
    await seed(40)
    const second = await db.open()
    const calls = Array.from({ length: 12 }, (_, i) =>
      createCoordination(i % 2 ? second : storage, { now: clock.now }).claim('twitch', 'same', 5),
    )
    const got = (await Promise.all(calls)).flat()
    assert.equal(got.length, 5)
    const held = await storage.one<{ n: number }>(sql`select count(*) as n from coordination where claimed_by = 'same'`)
    assert.equal(Number(held!.n), 5)
  })

  test('checkin renews only the live claims of its container; heartbeat does not extend them', async () => {
    const c = coordination()
    await seed(4)
    await c.claim('twitch', 'c1', 2)
    const start = clock.now()
    clock.advance(5000)
    const beat = await c.heartbeat('c1')
    assert.equal(beat.entities.length, 2)
    assert.ok(beat.entities.every((e) => e.last_checkin === start + 5000 && e.claim_expires === start + TTL))
    clock.advance(4000)
    const renewed = await c.checkin('c1')
    assert.equal(renewed.renewed.length, 2)
    assert.equal(renewed.claim_expires, start + 9000 + TTL)
    const stored = await row(renewed.renewed[0]!)
    assert.equal(Number(stored!.claim_expires), start + 9000 + TTL)
    assert.equal(Number(stored!.last_checkin), start + 9000)
    assert.deepEqual((await c.checkin('nobody')).renewed, [])
    clock.advance(TTL)
    const late = await c.checkin('c1')
    assert.deepEqual(late, { container_id: 'c1', timestamp: clock.now(), renewed: [], claim_expires: null })
    assert.deepEqual((await c.heartbeat('c1')).entities, [], 'an expired claim is no longer held')
  })

  test('status: only the holder; live_since on offline→live, kept while live, cleared offline; activity resets errors', async () => {
    const c = coordination()
    await seed(2)
    const [mine] = await c.claim('twitch', 'c1', 1)
    const id = mine!.entity_id
    const t1 = clock.advance(10)
    const live = await c.status('c1', id, { is_live: true, viewer_count: 42 })
    assert.ok(live.ok)
    assert.equal(live.value.status, 'live')
    assert.equal(live.value.is_live, true)
    assert.equal(live.value.live_since, t1)
    assert.equal(live.value.viewer_count, 42)
    clock.advance(10)
    const still = await c.status('c1', id, { is_live: true, viewer_count: 50 })
    assert.ok(still.ok)
    assert.equal(still.value.live_since, t1, 'live → live keeps live_since')
    await c.error('c1', id, 'hiccup')
    const t3 = clock.advance(10)
    const active = await c.status('c1', id, { has_activity: true })
    assert.ok(active.ok)
    assert.equal(active.value.last_activity, t3)
    assert.equal(active.value.error_count, 0)
    assert.equal(active.value.is_live, true, 'fields not given are unchanged')
    const off = await c.status('c1', id, { is_live: false })
    assert.ok(off.ok)
    assert.equal(off.value.status, 'offline')
    assert.equal(off.value.live_since, null)

    const before = await row(id)
    const refused = await c.status('c2', id, { is_live: true, viewer_count: 1 })
    assert.deepEqual(refused, { ok: false, reason: 'not_holder', entity_id: id, held_by: 'c1' })
    assert.deepEqual(await row(id), before, 'a refused status changes nothing')
    const other = await c.status('c1', 'twitch:e1:e1', { is_live: true })
    assert.deepEqual(other, { ok: false, reason: 'not_holder', entity_id: 'twitch:e1:e1', held_by: null })
    assert.deepEqual(await c.status('c1', 'twitch:nope', {}), {
      ok: false,
      reason: 'unknown_entity',
      entity_id: 'twitch:nope',
      held_by: null,
    })
  })

  test('error: counts consecutive errors; at maxErrors the entity goes to error and is released; refusals change nothing', async () => {
    const c = coordination()
    await seed(1)
    const id = 'twitch:e0:e0'
    await c.claim('twitch', 'c1', 1)
    const refused = await c.error('c2', id, 'not mine')
    assert.deepEqual(refused, { ok: false, reason: 'not_holder', entity_id: id, held_by: 'c1' })
    assert.equal(Number((await row(id))!.error_count), 0)
    for (const n of [1, 2]) {
      const r = await c.error('c1', id, `boom ${n}`)
      assert.ok(r.ok)
      assert.equal(r.value.entity.error_count, n)
      assert.equal(r.value.released, false)
      assert.equal(r.value.entity.claimed_by, 'c1')
    }
    const third = await c.error('c1', id, 'x'.repeat(5000))
    assert.ok(third.ok)
    assert.equal(third.value.released, true)
    assert.equal(third.value.entity.status, 'error')
    assert.equal(third.value.entity.claimed_by, null)
    assert.equal(third.value.entity.last_error?.length, 1000)
    assert.deepEqual(await c.claim('twitch', 'c2', 5), [], 'an entity in error is not claimable')
    const again = await c.error('c1', id, 'after release')
    assert.equal(again.ok, false)
    // An admin re-registration with resetErrors puts it back into rotation.
    await c.upsertEntities('twitch', [{ entity_id: id }], { resetErrors: true })
    const back = await c.claim('twitch', 'c2', 5)
    assert.deepEqual(ids(back), [id])
    assert.equal(back[0]!.status, 'offline')
    assert.equal(back[0]!.error_count, 0)
  })

  test('release: named or all of its own claims; others are reported as not held and left alone', async () => {
    const c = coordination()
    await seed(6)
    const c1 = ids(await c.claim('twitch', 'c1', 3))
    const c2 = ids(await c.claim('twitch', 'c2', 3))
    const partial = await c.release('c1', [c1[0]!, c2[0]!, 'twitch:nope'])
    assert.deepEqual(partial.released, [c1[0]])
    assert.deepEqual(partial.not_held, [c2[0], 'twitch:nope'].sort())
    assert.equal((await row(c2[0]!))!.claimed_by, 'c2')
    assert.deepEqual((await c.release('c1', [])).released, [])
    const rest = await c.release('c1')
    assert.deepEqual(rest.released, c1.slice(1).sort())
    const freed = await row(c1[1]!)
    assert.equal(freed!.claimed_by, null)
    assert.equal(freed!.claim_expires, null)
    assert.deepEqual(
      (await c.heartbeat('c2')).entities.map((e) => e.entity_id),
      [...c2].sort(),
    )
  })

  test('releaseOffline releases only the holder’s entities that are not live', async () => {
    const c = coordination()
    await seed(5)
    const mine = ids(await c.claim('twitch', 'c1', 3))
    await c.claim('twitch', 'c2', 2)
    await c.status('c1', mine[0]!, { is_live: true })
    const result = await c.releaseOffline('c1')
    assert.deepEqual(result, { container_id: 'c1', released: mine.slice(1).sort() })
    assert.deepEqual(ids((await c.heartbeat('c1')).entities), [mine[0]])
    assert.equal((await c.heartbeat('c2')).entities.length, 2, 'other containers keep theirs')
  })

  test('stats: totals by platform and status, claimed / unclaimed / expired, claims per container', async () => {
    const c = coordination()
    await seed(6)
    await seed(2, 'discord')
    await c.claim('twitch', 'c1', 2)
    const [live] = await c.claim('twitch', 'c2', 1)
    await c.status('c2', live!.entity_id, { is_live: true })
    const [doomed] = await c.claim('discord', 'd1', 1)
    for (let i = 0; i < 3; i++) await c.error('d1', doomed!.entity_id, 'bad')
    const short = createCoordination(storage, { claimTtlMs: 100, checkinIntervalMs: 10, now: clock.now })
    await short.claim('twitch', 'c3', 1)
    clock.advance(100)
    const stats = await c.stats()
    assert.equal(stats.total, 8)
    assert.equal(stats.claimed, 3)
    assert.equal(stats.expired, 1)
    assert.equal(stats.unclaimed, 4)
    assert.deepEqual(stats.by_status, { offline: 6, live: 1, error: 1 })
    assert.deepEqual(stats.containers, { c1: 2, c2: 1 })
    assert.deepEqual(stats.by_platform['discord'], {
      total: 2,
      claimed: 0,
      unclaimed: 2,
      expired: 0,
      by_status: { offline: 1, live: 0, error: 1 },
    })
    assert.equal(stats.by_platform['twitch']!.total, 6)
    assert.equal(stats.claim_ttl_ms, TTL)
    assert.equal(stats.timestamp, clock.now())
  })

  test('a claim expires in real time and another container takes it', async () => {
    const real = createCoordination(storage, { claimTtlMs: 300, checkinIntervalMs: 100 })
    await seed(3)
    assert.equal((await real.claim('twitch', 'a', 3)).length, 3)
    assert.deepEqual(await real.claim('twitch', 'b', 3), [])
    await new Promise((resolve) => setTimeout(resolve, 400))
    const taken = await real.claim('twitch', 'b', 3)
    assert.equal(taken.length, 3)
    assert.deepEqual((await real.checkin('a')).renewed, [], 'the old holder renews nothing')
    const refused = await real.status('a', taken[0]!.entity_id, { is_live: true })
    assert.equal(refused.ok, false)
  })

  test('options are checked', () => {
    assert.throws(() => createCoordination(storage, { claimTtlMs: 0 }), RangeError)
    assert.throws(() => createCoordination(storage, { claimTtlMs: 1000, checkinIntervalMs: 1000 }), /below claimTtlMs/)
    assert.deepEqual(createCoordination(storage).timings, {
      claimTtlMs: 1_800_000,
      checkinIntervalMs: 300_000,
      maxErrors: 3,
    })
  })
})
