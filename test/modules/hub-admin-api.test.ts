/**
 * The hub's community-admin and platform-admin API against the real modules it reuses (router, community,
 * identity, alias, browser-source, labels, reputation, memories, calendar), all listening: every page's calls
 * answer from the owning module, changes are audited, and the live view streams a chat command as it happens.
 * SQLite + in-process (sessions and rate limits on both backends are in hub-server.test.ts).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { HUB_ROUTES } from '../../src/modules/hub/api.js'
import { createPlatformAdmin } from '../../src/modules/hub/public.js'
import { createApiKey } from '../../src/runtime/api-keys.js'
import { sqliteBackend } from '../helpers/backends.js'
import { type Browser, type HubFixture, startHubFixture } from '../helpers/hub-runtime.js'

let f: HubFixture
let owner: Browser
const C = 'admins'
const api = `/api/v1/communities/${C}`

before(async () => {
  f = await startHubFixture(sqliteBackend(), {
    modules: [
      'router',
      'community',
      'identity',
      'hub',
      'alias',
      'browser-source',
      'labels',
      'reputation',
      'memories',
      'calendar',
    ],
  })
  await f.community(C)
  owner = f.browser()
  await owner.get('/api/v1/auth/session')
  f.discord.loginAs({ id: 'd-owner', username: 'olive' })
  assert.equal((await owner.oauth('discord')).status, 302)
  await f.grant(C, (await f.userOf('discord', 'd-owner'))!, 'owner')
})
after(async () => {
  await f?.close()
})

const ok = (res: { status: number; text: string }, status = 200) => assert.equal(res.status, status, res.text)

/** The answer has the shape api.ts promises for that route (the contract the UI builds against). */
function conforms(method: string, path: string, json: unknown): void {
  const route = HUB_ROUTES.find((r) => r.method === method && r.path === path)
  assert.ok(route?.response, `${method} ${path} has a response schema`)
  const parsed = route.response.safeParse(json)
  assert.ok(
    parsed.success,
    `${method} ${path}: ${JSON.stringify(parsed.error?.issues?.[0])} in ${JSON.stringify(json).slice(0, 300)}`,
  )
}
const P = '/api/v1/communities/:community'

test('commands: list, turn one off for the community, set its cooldown', async () => {
  const list = await owner.get(`${api}/commands`)
  ok(list)
  assert.ok(list.json.commands.some((c: { name: string }) => c.name === '!ping'))
  conforms('GET', `${P}/commands`, list.json)
  const patched = await owner.send('PATCH', `${api}/commands/ping`, { enabled: false, cooldown_ms: 5000 })
  ok(patched)
  conforms('PATCH', `${P}/commands/:name`, patched.json)
  const ping = (await owner.get(`${api}/commands`)).json.commands.find((c: { name: string }) => c.name === '!ping')
  assert.equal(ping.enabled, false)
  assert.equal(ping.cooldown_ms, 5000)
  const bad = await owner.send('PATCH', `${api}/commands/ping`, { cooldown_ms: -1 })
  assert.equal(bad.status, 400)
  assert.equal(bad.json.error.field, 'cooldown_ms')
})

test('aliases: add, edit, list, remove', async () => {
  const added = await owner.send('POST', `${api}/aliases`, { name: 'hello', response: 'Hi $(user)!' })
  ok(added, 201)
  conforms('POST', `${P}/aliases`, added.json)
  const edited = await owner.send('PUT', `${api}/aliases/hello`, { response: 'Hello $(user)!' })
  ok(edited)
  conforms('PUT', `${P}/aliases/:name`, edited.json)
  const list = await owner.get(`${api}/aliases`)
  ok(list)
  conforms('GET', `${P}/aliases`, list.json)
  assert.match(JSON.stringify(list.json), /Hello \$\(user\)!/)
  ok(await owner.send('DELETE', `${api}/aliases/hello`))
  assert.doesNotMatch(JSON.stringify((await owner.get(`${api}/aliases`)).json), /hello/)
})

