/**
 * The alias module through the router, on SQLite + in-process cache and on Postgres + Redis: every
 * `!alias` command with its refusals and bad input, the variables, per-alias permission, cooldowns,
 * enable/disable, re-entry with the caller's roles, the a→b→a loop, the depth limit, and the REST API.
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
import { chatEvent } from '../../../test/helpers/router-runtime.js'
import { type TestProject, testProject } from '../../../test/helpers/settings.js'
import { createApiKey } from '../../runtime/api-keys.js'
import { openDatabase } from '../../runtime/database.js'
import { type Runtime, startRuntime } from '../../runtime/host.js'
import { sql } from '../../runtime/storage/sql.js'
import { builtinCatalog } from '../catalog.js'
import { addAlias, notifyAliasesChanged } from './public.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies
type Json = any

for (const [backend, skip] of backends) {
  describe(`alias on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let runtime: Runtime
    let key: string
    let admin: string
    const mod = { user_id: 'mod-1', user_name: 'mia', display_name: 'Mia', roles: ['moderator'] }
    const viewer = { user_id: 'viewer-1', user_name: 'ann', display_name: 'Ann', roles: [] }
    const app = (name: string) => runtime.hosted.find((h) => h.def.name === name)!.app
    const say = async (message: string, who: Record<string, unknown> = viewer, extra = {}): Promise<Json> => {
      const res = await app('router').inject({
        method: 'POST',
        url: '/api/v1/events',
        payload: chatEvent(message, { ...who, ...extra }),
        headers: { 'x-api-key': key },
      })
      assert.equal(res.statusCode, 200, res.body)
      return res.json()
    }
    const text = async (message: string, who: Record<string, unknown> = viewer): Promise<string> => {
      const body = await say(message, who)
      assert.equal(body.responses.length, 1, JSON.stringify(body))
      return body.responses[0].text
    }

    before(async () => {
      project = testProject({ env: await backend.env() })
      runtime = await startRuntime({
        catalog: builtinCatalog,
        settings: project.settings,
        modules: ['router', 'alias'],
        listen: false,
      })
      key = (await createApiKey(runtime.storage, 'c', 'collector')).key
      admin = (await createApiKey(runtime.storage, 'a', 'admin')).key
    })
    after(async () => {
      await runtime?.stop()
      await backend.cleanup()
      project?.cleanup()
    })

    test('!alias add makes a custom command; {user}, {touser}, {args}, {argN}, {channel} expand', async () => {
      assert.equal(
        await text('!alias add hi Hello {user}, meet {touser}! [{args}] 1={arg1} 3={arg3} in {channel}', mod),
        'Added !hi.',
      )
      assert.equal(await text('!hi @Bob two'), 'Hello Ann, meet Bob! [@Bob two] 1=@Bob 3= in c')
      assert.equal(await text('!hi'), 'Hello Ann, meet Ann! [] 1= 3= in c')
      const body = await say('!HI')
      assert.equal(body.outcome, 'command')
      assert.equal(body.command, '!hi')
    })

    test('!command add|edit|remove are the same as !alias; list and show read for everyone', async () => {
      assert.equal(await text('!command add "quoted" "Spaced   text, kept"', mod), 'Added !quoted.')
      assert.equal(await text('!quoted'), 'Spaced   text, kept')
      assert.equal(await text('!command edit quoted new text', mod), 'Updated !quoted.')
      assert.equal(await text('!quoted'), 'new text')
      assert.equal(await text('!alias show quoted'), '!quoted → new text (everyone)')
      assert.match(await text('!alias list'), /^Custom commands \(\d+\): .*!hi.*!quoted/)
      assert.equal(await text('!command remove quoted', mod), 'Removed !quoted.')
      assert.equal((await say('!quoted')).outcome, 'unknown_command')
      assert.equal(await text('!alias rm quoted', mod), "Can't do that: there is no custom command !quoted.")
    })

    test('refusals: viewers cannot edit; bad names, taken names, built-ins and other modules’ commands', async () => {
      assert.equal(await text('!alias add x y'), '@Ann only moderators and above may change custom commands.')
      assert.equal(await text('!alias remove hi'), '@Ann only moderators and above may change custom commands.')
      assert.match(await text('!alias add Bad.Name text', mod), /is not a valid name: use 1–32 of a-z, 0-9, _ and -/)
      assert.match(await text(`!alias add ${'a'.repeat(33)} text`, mod), /is not a valid name/)
      assert.equal(await text('!alias add hi again', mod), "Can't do that: !hi already exists; use edit to change it.")
      assert.equal(
        await text('!alias add ping pong!', mod),
        "Can't do that: !ping is a command of the router module; pick another name.",
      )
      assert.match(await text('!alias add command x', mod), /!command is a command of the alias module/)
      assert.match(await text('!alias add commands x', mod), /!commands is a command of the router module/)
      assert.equal(await text('!alias add nothing', mod), 'Usage: !alias add <name> <text or !command …>')
      assert.match(await text('!alias', mod), /^Usage: !alias add\|edit/)
      assert.match(await text('!alias frobnicate x', mod), /^!alias has no "frobnicate"/)
      assert.match(await text(`!alias add long ${'x'.repeat(501)}`, mod), /longer than 500 characters/)
      assert.equal(await text('!alias edit ghost text', mod), "Can't do that: there is no custom command !ghost.")
      assert.equal(await text('!alias show ghost'), 'There is no custom command !ghost.')
      assert.match(await text('!alias set hi permission wizard', mod), /"wizard" is not a level/)
      assert.match(await text('!alias set hi cooldown -3', mod), /a cooldown is 0 to 86400 seconds/)
      assert.match(await text('!alias set hi colour red', mod), /^Usage: !alias set/)
    })

    test('unknown variables stay visible; {random}, {random.number} and {time} expand; never a crash', async () => {
      await say(
        '!alias add vars {nope} {random:x|y} {random.number:5-5} {random.number:9-1} {time:Mars/Olympus} {arg99}',
        mod,
      )
      const picks = new Set<string>()
      for (let i = 0; i < 12; i++) {
        const [nope, pick, ...rest] = (await text('!vars')).split(' ')
        assert.equal(nope, '{nope}')
        assert.deepEqual(rest, ['5', '{random.number:9-1}', '{time:Mars/Olympus}'])
        picks.add(pick!)
      }
      assert.ok(
        [...picks].every((p) => p === 'x' || p === 'y'),
        [...picks].join(),
      )
      await say('!alias add clock UTC {time} Tokyo {time:Asia/Tokyo}', mod)
      assert.match(await text('!clock'), /^UTC \d\d:\d\d UTC Tokyo \d\d:\d\d GMT\+9$/)
    })

    test('{count} counts each use; {uptime} says what the platform reported', async () => {
      await say('!alias add deaths Deaths: {count}', mod)
      assert.equal(await text('!deaths'), 'Deaths: 1')
      assert.equal(await text('!deaths'), 'Deaths: 2')
      const burst = await Promise.all(Array.from({ length: 40 }, () => text('!deaths')))
      assert.deepEqual(
        burst.map((t) => Number(t.slice('Deaths: '.length))).sort((a, b) => a - b),
        Array.from({ length: 40 }, (_, i) => i + 3),
        '40 concurrent uses: 3…42, each once',
      )
      await say('!alias add up Live for {uptime}', mod)
      assert.equal(await text('!up'), 'Live for unknown')
      await runtime.storage.execute(sql`insert into coordination (entity_id, platform, status, is_live, live_since, priority)
        values ('local:s:c', 'local', 'live', 1, ${Date.now() - 3_900_000}, 100)`)
      assert.equal(await text('!up'), 'Live for 1h 5m')
    })

    test('per-alias permission level, enable/disable, and global and per-user cooldowns', async () => {
      await say('!alias add secret for mods', mod)
      assert.equal(await text('!alias set secret permission moderators', mod), 'Updated !secret.')
      assert.equal(await text('!secret'), '@Ann !secret is for moderators and above.')
      assert.equal(await text('!secret', mod), 'for mods')
      assert.equal(await text('!alias disable secret', mod), '!secret is off.')
      assert.equal((await say('!secret', mod)).outcome, 'unknown_command')
      assert.match(await text('!alias list'), /!secret \(off\)/)
      assert.equal(await text('!alias enable secret', mod), '!secret is on.')
      assert.equal(await text('!secret', mod), 'for mods')

      await say('!alias add slow slow one', mod)
      assert.equal(await text('!alias set slow usercooldown 60', mod), 'Updated !slow.')
      assert.equal(await text('!slow'), 'slow one')
      assert.match(await text('!slow'), /^@Ann !slow is on cooldown, (59|60) s left\.$/)
      assert.equal(await text('!slow', mod), 'slow one', 'another user is not held by a per-user cooldown')
      await say('!alias add shared shared one', mod)
      assert.equal(await text('!alias set shared cooldown 30', mod), 'Updated !shared.')
      assert.equal(await text('!shared'), 'shared one')
      assert.match(await text('!shared', mod), /^@Mia !shared is on cooldown, (29|30) s left\.$/)
    })

    test('an alias to !command re-enters the router as the caller, with the caller’s roles', async () => {
      await say('!alias add p !ping', mod)
      const pong = await say('!p')
      assert.equal(pong.outcome, 'command')
      assert.deepEqual(pong.responses, [{ type: 'chat', text: 'pong' }])
      await say('!alias add letlink !permit {touser} 30', mod)
      const refused = await say('!letlink @bob')
      assert.equal(refused.outcome, 'forbidden', 'a viewer cannot run a moderator command through an alias')
      assert.deepEqual(refused.responses, [{ type: 'chat', text: '@Ann !permit is for moderators and above.' }])
      const allowed = await say('!letlink @bob', mod)
      assert.deepEqual(allowed.responses, [{ type: 'chat', text: '@bob may post one link in the next 30 s.' }])
      await say('!alias add edit-me !alias add sneaky text', mod)
      assert.equal(await text('!edit-me'), '@Ann only moderators and above may change custom commands.')
      await say('!alias add vip-only vips only', mod)
      await say('!alias set vip-only permission vip', mod)
      await say('!alias add to-vip !vip-only', mod)
      assert.equal(await text('!to-vip'), '@Ann !vip-only is for vips and above.')
    })

    test('a → b → a stops with one clear line; chains deeper than 3 stop too', async () => {
      await say('!alias add loop-a !loop-b', mod)
      await say('!alias add loop-b !loop-a', mod)
      const loop = await say('!loop-a')
      assert.equal(loop.outcome, 'module_error')
      assert.deepEqual(loop.responses, [
        { type: 'chat', text: '!loop-a → !loop-b → !loop-a is a loop of custom commands; stopped.' },
      ])
      await say('!alias add self !self', mod)
      assert.deepEqual((await say('!self')).responses, [
        { type: 'chat', text: '!self → !self is a loop of custom commands; stopped.' },
      ])
      for (const [from, to] of [
        ['d1', 'd2'],
        ['d2', 'd3'],
        ['d3', 'd4'],
        ['d4', 'ping'],
      ])
        await say(`!alias add ${from} !${to}`, mod)
      assert.deepEqual((await say('!d2')).responses, [{ type: 'chat', text: 'pong' }], '3 re-entries are allowed')
      assert.deepEqual((await say('!d1')).responses, [
        { type: 'chat', text: '!d1 → !d2 → !d3 → !d4 → !ping: custom commands may chain at most 3 deep; stopped.' },
      ])
      await say('!alias add gone !nowhere', mod)
      assert.equal((await say('!gone')).outcome, 'unknown_command')
    })

    test('an unknown !word is still unknown_command; another community has its own aliases', async () => {
      const body = await say(`!nope${randomUUID().slice(0, 6)}`)
      assert.equal(body.outcome, 'unknown_command')
      assert.deepEqual(body.responses, [])
      await runtime.storage.execute(sql`insert into entities (entity_id, platform, server_id, channel_id, community_id)
        values ('local:other:c', 'local', 'other', 'c', 'elsewhere')`)
      const there = await say('!hi', viewer, { server_id: 'other' })
      assert.equal(there.outcome, 'unknown_command', 'aliases belong to their community')
    })

    test('REST API: list, create, patch, delete, with the admin key; 4xx names the problem', async () => {
      const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, k = admin) =>
        app('alias').inject({ method, url, ...(payload ? { payload } : {}), headers: { 'x-api-key': k } })
      assert.equal((await call('GET', '/api/v1/aliases', undefined, key)).statusCode, 403)
      const created = await call('POST', '/api/v1/aliases', {
        name: 'rest',
        response: 'from {user}',
        user_cooldown_s: 5,
      })
      assert.equal(created.statusCode, 201, created.body)
      assert.equal(created.json().user_cooldown_ms, 5000)
      assert.equal(
        (await call('POST', '/api/v1/aliases', { name: 'rest', response: 'x' })).json().error.code,
        'WB_ALIAS_CONFLICT',
      )
      assert.equal((await call('POST', '/api/v1/aliases', { name: 'ping', response: 'x' })).statusCode, 409)
      const bad = await call('POST', '/api/v1/aliases', { name: 'ok', response: 'x', permission_level: 'king' })
      assert.equal(bad.statusCode, 400)
      assert.equal(bad.json().error.field, 'permission_level')
      assert.equal(await text('!rest'), 'from Ann')
      const patched = (await call('PATCH', '/api/v1/aliases/rest', { response: 'patched', user_cooldown_s: 0 })).json()
      assert.equal(patched.response, 'patched')
      assert.equal(patched.user_cooldown_ms, 0)
      assert.equal(await text('!rest'), 'patched')
      const list = (await call('GET', '/api/v1/aliases')).json()
      assert.ok(list.aliases.some((a: Json) => a.name === 'rest'))
      assert.equal((await call('DELETE', '/api/v1/aliases/rest')).statusCode, 200)
      assert.equal((await call('DELETE', '/api/v1/aliases/rest')).json().error.code, 'WB_ALIAS_UNKNOWN')
      assert.equal((await say('!rest')).outcome, 'unknown_command')
    })

    test('an alias added by another process (the CLI) answers at once', async () => {
      assert.equal((await say('!fromcli')).outcome, 'unknown_command')
      const other = await openDatabase(project.settings)
      try {
        const added = await addAlias(other, 'default', {
          name: 'fromcli',
          response: 'added elsewhere',
          created_by: 'cli',
        })
        assert.ok(added.ok)
      } finally {
        await other.close()
      }
      // Redis: announced; SQLite without Redis: the module sees the file changed within a second.
      assert.equal(
        await notifyAliasesChanged(project.settings, 'default'),
        project.settings.redisUrl ? 'redis' : 'database',
      )
      let answer: Json
      for (let i = 0; i < 300 && answer?.outcome !== 'command'; i++) {
        answer = await say('!fromcli')
        if (answer.outcome !== 'command') await new Promise((r) => setTimeout(r, 10))
      }
      assert.deepEqual(answer.responses, [{ type: 'chat', text: 'added elsewhere' }])
    })

    test('!help and !commands do not list the catch-all', async () => {
      const help = await text('!commands')
      assert.ok(!help.includes('!*'), help)
      assert.ok(help.includes('!alias'), help)
    })
  })
}
