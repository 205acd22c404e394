/**
 * Reads through a real streaming replica: a private Postgres primary and a hot standby (pg_basebackup -R)
 * on spare ports, two runtimes (two processes' worth of modules) sharing them and one Redis prefix.
 * With the standby's replay paused, a row written behind the modules' back is invisible to their lists:
 * those reads came from the replica. A community that just changed something reads it back at once, in
 * the runtime that wrote it and in the other one (the marks go through Redis): no stale read after a write.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import * as store from '../../src/modules/inventory/store.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { createApiKey } from '../../src/runtime/api-keys.js'
import { loadSettings } from '../../src/runtime/config.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import { REDIS_TEST_URL, serversUnavailable } from '../helpers/backends.js'
import { chatEvent } from '../helpers/router-runtime.js'
import { type TestProject, testProject } from '../helpers/settings.js'
import {
  missingServers,
  type PrivatePostgres,
  type PrivateStandby,
  startPrivatePostgres,
  startPrivateStandby,
} from './servers.js'

const skip = missingServers() ?? (await serversUnavailable())
const MOD = { user_id: 'mod-1', user_name: 'mia', display_name: 'Mia', roles: ['moderator'] }

describe('reads through a streaming replica, with read-your-writes', { skip }, () => {
  let primary: PrivatePostgres
  let standby: PrivateStandby
  let project: TestProject
  const runtimes: Runtime[] = []
  let key: string

  const app = (r: Runtime, name: string) => r.hosted.find((h) => h.def.name === name)!.app
  const items = async (r: Runtime, community: string): Promise<string[]> => {
    const res = await app(r, 'inventory').inject({
      method: 'GET',
      url: `/api/v1/inventory/${community}/items`,
      headers: { 'x-api-key': key },
    })
    assert.equal(res.statusCode, 200, res.body)
    return (res.json() as { items: { name: string }[] }).items.map((i) => i.name).sort()
  }
  const say = async (r: Runtime, message: string): Promise<string> => {
    const res = await app(r, 'router').inject({
      method: 'POST',
      url: '/api/v1/events',
      payload: chatEvent(message, MOD),
      headers: { 'x-api-key': key },
    })
    assert.equal(res.statusCode, 200, res.body)
    return res.json().responses[0]?.text
  }

  before(async () => {
    primary = await startPrivatePostgres()
    standby = await startPrivateStandby(primary)
    await primary.database('wb')
    const env = {
      DATABASE_URL: primary.urlOf('wb'),
      DATABASE_READ_URL: standby.urlOf('wb'),
      REDIS_URL: REDIS_TEST_URL,
      WADDLEBOT_REDIS_PREFIX: `wbtest:${process.pid}:${randomBytes(4).toString('hex')}:`,
    }
    await standby.caughtUp() // the new database exists on the standby
    project = testProject({ env })
    const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
    for (let i = 0; i < 2; i++)
      runtimes.push(
        await startRuntime({ catalog: builtinCatalog, settings, modules: ['router', 'inventory'], listen: false }),
      )
    key = (await createApiKey(runtimes[0]!.storage, 'replica-test', 'admin')).key
    await standby.caughtUp()
  })

  after(async () => {
    for (const r of runtimes) await r.stop().catch(() => {})
    await standby?.stop()
    await primary?.stop()
    project?.cleanup()
  })

  test('lists come from the replica; a community that just wrote reads its write back in every process', async () => {
    const [a, b] = runtimes as [Runtime, Runtime]
    // Both runtimes list through the replica and the primary alike while nothing is paused.
    assert.equal((await a.storage.read().one<{ r: boolean }>(sqlOf('select pg_is_in_recovery() as r')))?.r, true)
    assert.equal((await a.storage.one<{ r: boolean }>(sqlOf('select pg_is_in_recovery() as r')))?.r, false)

    await standby.pause()
    try {
      // Someone else's write (straight to the primary, not through the community's scope): not marked.
      const actor = { id: 'x', name: 'x' }
      await store.addItem(a.storage, 'other', { name: 'ghost', description: '', labels: [] }, actor, Date.now())
      // The replica has not replayed it: both processes' lists miss it. These reads went to the replica.
      assert.deepEqual(await items(a, 'other'), [])
      assert.deepEqual(await items(b, 'other'), [])

      // The community writes through the module (REST on process a): its reads go to the primary, in a and b.
      const added = await app(a, 'inventory').inject({
        method: 'POST',
        url: '/api/v1/inventory/crew/items',
        payload: { name: 'lamp', actor: { id: 'm', name: 'Mia' } },
        headers: { 'x-api-key': key },
      })
      assert.equal(added.statusCode, 201, added.body)
      assert.deepEqual(await items(a, 'crew'), ['lamp'])
      assert.deepEqual(await items(b, 'crew'), ['lamp'])

      // The same through chat: a moderator adds on router a, then lists on router b at once.
      assert.equal(await say(a, '!inventory add drill'), 'Added drill to the inventory.')
      assert.equal(await say(b, '!inventory list'), '1 items: drill')
      // …while the unmarked community still reads the (paused) replica.
      assert.deepEqual(await items(b, 'other'), [])
    } finally {
      await standby.resume()
    }
    await standby.caughtUp()
    assert.deepEqual(await items(b, 'other'), ['ghost'])
  })
})

/** A raw statement for the probes above. */
function sqlOf(text: string) {
  return { strings: [text], values: [] }
}
