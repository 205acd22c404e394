import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { testProject } from '../../../../test/helpers/settings.js'
import { createApiKey } from '../../../runtime/api-keys.js'
import { createMemoryCache } from '../../../runtime/cache/memory.js'
import { createModuleServer } from '../../../runtime/http.js'
import { createLogger } from '../../../runtime/logger.js'
import { defineModule, type ModuleContext } from '../../../runtime/module.js'
import { sql } from '../../../runtime/storage/sql.js'
import type { Storage } from '../../../runtime/storage/types.js'
import { coordinationRoutes } from './routes.js'
import { describeOnBothDatabases } from '../../../../test/helpers/coordination/store-support.js'
import { createModuleClients } from '../../../runtime/module-clients.js'
import { projectRegistry } from '../../../cli/registry.js'

const SERVICE_KEY = 'test-service-key-0123456789abcdef'

await describeOnBothDatabases('coordination routes', (db) => {
  let app: FastifyInstance
  let storage: Storage
  const keys = { collector: '', admin: '', module: '' }
  const project = testProject({ env: { WADDLEBOT_ROUTER_COORDINATION_CLAIM_TTL_MS: '60000' } })
  after(() => project.cleanup())

  /** `key: null` sends no key. */
  const post = (url: string, payload: object, key: string | null = keys.collector) =>
    app.inject({ method: 'POST', url, payload, headers: key === null ? {} : { 'x-api-key': key } })

  before(async () => {
    storage = await db.open()
    const ctx: ModuleContext = {
      module: 'router',
      config: {},
      storage,
      cache: createMemoryCache(),
      log: createLogger({ level: 'silent' }),
      settings: project.settings,
      modules: createModuleClients(projectRegistry(project.settings), SERVICE_KEY),
      state: undefined,
    }
    const auth = { db: storage, serviceKey: SERVICE_KEY, requireKeys: true }
    const def = defineModule({
      name: 'router',
      version: '0.0.0',
      kind: 'router',
      summary: 'coordination routes under test',
      routes: (child, routeCtx) => coordinationRoutes(child, routeCtx, auth),
    })
    app = await createModuleServer(def, ctx, { serviceKey: SERVICE_KEY })
    for (const scope of ['collector', 'admin', 'module'] as const)
      keys[scope] = (await createApiKey(storage, `k-${scope}`, scope)).key
    const entities = Array.from({ length: 6 }, (_, i) => ({
      entity_id: `twitch:c${i}:c${i}`,
      server_id: `c${i}`,
      channel_id: `c${i}`,
    }))
    const res = await post('/coordination/entities', { platform: 'twitch', entities }, keys.admin)
    assert.equal(res.statusCode, 200, res.body)
  })
  after(() => app?.close())

  test('POST /coordination/entities: admin key (or the service key) only, idempotent', async () => {
    const body = {
      platform: 'twitch',
      entities: [{ entity_id: 'twitch:c0:c0' }, { entity_id: 'twitch:new:new', priority: 1 }],
    }
    assert.equal((await post('/coordination/entities', body, keys.collector)).statusCode, 403)
    assert.equal((await post('/coordination/entities', body, null)).statusCode, 401)
    const first = await post('/coordination/entities', body, keys.admin)
    assert.deepEqual(first.json(), { platform: 'twitch', upserted: 2, created: 1 })
    const again = await post('/coordination/entities', body, SERVICE_KEY)
    assert.deepEqual(again.json(), { platform: 'twitch', upserted: 2, created: 0 })
    const n = await storage.one<{ n: number }>(sql`select count(*) as n from coordination`)
    assert.equal(Number(n!.n), 7)
    const bad = await post('/coordination/entities', { platform: 'twitch', entities: [{ entity_id: '' }] }, keys.admin)
    assert.equal(bad.statusCode, 400)
    assert.equal(bad.json().error.field, 'entities.0.entity_id')
  })

  test('container calls need a collector key; admin and the service key pass; other scopes are refused', async () => {
    const body = { container_id: 'auth-probe' }
    assert.equal((await post('/coordination/checkin', body, null)).statusCode, 401)
    assert.equal((await post('/coordination/checkin', body, 'wbot_collector_nope')).statusCode, 401)
    const wrong = await post('/coordination/checkin', body, keys.module)
    assert.equal(wrong.statusCode, 403)
    assert.equal(wrong.json().error.code, 'WB_AUTH_SCOPE')
    for (const key of [keys.collector, keys.admin, SERVICE_KEY])
      assert.equal((await post('/coordination/checkin', body, key)).statusCode, 200)
    assert.equal((await app.inject({ method: 'GET', url: '/coordination/stats' })).statusCode, 401)
  })

  test('bodies are validated: 400 naming the field', async () => {
    const cases: [string, object, string][] = [
      ['/coordination/claim', { platform: 'twitch' }, 'container_id'],
      ['/coordination/claim', { platform: 'myspace', container_id: 'x' }, 'platform'],
      ['/coordination/claim', { platform: 'twitch', container_id: 'x', max_claims: 0 }, 'max_claims'],
      ['/coordination/status', { container_id: 'x', entity_id: 'e', viewer_count: -1 }, 'viewer_count'],
      ['/coordination/status', { container_id: 'x', entity_id: 'e', is_live: 'yes' }, 'is_live'],
      ['/coordination/error', { container_id: 'x', entity_id: 'e' }, 'error_message'],
      ['/coordination/release', { container_id: 'x', entity_ids: 'all' }, 'entity_ids'],
      ['/coordination/release-offline', {}, 'container_id'],
      ['/coordination/heartbeat', { container_id: '' }, 'container_id'],
    ]
    for (const [url, body, field] of cases) {
      const res = await post(url, body)
      assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(body)}`)
      assert.equal(res.json().error.code, 'WB_INPUT_INVALID')
      assert.equal(res.json().error.field, field, `${url} ${JSON.stringify(body)}`)
    }
  })

  test('the container flow: claim, checkin, heartbeat, status, error, release-offline, release, stats', async () => {
    const claim = await post('/coordination/claim', { platform: 'twitch', container_id: 'flow-a', max_claims: 3 })
    assert.equal(claim.statusCode, 200, claim.body)
    const claimed = claim.json()
    assert.equal(claimed.claimed_count, 3)
    assert.equal(claimed.claim_ttl_ms, 60_000, 'timings come from the router settings')
    assert.equal(claimed.claimed[0].entity_id, 'twitch:new:new', 'priority 1 first')
    const [first, second, third] = claimed.claimed.map((e: { entity_id: string }) => e.entity_id) as string[]
    assert.equal(claimed.claimed[0].claimed_by, 'flow-a')
    assert.equal(claimed.claimed[0].is_live, false)
    const defaultMax = await post('/coordination/claim', { platform: 'twitch', container_id: 'flow-b' })
    assert.equal(defaultMax.json().claimed_count, 4, 'the rest of the 7 (max_claims defaults to 5)')

    const checkin = (await post('/coordination/checkin', { container_id: 'flow-a' })).json()
    assert.deepEqual(checkin.renewed, [first, second, third].sort())
    const beat = (await post('/coordination/heartbeat', { container_id: 'flow-a' })).json()
    assert.equal(beat.claimed_count, 3)

    const live = await post('/coordination/status', {
      container_id: 'flow-a',
      entity_id: first,
      is_live: true,
      viewer_count: 9,
      has_activity: true,
    })
    assert.equal(live.statusCode, 200)
    assert.equal(live.json().entity.status, 'live')
    assert.equal(live.json().entity.viewer_count, 9)
    const notMine = await post('/coordination/status', { container_id: 'flow-b', entity_id: first, is_live: false })
    assert.equal(notMine.statusCode, 409)
    assert.equal(notMine.json().error.code, 'WB_COORDINATION_NOT_HOLDER')
    assert.match(notMine.json().error.message, /held by flow-a/)
    const unknown = await post('/coordination/status', { container_id: 'flow-a', entity_id: 'twitch:ghost:ghost' })
    assert.equal(unknown.statusCode, 404)
    assert.equal(unknown.json().error.code, 'WB_COORDINATION_ENTITY_UNKNOWN')

    const err = await post('/coordination/error', {
      container_id: 'flow-a',
      entity_id: second,
      error_message: 'irc timeout',
    })
    assert.equal(err.statusCode, 200)
    assert.equal(err.json().entity.error_count, 1)
    assert.equal(err.json().released, false)
    assert.equal(
      (await post('/coordination/error', { container_id: 'flow-b', entity_id: second, error_message: 'x' })).statusCode,
      409,
    )

    const offline = (await post('/coordination/release-offline', { container_id: 'flow-a' })).json()
    assert.deepEqual(offline.released, [second, third].sort(), 'the live one stays')
    const release = (
      await post('/coordination/release', { container_id: 'flow-a', entity_ids: [first, second] })
    ).json()
    assert.deepEqual(release, { container_id: 'flow-a', released: [first], not_held: [second] })

    const stats = await app.inject({
      method: 'GET',
      url: '/coordination/stats',
      headers: { 'x-api-key': keys.collector },
    })
    assert.equal(stats.statusCode, 200)
    const s = stats.json()
    assert.equal(s.total, 7)
    assert.equal(s.claimed, 4)
    assert.deepEqual(s.containers, { 'flow-b': 4 })
    assert.equal(s.by_platform.twitch.unclaimed, 3)
    const all = (await post('/coordination/release', { container_id: 'flow-b' })).json()
    assert.equal(all.released.length, 4)
  })
})
