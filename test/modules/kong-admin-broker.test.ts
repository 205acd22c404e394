/**
 * Issue 16 (3): the kong-admin-broker mirrors keys into Kong, on both backends, against the fake Kong Admin
 * API (test/fakes/kong-admin.ts) over HTTP. Two runtimes share one database (and Redis on the second
 * backend), as two processes would: A hosts identity (user keys) and makes API keys the way
 * `waddlebot keys create|revoke` does; B hosts the broker. Keys made while B is down reach Kong when it
 * starts; later ones arrive through the `kong:keys` notification (Redis: B's interval is a minute, so only
 * the notification can deliver them in time) or the interval (in-process cache, where A's notification
 * cannot reach B), and from `waddlebot keys create|revoke` run as a child process (on Redis); revocations,
 * expiries and merged identities follow; Kong failing keeps the key queued.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { createApiKey, revokeApiKey } from '../../src/runtime/api-keys.js'
import { loadSettings, type Settings } from '../../src/runtime/config.js'
import { type HostedModule, type Runtime, startRuntime } from '../../src/runtime/host.js'
import { kongMirror, openSealed, sealKey } from '../../src/runtime/kong-outbox.js'
import { migrateDatabase, openDatabase } from '../../src/runtime/database.js'
import { createLogger } from '../../src/runtime/logger.js'
import { resolveServiceKey } from '../../src/runtime/service-key.js'
import { coreMigrations } from '../../src/runtime/storage/core-migrations.js'
import { KongAdmin } from '../../src/modules/kong-admin-broker/kong-admin.js'
import { reconcile } from '../../src/modules/kong-admin-broker/reconcile.js'
import { sql } from '../../src/runtime/storage/sql.js'
import { type FakeKongAdmin, startFakeKongAdmin } from '../fakes/kong-admin.js'
import { type Backend, postgresRedisBackend, serversUnavailable, sqliteBackend } from '../helpers/backends.js'
import { runCli } from '../helpers/cli.js'
import { testProject, type TestProject } from '../helpers/settings.js'
import { eventually } from '../helpers/twitch-harness.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

test('sealed plaintexts open only with the same service key, for the same key', () => {
  const sealed = sealKey('wbot_service_a', 'api', 'k1', 'wbot_admin_secret')
  assert.ok(!sealed.includes('wbot_admin_secret'))
  assert.equal(openSealed('wbot_service_a', 'api', 'k1', sealed), 'wbot_admin_secret')
  assert.equal(openSealed('wbot_service_b', 'api', 'k1', sealed), undefined)
  assert.equal(openSealed('wbot_service_a', 'api', 'k2', sealed), undefined)
  assert.equal(openSealed('wbot_service_a', 'user', 'k1', sealed), undefined)
})

test('without KONG_ADMIN_URL nothing is sealed', () => {
  const project = testProject()
  try {
    assert.equal(kongMirror(project.settings), undefined)
  } finally {
    project.cleanup()
  }
})

test('a key made during a pass waits for the next pass (its outbox row is never dropped)', async () => {
  const project = testProject({ env: { KONG_ADMIN_URL: 'http://127.0.0.1:9' } })
  const kongFake = await startFakeKongAdmin()
  const storage = await openDatabase(project.settings)
  try {
    await migrateDatabase(storage, [coreMigrations])
    const mirror = kongMirror(project.settings)!
    let made: { id: string; key: string } | undefined
    // The key (and its outbox row) lands right after the pass has read the active API keys.
    const racing = new Proxy(storage, {
      get(target, prop, receiver) {
        if (prop !== 'query') return Reflect.get(target, prop, receiver)
        return async (q: Parameters<typeof storage.query>[0]) => {
          const rows = await target.query(q)
          if (!made && JSON.stringify(q).includes('from api_keys'))
            made = await createApiKey(target, 'racer', 'admin', mirror)
          return rows
        }
      },
    })
    const serviceKey = resolveServiceKey(project.settings)
    const kongClient = new KongAdmin(kongFake.url)
    const first = await reconcile(racing, kongClient, serviceKey, createLogger({ level: 'silent' }))
    assert.ok(made)
    assert.equal(first.mirrored, 0)
    const second = await reconcile(storage, kongClient, serviceKey, createLogger({ level: 'silent' }))
    assert.equal(second.mirrored, 1)
    assert.deepEqual(kongFake.view(`wbot-api-${made.id}`)!.keys, [made.key])
  } finally {
    await storage.close()
    await kongFake.close()
    project.cleanup()
  }
})

describe('kong-admin-broker', { concurrency: true }, () => {
  for (const [backend, skip] of backends) {
    describe(`on ${backend.name}`, { skip, concurrency: 1 }, () => {
      const redis = backend.name.includes('redis')
      let kong: FakeKongAdmin
      let project: TestProject
      let settings: Settings
      let env: Record<string, string>
      let a: Runtime
      let b: Runtime | undefined
      const created: Record<string, { id: string; key: string }> = {}

      const hosted = (r: Runtime, name: string): HostedModule => r.hosted.find((h) => h.def.name === name)!
      const outbox = async () =>
        await a.storage.query<{ key_id: string; sealed: string }>(sql`select key_id, sealed from kong_outbox`)
      const userKey = async (identity: string, name: string) => {
        const res = await hosted(a, 'identity').app.inject({
          method: 'POST',
          url: '/api/v1/identity/keys',
          headers: { 'x-service-key': a.serviceKey },
          payload: { identity_id: identity, name },
        })
        assert.equal(res.statusCode, 201, res.body)
        return res.json() as { id: string; key: string }
      }
      const apiKey = (name: string, scope: 'collector' | 'module' | 'admin') =>
        createApiKey(a.storage, name, scope, kongMirror(a.settings, a.cache))
      const broker = (path: string, method: 'GET' | 'POST' = 'GET', payload?: unknown, key?: string | null) =>
        hosted(b!, 'kong-admin-broker').app.inject({
          method,
          url: path,
          headers: key === null ? {} : { 'x-api-key': key ?? created.admin!.key },
          ...(payload === undefined ? {} : { payload: payload as object }),
        })

      before(async () => {
        kong = await startFakeKongAdmin()
        env = { ...(await backend.env()), KONG_ADMIN_URL: kong.url }
        project = testProject({ env })
        writeFileSync(
          `${project.dir}/waddlebot.yaml`,
          `modules:\n  kong-admin-broker: {interval_ms: ${redis ? 60_000 : 150}}\n`,
        )
        settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
        a = await startRuntime({ catalog: builtinCatalog, settings, modules: ['identity'], listen: false })
      })
      after(async () => {
        await b?.stop()
        await a?.stop()
        await kong?.close()
        await backend.cleanup()
        project?.cleanup()
      })

      test('keys made while the broker is down wait sealed in the outbox, then reach Kong when it starts', async () => {
        created.admin = await apiKey('ops', 'admin')
        created.collector = await apiKey('twitch-1', 'collector')
        created.ann = await userKey('ident-ann', 'ann laptop')
        const rows = await outbox()
        assert.equal(rows.length, 3)
        for (const r of rows) for (const k of Object.values(created)) assert.ok(!r.sealed.includes(k.key))
        assert.equal(kong.consumers.size, 0)

        b = await startRuntime({ catalog: builtinCatalog, settings, modules: ['kong-admin-broker'], listen: false })
        await eventually(
          'the three keys in Kong',
          async () => (await outbox()).length === 0 && kong.keyAuths.size === 3,
        )
        const admin = kong.view(`wbot-api-${created.admin.id}`)!
        assert.deepEqual(admin.keys, [created.admin.key])
        assert.deepEqual(admin.groups, ['admin'])
        assert.equal(admin.consumer.custom_id, `waddlebot:api:${created.admin.id}`)
        assert.deepEqual(kong.view(`wbot-api-${created.collector.id}`)!.groups, ['collector'])
        const ann = kong.view('wbot-user-ident-ann')!
        assert.deepEqual(ann.keys, [created.ann.key])
        assert.deepEqual(ann.groups, ['user'])
      })

      test('a key made while the broker runs reaches Kong (notification on Redis, interval in-process)', async () => {
        created.ann2 = await userKey('ident-ann', 'ann phone')
        created.mod = await apiKey('music', 'module')
        await eventually(
          'the new keys in Kong',
          () => kong.keyAuths.size === 5 && kong.view(`wbot-api-${created.mod!.id}`),
        )
        assert.deepEqual(kong.view('wbot-user-ident-ann')!.keys.sort(), [created.ann.key, created.ann2.key].sort())
        assert.deepEqual(kong.view(`wbot-api-${created.mod.id}`)!.groups, ['module'])
      })

      test('revoking removes the credential, and the consumer once it has none left', async () => {
        await revokeApiKey(a.storage, created.collector!.id)
        await kongMirror(a.settings, a.cache)!.notify()
        await eventually('the collector consumer gone', () => !kong.view(`wbot-api-${created.collector!.id}`))
        const res = await hosted(a, 'identity').app.inject({
          method: 'DELETE',
          url: `/api/v1/identity/keys/${created.ann!.id}`,
          headers: { 'x-service-key': a.serviceKey },
        })
        assert.equal(res.statusCode, 200, res.body)
        await eventually('ann down to one key', () => kong.view('wbot-user-ident-ann')?.keys.length === 1)
        assert.deepEqual(kong.view('wbot-user-ident-ann')!.keys, [created.ann2!.key])
      })

      // The CLI is slow to spawn: once, on Redis, where its notification is the only way in time (interval 60 s).
      if (redis)
        test('`waddlebot keys create|revoke` in another process: the key reaches Kong, then leaves it', async () => {
          const cli = (args: string[]) => runCli(args, { cwd: project.dir, env: { ...project.settings.env, ...env } })
          const made = await cli(['keys', 'create', 'from-cli', '--scope', 'collector', '--json'])
          assert.equal(made.code, 0, made.stderr)
          const key = JSON.parse(made.stdout) as { id: string; key: string }
          await eventually('the CLI key in Kong', () => kong.view(`wbot-api-${key.id}`)?.keys[0] === key.key)
          const revoked = await cli(['keys', 'revoke', key.id])
          assert.equal(revoked.code, 0, revoked.stderr)
          await eventually('the CLI key gone from Kong', () => !kong.view(`wbot-api-${key.id}`))
        })

      test('an expired user key leaves Kong; a merged identity moves its credential; passes are idempotent', async () => {
        created.bob = await userKey('ident-bob', 'bob')
        await eventually('bob in Kong', () => kong.view('wbot-user-ident-bob'))
        await a.storage.execute(sql`update user_api_keys set identity_id = ${'ident-ann'} where id = ${created.bob.id}`)
        await a.storage.execute(sql`update user_api_keys set expires_at = ${1} where id = ${created.ann2!.id}`)
        const res = await broker('/api/v1/kong/reconcile', 'POST', {})
        assert.equal(res.statusCode, 200, res.body)
        await eventually('bob moved to ann', () => !kong.view('wbot-user-ident-bob'))
        assert.deepEqual(kong.view('wbot-user-ident-ann')!.keys, [created.bob.key])
        const again = (await broker('/api/v1/kong/reconcile', 'POST')).json()
        assert.equal(again.ran, true)
        assert.deepEqual(
          { ...again.result, credentials: undefined },
          {
            mirrored: 0,
            removed: 0,
            moved: 0,
            consumers_removed: 0,
            pending: 0,
            unmirrorable: 0,
            credentials: undefined,
          },
        )
        assert.equal(again.result.credentials, kong.keyAuths.size)
      })

      test('a credential deleted in Kong by hand is reported unmirrorable (its plaintext is gone)', async () => {
        const cred = [...kong.keyAuths.values()].find((k) => k.key === created.mod!.key)!
        kong.keyAuths.delete(cred.id)
        const res = (await broker('/api/v1/kong/reconcile', 'POST')).json()
        assert.equal(res.result.unmirrorable, 1)
        const status = (await broker('/api/v1/kong/status')).json()
        assert.equal(status.mirroring, true)
        assert.equal(status.admin_url, kong.url)
        assert.equal(status.last_result.unmirrorable, 1)
      })

      test('while Kong fails, the key stays queued and health says degraded; it arrives once Kong answers', async () => {
        kong.failWith(503)
        try {
          const failed = await broker('/api/v1/kong/reconcile', 'POST')
          assert.equal(failed.statusCode, 502)
          assert.equal(failed.json().error.code, 'WB_KONG_ADMIN_FAILED')
          created.late = await apiKey('late', 'collector')
          const health = (await broker('/health', 'GET', undefined, null)).json()
          assert.equal(health.status, 'degraded')
          assert.match(health.detail.degraded, /Kong Admin API/)
          assert.equal((await outbox()).length, 1)
        } finally {
          kong.failWith(undefined)
        }
        await broker('/api/v1/kong/reconcile', 'POST')
        await eventually('the late key in Kong', () => kong.view(`wbot-api-${created.late!.id}`))
        assert.equal((await outbox()).length, 0)
        assert.equal((await broker('/health', 'GET', undefined, null)).json().status, 'ok')
      })

      test('the broker API wants an admin key and a valid body', async () => {
        assert.equal((await broker('/api/v1/kong/status', 'GET', undefined, null)).statusCode, 401)
        assert.equal((await broker('/api/v1/kong/reconcile', 'POST', {}, created.mod!.key)).statusCode, 403)
        const bad = await broker('/api/v1/kong/reconcile', 'POST', { force: true })
        assert.equal(bad.statusCode, 400)
        assert.equal(bad.json().error.field, 'force')
      })
    })
  }
})