test('overlays: three OBS URLs; rotating one gives a new URL', async () => {
  const list = await owner.get(`${api}/overlays`)
  ok(list)
  assert.deepEqual(list.json.overlays.map((o: { type: string }) => o.type).sort(), ['general', 'media', 'ticker'])
  conforms('GET', `${P}/overlays`, list.json)
  const media = list.json.overlays.find((o: { type: string }) => o.type === 'media').url
  const rotated = await owner.send('POST', `${api}/overlays/media/rotate`)
  ok(rotated)
  conforms('POST', `${P}/overlays/:type/rotate`, rotated.json)
  assert.notEqual(rotated.json.url, media)
  assert.match(rotated.json.url, /\/browser\/source\/[\w-]+\/media$/)
})

test('labels, reputation settings, timers, calendar approvals, marketplace', async () => {
  const label = { label: 'regular', target_type: 'user', target_id: 'local:u1' }
  ok(await owner.send('POST', `${api}/labels`, label), 201)
  const got = await owner.get(`${api}/labels?target_type=user&target_id=local:u1`)
  ok(got)
  assert.deepEqual(
    got.json.labels.map((l: { label: string }) => l.label),
    ['regular'],
  )
  ok(await owner.send('DELETE', `${api}/labels`, label))

  ok(await owner.get(`${api}/reputation/settings`))
  ok(await owner.send('PUT', `${api}/reputation/settings`, { give_enabled: false }))
  assert.equal((await owner.get(`${api}/reputation/settings`)).json.give_enabled, false)

  const timer = await owner.send('POST', `${api}/timers`, {
    entity_id: `local:${C}:c`,
    name: 'social',
    minutes: 30,
    text: 'Follow us!',
  })
  ok(timer, 201)
  conforms('POST', `${P}/timers`, timer.json)
  const timers = await owner.get(`${api}/timers`)
  conforms('GET', `${P}/timers`, timers.json)
  assert.equal(timers.json.timers.length, 1)
  const id = timers.json.timers[0].id
  ok(await owner.send('DELETE', `${api}/timers/${id}`))
  const foreign = await owner.send('POST', `${api}/timers`, {
    entity_id: 'local:x:y',
    name: 'x',
    minutes: 30,
    text: 'x',
  })
  assert.equal(foreign.json.error.field, 'entity_id')

  const pending = await owner.get(`${api}/calendar/pending`)
  ok(pending)
  assert.deepEqual(pending.json.events, [])
  conforms('GET', `${P}/calendar/pending`, pending.json)

  const market = await owner.get(`${api}/modules`)
  assert.equal(market.status, 503)
  assert.equal(market.json.error.code, 'WB_HUB_MARKETPLACE_UNAVAILABLE')

  const audit = await owner.get(`${api}/audit`)
  ok(audit)
  conforms('GET', `${P}/audit`, audit.json)
  conforms('GET', `${P}/reputation/settings`, (await owner.get(`${api}/reputation/settings`)).json)
  conforms('GET', `${P}/labels`, got.json)
  const actions = audit.json.entries.map((e: { action: string }) => e.action)
  for (const a of ['hub.command.override', 'hub.alias.add', 'hub.overlay.rotate', 'hub.label.add', 'hub.timer.add'])
    assert.ok(actions.includes(a), `${a} in ${actions.join(',')}`)
})

test('members and roles: the owner makes an admin', async () => {
  const b = f.browser()
  await b.get('/api/v1/auth/session')
  f.discord.loginAs({ id: 'd-ann', username: 'ann' })
  await b.oauth('discord')
  await f.grant(C, (await f.userOf('discord', 'd-ann'))!, 'member')
  assert.equal((await b.get(`${api}/audit`)).status, 403)
  const res = await owner.send('PUT', `${api}/members/discord/d-ann/role`, { role: 'admin' })
  ok(res)
  assert.equal(res.json.role, 'admin')
  conforms('PUT', `${P}/members/:platform/:platform_user_id/role`, res.json)
  conforms('GET', `${P}/members`, (await owner.get(`${api}/members`)).json)
  ok(await b.get(`${api}/audit`))
})

