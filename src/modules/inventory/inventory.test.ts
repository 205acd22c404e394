/**
 * The inventory module through the router (chat) and on its own port (REST), on SQLite + in-process cache
 * and on Postgres + Redis: every subcommand with its refusals and bad input, one line each; the activity
 * log; the 5-label limit exact under concurrent requests.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { chatEvent } from '../../../test/helpers/router-runtime.js'
import { type TestProject, testProject } from '../../../test/helpers/settings.js'
import { createApiKey } from '../../runtime/api-keys.js'
import { loadSettings } from '../../runtime/config.js'
import { type Runtime, startRuntime } from '../../runtime/host.js'
import { builtinCatalog } from '../catalog.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

const MOD = { user_id: 'mod-1', user_name: 'mia', display_name: 'Mia', roles: ['moderator'] }
const VIEWER = { user_id: 'viewer-1', user_name: 'vic', display_name: 'Vic' }

for (const [backend, skip] of backends) {
  describe(`inventory on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let runtime: Runtime
    let key: string
    const app = (name: string) => runtime.hosted.find((h) => h.def.name === name)!.app
    /** The one chat line `message` gets from `user` in community "default". */
    const say = async (message: string, user: Record<string, unknown> = MOD): Promise<string> => {
      const res = await app('router').inject({
        method: 'POST',
        url: '/api/v1/events',
        payload: chatEvent(message, user),
        headers: { 'x-api-key': key },
      })
      assert.equal(res.statusCode, 200, res.body)
      const body = res.json()
      assert.equal(body.outcome, 'command', res.body)
      assert.equal(body.responses.length, 1, res.body)
      assert.equal(body.responses[0].type, 'chat')
      assert.doesNotMatch(body.responses[0].text, /\n|Error|at .*\.ts/)
      return body.responses[0].text
    }
    const rest = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, apiKey: string | null = key) =>
      app('inventory').inject({
        method,
        url,
        ...(payload ? { payload } : {}),
        headers: apiKey ? { 'x-api-key': apiKey } : {},
      })

    before(async () => {
      const env = await backend.env()
      project = testProject({ env })
      const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
      runtime = await startRuntime({
        catalog: builtinCatalog,
        settings,
        modules: ['router', 'inventory'],
        listen: false,
      })
      key = (await createApiKey(runtime.storage, 'inv', 'admin')).key
    })
    after(async () => {
      await runtime?.stop()
      await backend.cleanup()
      project?.cleanup()
    })

    test('add with description and labels, then status and duplicate refusal', async () => {
      assert.equal(
        await say('!inventory add "HDMI cable" "2 m, black" av,cables'),
        'Added HDMI cable to the inventory [av, cables].',
      )
      assert.equal(await say('!inventory add drill'), 'Added drill to the inventory.')
      assert.equal(await say('!inventory add "hdmi CABLE"'), 'HDMI cable is already in the inventory.')
      assert.equal(
        await say('!inventory status hdmi cable', VIEWER),
        'HDMI cable — 2 m, black [av, cables]: available.',
      )
      assert.equal(
        await say('!inventory add'),
        'Usage: !inventory add <item> [description] [labels] (quote names with spaces)',
      )
      assert.match(await say('!inventory add x "" a b c d e f'), /^An item has at most 5 labels \(you gave 6\)\.$/)
      assert.match(await say('!inventory add y "" "bad label!"'), /is not a label/)
      assert.match(await say(`!inventory add ${'n'.repeat(65)}`), /at most 64 characters/)
    })

    test('viewers cannot change the inventory, and are told who can', async () => {
      const refusal =
        'Only moderators and above can change the inventory; anyone can use list, search, status and stats.'
      for (const cmd of ['add lamp', 'checkout drill vic', 'checkin drill', 'delete drill', 'labels drill add x']) {
        assert.equal(await say(`!inventory ${cmd}`, VIEWER), refusal)
      }
      assert.equal(await say('!inventory list', VIEWER), '2 items: drill, HDMI cable')
    })

    test('checkout, refusal naming who has it, checkin, and list filters', async () => {
      assert.equal(await say('!inventory checkout drill @bob'), 'drill is now checked out to bob.')
      assert.equal(
        await say('!inventory checkout drill carl'),
        'drill is already checked out to bob; check it in first.',
      )
      assert.match(await say('!inventory status drill', VIEWER), /^drill: checked out to bob by Mia \d+ min ago\.$/)
      assert.equal(await say('!inventory list available', VIEWER), '1 available items: HDMI cable')
      assert.equal(await say('!inventory list checkedout', VIEWER), '1 checked-out items: drill (out: bob)')
      assert.equal(await say('!inventory list sideways', VIEWER), 'Usage: !inventory list [all|available|checkedout]')
      assert.equal(await say('!inventory delete drill'), 'drill is checked out to bob; check it in before deleting it.')
      assert.equal(await say('!inventory checkout ghost bob'), 'No item called ghost in the inventory.')
      assert.equal(await say('!inventory checkout drill'), 'Usage: !inventory checkout <item> <user>')
      assert.equal(await say('!inventory checkin drill'), 'drill is checked in (it was with bob).')
      assert.equal(await say('!inventory checkin drill'), 'drill is not checked out.')
      assert.equal(await say('!inventory checkin ghost'), 'No item called ghost in the inventory.')
    })

    test('search, labels (at most 5), stats, log and delete', async () => {
      assert.equal(await say('!inventory search CABLE', VIEWER), '1 found: HDMI cable')
      assert.equal(await say('!inventory search av', VIEWER), '1 found: HDMI cable')
      assert.equal(await say('!inventory search 100%', VIEWER), 'Nothing in the inventory matches "100%".')
      assert.equal(await say('!inventory labels drill add Tools'), 'drill labels: tools.')
      assert.equal(await say('!inventory labels drill add tools'), 'drill already has the label tools.')
      for (const l of ['a', 'b', 'c', 'd']) await say(`!inventory labels drill add ${l}`)
      assert.equal(
        await say('!inventory labels drill add e'),
        'drill already has 5 labels (tools, a, b, c, d); remove one first.',
      )
      assert.equal(await say('!inventory labels drill remove a'), 'drill labels: tools, b, c, d.')
      assert.equal(await say('!inventory labels drill remove zz'), 'drill has no label zz.')
      assert.equal(await say('!inventory labels drill', VIEWER), 'drill labels: tools, b, c, d')
      assert.equal(await say('!inventory labels drill paint x'), 'Usage: !inventory labels <item> add|remove <label>')
      assert.equal(
        await say('!inventory stats', VIEWER),
        'Inventory: 2 items, 2 available, 0 checked out; 1 check-outs in all. Most borrowed: drill (1×).',
      )
      assert.match(
        await say('!inventory log drill', VIEWER),
        /^Latest: Mia removed label a from drill; Mia labelled drill d; /,
      )
      assert.equal(await say('!inventory delete drill'), 'Deleted drill from the inventory.')
      assert.equal(await say('!inventory delete drill'), 'No item called drill in the inventory.')
      assert.match(await say('!inventory log drill', VIEWER), /^Latest: Mia deleted drill; /)
      assert.equal(await say('!inventory frobnicate'), await say('!inventory'))
    })

    test('REST: add, checkout conflict naming the holder, labels, activity; 4xx name the field', async () => {
      const base = '/api/v1/inventory/crew'
      assert.equal((await rest('GET', `${base}/items`, undefined, null)).statusCode, 401)
      const added = await rest('POST', `${base}/items`, {
        name: 'Mixer',
        labels: ['audio'],
        actor: { id: 'a1', name: 'Ann' },
      })
      assert.equal(added.statusCode, 201, added.body)
      assert.deepEqual(added.json().item.labels, ['audio'])
      const dup = await rest('POST', `${base}/items`, { name: 'mixer' })
      assert.equal(dup.statusCode, 409)
      assert.equal(dup.json().error.code, 'WB_STATE_CONFLICT')
      for (const [payload, field] of [
        [{}, 'name'],
        [{ name: 'x', labels: ['Not OK!'] }, 'labels'],
        [{ name: 'x', color: 'red' }, 'body'],
        [{ name: 'x', description: 'd'.repeat(301) }, 'description'],
      ] as const) {
        const res = await rest('POST', `${base}/items`, payload)
        assert.equal(res.statusCode, 400, res.body)
        assert.equal(res.json().error.field, field, res.body)
      }
      assert.equal((await rest('POST', `${base}/items/Mixer/checkout`, {})).json().error.field, 'to')
      assert.equal((await rest('POST', `${base}/items/Mixer/checkout`, { to: 'bob' })).statusCode, 200)
      const taken = await rest('POST', `${base}/items/Mixer/checkout`, { to: 'carl' })
      assert.equal(taken.statusCode, 409)
      assert.match(taken.json().error.message, /checked out to bob/)
      assert.equal((await rest('POST', `${base}/items/ghost/checkin`, {})).statusCode, 404)
      assert.equal(
        (await rest('POST', `${base}/items/Mixer/labels`, { action: 'paint', label: 'x' })).json().error.field,
        'action',
      )
      const listed = (await rest('GET', `${base}/items?filter=checkedout`)).json()
      assert.deepEqual(
        listed.items.map((i: { name: string; checked_out_to: string }) => [i.name, i.checked_out_to]),
        [['Mixer', 'bob']],
      )
      assert.equal((await rest('GET', `${base}/items?filter=nope`)).json().error.field, 'filter')
      const log = (await rest('GET', `${base}/activity`)).json().activity
      assert.deepEqual(
        log.map((a: { action: string; actor_name: string }) => `${a.action}:${a.actor_name}`),
        ['checkout:api', 'add:Ann'],
      )
      assert.equal((await rest('GET', `${base}/stats`)).json().checked_out, 1)
    })

    test('20 concurrent label requests on one item: exactly 5 labels stick', async () => {
      const base = '/api/v1/inventory/race'
      assert.equal((await rest('POST', `${base}/items`, { name: 'Camera' })).statusCode, 201)
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          rest('POST', `${base}/items/Camera/labels`, { action: 'add', label: `l${i}` }),
        ),
      )
      const codes = answers.map((a) => a.statusCode).sort()
      assert.deepEqual(codes, [...Array(5).fill(200), ...Array(15).fill(409)])
      const item = (await rest('GET', `${base}/items/Camera`)).json().item
      assert.equal(item.labels.length, 5)
      assert.equal(
        (await rest('GET', `${base}/activity?item=Camera`))
          .json()
          .activity.filter((a: { action: string }) => a.action === 'label-add').length,
        5,
      )
    })
  })
}
