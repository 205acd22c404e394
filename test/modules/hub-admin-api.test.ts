/**
 * The hub's community-admin and platform-admin API against the real modules it reuses (router, community,
 * identity, alias, browser-source, labels, reputation, memories, calendar), all listening: every page's calls
 * answer from the owning module, changes are audited, and the live view streams a chat command as it happens.
 * SQLite + in-process (sessions and rate limits on both backends are in hub-server.test.ts).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
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

test('commands: list, turn one off for the community, set its cooldown', async () => {
  const list = await owner.get(`${api}/commands`)
  ok(list)
  assert.ok(list.json.commands.some((c: { name: string }) => c.name === '!ping'))
  ok(await owner.send('PATCH', `${api}/commands/ping`, { enabled: false, cooldown_ms: 5000 }))
  const ping = (await owner.get(`${api}/commands`)).json.commands.find((c: { name: string }) => c.name === '!ping')
  assert.equal(ping.enabled, false)
  const bad = await owner.send('PATCH', `${api}/commands/ping`, { cooldown_ms: -1 })
  assert.equal(bad.status, 400)
  assert.equal(bad.json.error.field, 'cooldown_ms')
})

test('aliases: add, edit, list, remove', async () => {
  ok(await owner.send('POST', `${api}/aliases`, { name: 'hello', response: 'Hi $(user)!' }), 201)
  ok(await owner.send('PUT', `${api}/aliases/hello`, { response: 'Hello $(user)!' }))
  const list = await owner.get(`${api}/aliases`)
  ok(list)
  assert.match(JSON.stringify(list.json), /Hello \$\(user\)!/)
  ok(await owner.send('DELETE', `${api}/aliases/hello`))
  assert.doesNotMatch(JSON.stringify((await owner.get(`${api}/aliases`)).json), /hello/)
})

test('overlays: three OBS URLs; rotating one gives a new URL', async () => {
  const list = await owner.get(`${api}/overlays`)
  ok(list)
  assert.deepEqual(list.json.overlays.map((o: { type: string }) => o.type).sort(), ['general', 'media', 'ticker'])
  const media = list.json.overlays.find((o: { type: string }) => o.type === 'media').url
  const rotated = await owner.send('POST', `${api}/overlays/media/rotate`)
  ok(rotated)
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
  const timers = await owner.get(`${api}/timers`)
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

  const market = await owner.get(`${api}/modules`)
  assert.equal(market.status, 503)
  assert.equal(market.json.error.code, 'WB_HUB_MARKETPLACE_UNAVAILABLE')

  const audit = await owner.get(`${api}/audit`)
  ok(audit)
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