test('platform admin: health of every module, users, modules, the last admin stays', async () => {
  const created = await createPlatformAdmin(f.runtime.storage, 'root', 60_000)
  const b = f.browser()
  await b.get('/api/v1/auth/session')
  ok(await b.send('POST', '/api/v1/auth/temp-password', { user: 'root', password: created.password }))
  f.discord.loginAs({ id: 'd-root', username: 'root' })
  await b.oauth('discord', '?link=1')
  const health = await b.get('/api/v1/platform/health')
  ok(health)
  conforms('GET', '/api/v1/platform/health', health.json)
  for (const path of [
    '/api/v1/platform/users',
    '/api/v1/platform/modules',
    '/api/v1/platform/communities',
    '/api/v1/platform/admins',
    '/api/v1/platform/audit',
  ])
    conforms('GET', path, (await b.get(path)).json)
  for (const path of [
    '/api/v1/me',
    '/api/v1/me/communities',
    '/api/v1/auth/session',
    '/api/v1/auth/sessions',
    '/api/v1/auth/providers',
    '/api/v1/public/home',
    '/api/v1/public/communities',
  ])
    conforms('GET', path, (await owner.get(path)).json)
  conforms('GET', '/api/v1/public/communities/:community', (await owner.get(`/api/v1/public/communities/${C}`)).json)
  // Every module this bot runs is probed; the ones hosted here answer ok with metrics, the others are down.
  const rows = health.json.modules as { module: string; status: string; metrics_lines?: number }[]
  const hosted = new Set(f.runtime.hosted.map((h) => h.def.name))
  assert.equal(rows.filter((r) => hosted.has(r.module)).length, 10)
  for (const r of rows.filter((x) => hosted.has(x.module))) {
    assert.equal(r.status, 'ok', JSON.stringify(r))
    assert.ok((r.metrics_lines ?? 0) > 0, r.module)
  }
  for (const r of rows.filter((x) => !hosted.has(x.module))) assert.equal(r.status, 'down', r.module)
  assert.ok((await b.get('/api/v1/platform/users?q=olive')).json.users.length >= 1)
  const modules = (await b.get('/api/v1/platform/modules')).json.modules as { name: string; local: boolean }[]
  assert.deepEqual(
    modules
      .filter((m) => m.local)
      .map((m) => m.name)
      .sort(),
    [...hosted].sort(),
  )
  assert.ok((await b.get('/api/v1/platform/communities')).json.communities.some((c: { id: string }) => c.id === C))
  const admins = (await b.get('/api/v1/platform/admins')).json.admins
  assert.equal(admins.length, 1)
  const last = await b.send('DELETE', `/api/v1/platform/admins/${admins[0].id}`)
  assert.equal(last.status, 409)
  assert.equal(last.json.error.code, 'WB_HUB_LAST_ADMIN')
})

test('the live view streams a chat command of the community as the router processes it', async () => {
  const res = await fetch(`${f.url}${api}/stream`, { headers: { cookie: owner.cookie() } })
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/)
  const reader = res.body!.getReader()
  const key = (await createApiKey(f.runtime.storage, 'c', 'collector')).key
  const router = f.runtime.hosted.find((h) => h.def.name === 'router')!
  const sent = Date.now()
  const send = () =>
    router.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { 'x-api-key': key },
      payload: {
        platform: 'local',
        server_id: C,
        channel_id: 'c',
        user_id: 'u9',
        user_name: 'viewer',
        message: '!ping',
        message_type: 'chatMessage',
      },
    })
  // The upstream subscription is made once the hub has answered the headers; send until an event arrives.
  const timer = setInterval(() => void send(), 500)
  let text = ''
  const deadline = Date.now() + 20_000
  try {
    while (!/event: event\n/.test(text) && Date.now() < deadline) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
  } finally {
    clearInterval(timer)
    await reader.cancel()
  }
  const data = JSON.parse(/event: event\ndata: (.+)\n/.exec(text)?.[1] ?? 'null')
  assert.ok(data, text)
  assert.equal(data.community, C)
  assert.equal(data.text, '!ping')
  assert.equal(data.entity_id, `local:${C}:c`)
  assert.ok(data.at >= sent - 1000)
})
