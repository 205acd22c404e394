/**
 * The coordination client against a real router runtime's coordination API (HTTP), on both backends:
 * claims without overlap, change events, check-in renewal, status / error reports, local expiry of claims
 * it could not renew, the background loops, release on stop.
 */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { type RouterFixture, startRouterFixture } from '../../../test/helpers/router-runtime.js'
import { sql } from '../../runtime/storage/sql.js'
import { createCoordinationClient, defaultContainerId, type CoordinationClientControl } from './coordination-client.js'
import type { ClaimedEntity } from './types.js'

const TTL = 1200
const unavailable = await serversUnavailable()
const matrix: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]
/** The backend plus a short claim TTL for the router (check-in interval follows: TTL / 3). */
const withShortTtl = (b: Backend): Backend => ({
  ...b,
  env: async () => ({ ...(await b.env()), WADDLEBOT_ROUTER_COORDINATION_CLAIM_TTL_MS: String(TTL) }),
})

const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000) => {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

for (const [backend, skip] of matrix) {
  describe(`coordination client against the router on ${backend.name}`, { skip }, () => {
    let f: RouterFixture
    let url: string
    const clients: CoordinationClientControl[] = []
    const client = (id: string, extra: Partial<Parameters<typeof createCoordinationClient>[0]> = {}) => {
      const c = createCoordinationClient({
        routerUrl: url,
        key: f.keys.collector,
        platform: 'twitch',
        containerId: id,
        ...extra,
      })
      clients.push(c)
      return c
    }
    const holders = async () =>
      new Map(
        (
          await f.runtime.storage.query<{ entity_id: string; claimed_by: string | null }>(
            sql`select entity_id, claimed_by from coordination`,
          )
        ).map((r) => [r.entity_id, r.claimed_by]),
      )

    before(async () => {
      f = await startRouterFixture(withShortTtl(backend), { listen: true })
      url = f.runtime.registry.urlOf('router')
    })
    beforeEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.stop()))
      await f.runtime.storage.execute(sql`delete from coordination`)
      const entities = ['a', 'b', 'c', 'd', 'e'].map((c) => ({
        entity_id: `twitch:${c}:${c}`,
        server_id: c,
        channel_id: c,
      }))
      const res = await f.post('/coordination/entities', { platform: 'twitch', entities }, f.keys.admin)
      assert.equal(res.statusCode, 200, res.body)
    })
    after(async () => {
      await Promise.all(clients.map((c) => c.stop()))
      await f?.close()
    })

    test('two containers claim up to their maximum, without overlap, and announce the changes', async () => {
      const a = client('ctr-a', { maxClaims: 3 })
      const b = client('ctr-b', { maxClaims: 5 })
      const changes: { added: ClaimedEntity[]; removed: string[] }[] = []
      a.onChange((c) => changes.push(c))
      const gotA = await a.claimNow()
      const gotB = await b.claimNow()
      assert.equal(gotA.length, 3)
      assert.equal(gotB.length, 2)
      const all = [...gotA, ...gotB].map((e) => e.entity_id)
      assert.equal(new Set(all).size, 5, 'no entity was handed to both')
      assert.deepEqual(changes, [{ added: gotA, removed: [] }])
      assert.deepEqual(gotA[0] && Object.keys(gotA[0]).sort(), ['channel_id', 'entity_id', 'platform', 'server_id'])
      const table = await holders()
      for (const e of gotA) assert.equal(table.get(e.entity_id), 'ctr-a')
      assert.deepEqual(await a.claimNow(), [], 'at its maximum it claims nothing more')
      assert.ok(gotA.every((e) => a.isHeld(e.entity_id)) && !a.isHeld(gotB[0]!.entity_id))
    })

    test('check-in renews the claims and reports the ones taken away', async () => {
      const a = client('ctr-a')
      const removed: string[] = []
      a.onChange((c) => removed.push(...c.removed))
      await a.claimNow()
      const before = await f.runtime.storage.one<{ e: number }>(
        sql`select max(claim_expires) as e from coordination where claimed_by = 'ctr-a'`,
      )
      await new Promise((r) => setTimeout(r, 20))
      assert.deepEqual(await a.checkinNow(), [])
      const afterRenew = await f.runtime.storage.one<{ e: number }>(
        sql`select max(claim_expires) as e from coordination where claimed_by = 'ctr-a'`,
      )
      assert.ok(Number(afterRenew!.e) > Number(before!.e), 'the expiry moved forward')
      await f.runtime.storage.execute(
        sql`update coordination set claimed_by = 'intruder' where entity_id = 'twitch:a:a'`,
      )
      assert.deepEqual(await a.checkinNow(), ['twitch:a:a'])
      assert.deepEqual(removed, ['twitch:a:a'])
      assert.equal(a.isHeld('twitch:a:a'), false)
    })

    test('status and error reports reach the table; the third error releases the entity', async () => {
      const a = client('ctr-a', { maxClaims: 1 })
      const [entity] = await a.claimNow()
      const id = entity!.entity_id
      await a.reportStatus(id, { is_live: true, viewer_count: 42 })
      const row = await f.runtime.storage.one<{ is_live: number; viewer_count: number }>(
        sql`select is_live, viewer_count from coordination where entity_id = ${id}`,
      )
      assert.equal(Number(row!.is_live), 1)
      assert.equal(Number(row!.viewer_count), 42)
      const removed: string[] = []
      a.onChange((c) => removed.push(...c.removed))
      for (let i = 0; i < 3; i++) await a.reportError(id, `join failed ${i}`)
      assert.deepEqual(removed, [id])
      assert.equal((await holders()).get(id), null)
      await a.reportStatus('twitch:b:b', { is_live: true })
      assert.equal(a.isHeld('twitch:b:b'), false, 'a refused report (not the holder) changes nothing')
    })

    test('claims that could not be renewed are dropped locally once expired', async () => {
      let t = Date.now()
      let down = false
      const flaky: typeof fetch = (input, init) =>
        down ? Promise.reject(new Error('network down')) : fetch(input, init)
      const a = client('ctr-a', { now: () => t, fetch: flaky })
      const claimed = await a.claimNow()
      assert.equal(claimed.length, 5)
      const removed: string[] = []
      a.onChange((c) => removed.push(...c.removed))
      down = true
      t += TTL - 1
      await assert.rejects(a.checkinNow(), (e: Error & { code?: string }) => e.code === 'WB_ROUTER_UNREACHABLE')
      assert.deepEqual(removed, [], 'not yet expired: still held')
      t += 2
      const ids = claimed.map((e) => e.entity_id).sort()
      assert.deepEqual((await a.checkinNow()).sort(), ids, 'expired: dropped without asking the router')
      assert.deepEqual(removed.sort(), ids, 'all five announced as removed')
      assert.deepEqual(a.held(), [])
    })

    test('start() claims and keeps the claims alive past their TTL; new entities are claimed; stop() releases', async () => {
      const a = client('ctr-live', { maxClaims: 10, claimIntervalMs: 50 })
      await a.start()
      assert.equal(a.held().length, 5)
      await new Promise((r) => setTimeout(r, TTL * 2.5))
      const table = await holders()
      assert.ok(
        [...table.values()].every((h) => h === 'ctr-live'),
        'still held: the check-ins renewed them',
      )
      assert.equal(a.held().length, 5)
      await f.post(
        '/coordination/entities',
        { platform: 'twitch', entities: [{ entity_id: 'twitch:f:f', server_id: 'f', channel_id: 'f' }] },
        f.keys.admin,
      )
      await until('the new entity claimed', () => a.isHeld('twitch:f:f'))
      const removed: string[] = []
      a.onChange((c) => removed.push(...c.removed))
      await a.stop()
      assert.equal(removed.length, 6)
      assert.ok(
        [...(await holders()).values()].every((h) => h === null),
        'released in the table',
      )
    })

    test('a first claim that fails: the check-in still follows the shorter interval of the router once a claim succeeds', async () => {
      let calls = 0
      const flaky: typeof fetch = (input, init) => {
        calls++
        return calls === 1 ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init)
      }
      // Its own period is 5 minutes; the router's (TTL / 3) is 400 ms.
      const a = client('ctr-late', { maxClaims: 10, claimIntervalMs: 50, fetch: flaky })
      const changes: { added: number; removed: number }[] = []
      a.onChange((c) => changes.push({ added: c.added.length, removed: c.removed.length }))
      await a.start()
      await until('the retried claim', () => a.held().length === 5)
      await new Promise((r) => setTimeout(r, TTL * 2.5))
      assert.deepEqual(
        changes.filter((c) => c.removed > 0),
        [],
        'no claim lapsed: the check-in was re-armed on the interval of the router',
      )
      assert.ok([...(await holders()).values()].every((h) => h === 'ctr-late'))
    })

    test('an unreachable router: start() resolves and keeps trying; a bad key is refused', async () => {
      const down = client('ctr-down', { routerUrl: 'http://127.0.0.1:9', claimIntervalMs: 50 })
      await down.start()
      assert.deepEqual(down.held(), [])
      await down.stop()
      const bad = client('ctr-bad', { key: 'wbot_collector_wrong' })
      await assert.rejects(
        bad.claimNow(),
        (e: Error & { code?: string }) => e.code === 'WB_ROUTER_REFUSED' && /401/.test(e.message),
      )
    })

    test('container ids are unique per process by default', () => {
      const id = defaultContainerId('twitch')
      assert.match(id, new RegExp(`^twitch-.+-${process.pid}-[0-9a-f]{6}$`))
      assert.notEqual(id, defaultContainerId('twitch'))
      assert.match(createCoordinationClient({ routerUrl: url, key: 'k', platform: 'slack' }).containerId, /^slack-/)
    })
  })
}
