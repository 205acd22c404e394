/**
 * The hub's server on both backends (SQLite + in-process, Postgres + Redis): logging in through fake Discord,
 * Twitch and Slack OAuth servers (state and PKCE checked), CSRF, revocable sessions, one-time passwords (once,
 * expiry, the forced OAuth link), the login rate limit, roles walked over the whole route table (a member is
 * refused every admin call, a moderator reaches moderation but not platform admin), the moderation dry run,
 * the served UI with its CSP and caching.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { HUB_ROUTES } from '../../src/modules/hub/api.js'
import { createPlatformAdmin, tempPasswordFor } from '../../src/modules/hub/public.js'
import { createApiKey } from '../../src/runtime/api-keys.js'
import { sql } from '../../src/runtime/storage/sql.js'
import { type Backend, postgresRedisBackend, serversUnavailable, sqliteBackend } from '../helpers/backends.js'
import { type Browser, type HubFixture, startHubFixture } from '../helpers/hub-runtime.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

const dist = mkdtempSync(join(tmpdir(), 'hub-dist-'))
mkdirSync(join(dist, 'assets'))
writeFileSync(
  join(dist, 'index.html'),
  '<!doctype html><title>hub</title><script type="module" src="/assets/app-1.js"></script>',
)
writeFileSync(join(dist, 'assets', 'app-1.js'), 'console.log(1)')
after(() => rmSync(dist, { recursive: true, force: true }))

const fill = (path: string, community: string) =>
  path
    .replace(':community', community)
    .replace(':platform_user_id', 'x')
    .replace(':platform', 'discord')
    .replace(':type', 'media')
    .replace(/:(\w+)/g, 'walk')

test('the hub applies the identity tables itself: an OAuth login works without the identity module', async () => {
  const g = await startHubFixture(sqliteBackend(), { modules: ['hub'] })
  try {
    const b = g.browser()
    g.discord.loginAs({ id: 'd-solo', username: 'solo' })
    assert.equal((await b.oauth('discord')).headers.get('location'), '/')
    assert.equal((await b.get('/api/v1/me')).json.identities[0].platform_user_id, 'd-solo')
  } finally {
    await g.close()
  }
})

describe('hub server', { concurrency: true }, () => {
  for (const [backend, skip] of backends) {
    describe(`hub on ${backend.name}`, { skip, concurrency: 1 }, () => {
      let f: HubFixture
      before(async () => {
        f = await startHubFixture(backend, {
          yaml: `modules:\n  hub: {build_on_serve: false, login_attempts_per_minute: 40, dist_dir: ${JSON.stringify(dist)}}\n`,
        })
      })
      after(async () => {
        await f?.close()
      })

      async function discordLogin(id: string, username: string): Promise<Browser> {
        const b = f.browser()
        await b.get('/api/v1/auth/session')
        f.discord.loginAs({ id, username, global_name: username.toUpperCase() })
        const done = await b.oauth('discord', '?next=/dashboard')
        assert.equal(done.status, 302, done.text)
        assert.equal(done.headers.get('location'), '/dashboard')
        return b
      }

      test('Discord login: state and PKCE S256 sent, the callback opens a session recorded in hub_sessions', async () => {
        const b = f.browser()
        const session = await b.get('/api/v1/auth/session')
        assert.equal(session.json.user, null)
        assert.match(session.json.csrf_token, /^[\w-]{20,}$/)
        f.discord.loginAs({ id: 'd-100', username: 'dana', global_name: 'Dana' })
        const start = await b.get('/api/v1/auth/oauth/discord')
        assert.equal(start.status, 302)
        const authorize = new URL(start.headers.get('location')!)
        assert.equal(authorize.origin, f.discord.url)
        assert.equal(authorize.pathname, '/oauth2/authorize')
        assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256')
        assert.match(authorize.searchParams.get('code_challenge') ?? '', /^[\w-]{43}$/)
        const state = authorize.searchParams.get('state')!
        assert.match(state, /^[\w-]{40,}$/)
        assert.equal(authorize.searchParams.get('redirect_uri'), `${f.url}/api/v1/auth/oauth/discord/callback`)
        const back = await b.get(authorize.toString())
        const callback = back.headers.get('location')!
        const done = await b.get(callback)
        assert.equal(done.status, 302)
        assert.equal(done.headers.get('location'), '/')
        assert.ok(b.jar.get('wb_session'), 'session cookie set')
        const me = await b.get('/api/v1/me')
        assert.equal(me.status, 200, me.text)
        assert.equal(me.json.display_name, 'Dana')
        assert.deepEqual(
          me.json.identities.map(
            (a: { platform: string; platform_user_id: string }) => `${a.platform}:${a.platform_user_id}`,
          ),
          ['discord:d-100'],
        )
        const row = await f.runtime.storage.one<{ user_id: string; via: string }>(
          sql`select user_id, via from hub_sessions where id = ${me.json.session.id}`,
        )
        assert.equal(row?.via, 'oauth:discord')
        assert.equal(row?.user_id, me.json.user_id)
        assert.ok(f.discord.calls.includes('POST /api/oauth2/token'))
        assert.ok(f.discord.calls.includes('GET /api/users/@me'))

        // The same callback again (state used up) and a callback in another browser are refused.
        const replay = await b.get(callback)
        assert.equal(replay.headers.get('location'), '/login?error=WB_HUB_OAUTH_FAILED')
        const other = f.browser()
        const start2 = await b.get('/api/v1/auth/oauth/discord')
        const back2 = await other.get(start2.headers.get('location')!)
        const stolen = await other.get(back2.headers.get('location')!)
        assert.equal(stolen.headers.get('location'), '/login?error=WB_HUB_OAUTH_FAILED')
        assert.equal(other.jar.get('wb_session'), undefined)
        const forged = await b.get('/api/v1/auth/oauth/discord/callback?code=abc&state=never-issued-state-value')
        assert.equal(forged.headers.get('location'), '/login?error=WB_HUB_OAUTH_FAILED')
      })

      test('Twitch and Slack logins (no PKCE on either, as the platforms have none)', async () => {
        f.twitch.loginAs({ id: 't-7', login: 'tess', display_name: 'Tess' })
        const t = f.browser()
        assert.equal((await t.oauth('twitch')).headers.get('location'), '/')
        const tq = f.twitch.authorizeQueries.at(-1)!
        assert.equal(tq.get('code_challenge'), null)
        assert.ok(tq.get('state'))
        assert.equal((await t.get('/api/v1/me')).json.identities[0].user_name, 'tess')
        assert.ok(f.twitch.calls.includes('GET /helix/users'))

        f.slack.loginAs({ id: 'U123', login: 'sam', display_name: 'Sam Slack' })
        const s = f.browser()
        assert.equal((await s.oauth('slack')).headers.get('location'), '/')
        const me = await s.get('/api/v1/me')
        assert.equal(me.json.identities[0].platform_user_id, 'U123')
        assert.equal(me.json.display_name, 'Sam Slack')
        assert.ok(f.slack.calls.includes('POST /api/openid.connect.token'))
      })

      test('a state-changing request without the CSRF token is refused', async () => {
        const b = await discordLogin('d-csrf', 'carl')
        const none = await b.send('POST', '/api/v1/auth/refresh', undefined, { csrf: false })
        assert.equal(none.status, 403)
        assert.equal(none.json.error.code, 'WB_HUB_CSRF')
        const wrong = await b.request('POST', '/api/v1/auth/refresh', undefined, { 'x-csrf-token': 'x'.repeat(32) })
        assert.equal(wrong.status, 403)
        const noSession = await f
          .browser()
          .send('POST', '/api/v1/auth/temp-password', { user: 'x', password: 'y'.repeat(10) })
        assert.equal(noSession.json.error.code, 'WB_HUB_CSRF')
        const ok = await b.send('POST', '/api/v1/auth/refresh')
        assert.equal(ok.status, 200, ok.text)
      })

      test('sessions: refresh replaces the token, another session can be revoked, logout ends this one', async () => {
        const a = await discordLogin('d-rev', 'rita')
        const b = await discordLogin('d-rev', 'rita')
        const idB = (await b.get('/api/v1/me')).json.session.id
        const list = await a.get('/api/v1/auth/sessions')
        assert.equal(list.json.sessions.length, 2)
        const revoked = await a.send('DELETE', `/api/v1/auth/sessions/${idB}`)
        assert.equal(revoked.status, 200)
        const dead = await b.get('/api/v1/me')
        assert.equal(dead.status, 401)
        assert.equal(dead.json.error.code, 'WB_HUB_LOGIN_REQUIRED')

        const oldToken = a.jar.get('wb_session')!
        assert.equal((await a.send('POST', '/api/v1/auth/refresh')).status, 200)
        assert.notEqual(a.jar.get('wb_session'), oldToken)
        const stale = await f.browser().get('/api/v1/me', { authorization: `Bearer ${oldToken}` })
        assert.equal(stale.status, 401)
        assert.equal((await a.get('/api/v1/me')).status, 200)
        // A bearer token needs no CSRF token; a tampered one is refused.
        const token = a.jar.get('wb_session')!
        const bearer = await f.browser().get('/api/v1/me', { authorization: `Bearer ${token}` })
        assert.equal(bearer.status, 200)
        const tampered = await f.browser().get('/api/v1/me', { authorization: `Bearer ${token.slice(0, -2)}xx` })
        assert.equal(tampered.status, 401)
        assert.equal((await a.send('POST', '/api/v1/auth/logout')).status, 200)
        assert.equal((await a.get('/api/v1/me')).status, 401)
        assert.equal((await f.browser().get('/api/v1/me', { authorization: `Bearer ${token}` })).status, 401)
      })

      test('a temp password works once, expires, and forces the OAuth link', async () => {
        const db = f.runtime.storage
        const admin = await createPlatformAdmin(db, 'firstadmin', 15 * 60_000)
        const b = f.browser()
        await b.get('/api/v1/auth/session')
        const login = await b.send('POST', '/api/v1/auth/temp-password', {
          user: 'firstadmin',
          password: admin.password,
        })
        assert.equal(login.status, 200, login.text)
        assert.equal(login.json.oauth_required, true)
        assert.deepEqual(login.json.link_urls.map((l: { platform: string }) => l.platform).sort(), [
          'discord',
          'slack',
          'twitch',
        ])
        assert.equal(login.json.user.platform_admin, true)
        // Before the link, nothing but auth and /me.
        const blocked = await b.get('/api/v1/platform/health')
        assert.equal(blocked.status, 403)
        assert.equal(blocked.json.error.code, 'WB_HUB_LINK_REQUIRED')
        // Once only.
        const fresh = f.browser()
        await fresh.get('/api/v1/auth/session')
        const again = await fresh.send('POST', '/api/v1/auth/temp-password', {
          user: 'firstadmin',
          password: admin.password,
        })
        assert.equal(again.status, 401)
        assert.equal(again.json.error.code, 'WB_HUB_LOGIN_FAILED')
        // Link a Discord account: the session is released, the account joins the admin's identity.
        f.discord.loginAs({ id: 'd-admin', username: 'boss' })
        const linked = await b.oauth('discord', '?link=1&next=/admin')
        assert.equal(linked.headers.get('location'), '/admin')
        const health = await b.get('/api/v1/platform/health')
        assert.equal(health.status, 200, health.text)
        assert.ok(
          health.json.modules.some(
            (m: { module: string; status: string }) => m.module === 'router' && m.status === 'ok',
          ),
        )
        assert.equal(await f.userOf('discord', 'd-admin'), admin.user_id)
        // Expired.
        const old = await tempPasswordFor(db, 'discord:boss', 'test', 60_000, Date.now() - 120_000)
        const late = await fresh.send('POST', '/api/v1/auth/temp-password', {
          user: 'discord:boss',
          password: old.password,
        })
        assert.equal(late.status, 401)
        const current = await tempPasswordFor(db, 'discord:boss', 'test', 60_000)
        const works = await fresh.send('POST', '/api/v1/auth/temp-password', {
          user: 'discord:boss',
          password: current.password,
        })
        assert.equal(works.status, 200, works.text)
        // A platform admin logging in with Discord later is a platform admin at once.
        const viaDiscord = await discordLogin('d-admin', 'boss')
        assert.equal((await viaDiscord.get('/api/v1/platform/admins')).status, 200)
      })

      test('roles: a member is refused every admin call; a moderator reaches moderation, not admin or platform admin', async () => {
        const c = await f.community('walkers')
        const member = await discordLogin('d-member', 'mia')
        const mod = await discordLogin('d-mod', 'mo')
        await f.grant(c, (await f.userOf('discord', 'd-member'))!, 'member')
        await f.grant(c, (await f.userOf('discord', 'd-mod'))!, 'moderator')
        const stranger = f.browser()
        const refusedBy = async (b: Browser, role: string) => {
          const seen: string[] = []
          for (const r of HUB_ROUTES.filter((x) => x.role === role)) {
            const res = await b.send(
              r.method,
              fill(r.path, c),
              r.method === 'GET' || r.method === 'DELETE' ? undefined : {},
            )
            if (res.status !== 403 || res.json?.error?.code !== 'WB_HUB_FORBIDDEN')
              seen.push(`${r.method} ${r.path} → ${res.status}`)
          }
          return seen
        }
        for (const role of ['moderator', 'admin', 'owner', 'platform_admin'])
          assert.deepEqual(await refusedBy(member, role), [], `member vs ${role}`)
        for (const role of ['admin', 'owner', 'platform_admin'])
          assert.deepEqual(await refusedBy(mod, role), [], `moderator vs ${role}`)
        for (const r of HUB_ROUTES.filter((x) => x.role !== 'public')) {
          const res = await stranger.get(fill(r.path, c), { 'x-csrf-token': 'none' })
          if (r.method === 'GET') assert.equal(res.status, 401, `${r.path} without a session`)
        }
        // The moderator's moderation: add a rule to the community's channel, dry-run a pasted log.
        const rules = await mod.get(`/api/v1/communities/${c}/moderation/rules`)
        assert.equal(rules.status, 200, rules.text)
        const added = await mod.send('POST', `/api/v1/communities/${c}/moderation/rules`, {
          pattern: 'buy followers',
          match_type: 'contains',
          action: 'delete',
        })
        assert.equal(added.status, 201, added.text)
        assert.equal(added.json.entity_id, `local:${c}:c`)
        const run = await mod.send('POST', `/api/v1/communities/${c}/moderation/dry-run`, {
          log: 'ann: hi all\n[12:00:01] bob: BUY FOLLOWERS cheap\ncat: buy followers here\n',
        })
        assert.equal(run.status, 200, run.text)
        assert.equal(run.json.lines, 3)
        assert.equal(run.json.lines_with_hits, 2)
        assert.equal(run.json.rules[0].hits, 2)
        const audit = await f.runtime.storage.one<{ n: unknown }>(
          sql`select count(*) as n from audit_log where action = 'hub.moderation.rule_add' and target_id = ${c}`,
        )
        assert.equal(Number(audit?.n), 1)
        // Another community's moderation is not theirs.
        const other = await f.community('others')
        assert.equal((await mod.get(`/api/v1/communities/${other}/moderation/rules`)).status, 403)
        // Members and roles: the moderator may not make admins.
        const members = await mod.get(`/api/v1/communities/${c}/members`)
        assert.equal(members.json.members.length, 2)
        const promote = await mod.send('PUT', `/api/v1/communities/${c}/members/discord/d-member/role`, {
          role: 'admin',
        })
        assert.equal(promote.status, 403)
        const mine = await member.get('/api/v1/me/communities')
        assert.deepEqual(
          mine.json.communities.map((x: { id: string; role: string }) => `${x.id}:${x.role}`),
          ['walkers:member'],
        )
        const bad = await mod.send('POST', `/api/v1/communities/${c}/moderation/dry-run`, { log: 42 })
        assert.equal(bad.status, 400)
        assert.equal(bad.json.error.field, 'log')
      })

      test('the UI: strict CSP and security headers, hashed assets cached for a year, SPA fallback', async () => {
        const b = f.browser()
        const page = await b.get('/communities/walkers')
        assert.equal(page.status, 200)
        assert.match(page.text, /<title>hub<\/title>/)
        const csp = page.headers.get('content-security-policy') ?? ''
        assert.match(csp, /default-src 'self'/)
        assert.match(csp, /script-src 'self'(;|$)/)
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https:/)
        assert.match(csp, /frame-ancestors 'none'/)
        assert.equal(page.headers.get('x-content-type-options'), 'nosniff')
        assert.equal(page.headers.get('cache-control'), 'no-cache')
        const asset = await b.get('/assets/app-1.js')
        assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable')
        assert.match(asset.headers.get('content-type') ?? '', /javascript/)
        assert.equal((await b.get('/assets/missing.js')).status, 404)
        assert.equal((await b.get('/..%2f..%2fetc/passwd')).status, 200) // the fallback page, never a file outside dist
        const api = await b.get('/api/v1/nothing-here')
        assert.equal(api.status, 404)
        assert.equal(api.json.error.code, 'WB_NOT_FOUND')
        assert.equal(api.headers.get('cache-control'), 'no-store')
        assert.match(api.headers.get('content-security-policy') ?? '', /default-src 'self'/)
      })

      test('!community portal login whispers a one-time password that logs that chat account in', async () => {
        const key = (await createApiKey(f.runtime.storage, 'c', 'collector')).key
        const router = f.runtime.hosted.find((h) => h.def.name === 'router')!
        const res = await router.app.inject({
          method: 'POST',
          url: '/api/v1/events',
          headers: { 'x-api-key': key },
          payload: {
            platform: 'local',
            server_id: 's',
            channel_id: 'c',
            user_id: 'u-pat',
            user_name: 'Pat',
            message: '!community portal login',
            message_type: 'chatMessage',
          },
        })
        assert.equal(res.statusCode, 200, res.body)
        const responses = res.json().responses as {
          type: string
          to_user_id?: string
          text?: string
          message?: string
        }[]
        const whisper = responses.find((r) => r.type === 'whisper')
        assert.ok(whisper, JSON.stringify(responses))
        assert.equal(whisper.to_user_id, 'u-pat')
        const password = /password \(valid \d+ min, works once\): (\S+)/.exec(whisper.text ?? '')?.[1]
        assert.ok(password, whisper.text)
        assert.ok(
          !JSON.stringify(responses.filter((r) => r.type !== 'whisper')).includes(password),
          'never in the channel',
        )
        const b = f.browser()
        await b.get('/api/v1/auth/session')
        const login = await b.send('POST', '/api/v1/auth/temp-password', { user: 'local:pat', password })
        assert.equal(login.status, 200, login.text)
        assert.equal(login.json.user.identities[0].platform_user_id, 'u-pat')
      })

      test('logins are rate-limited per address', async () => {
        const b = f.browser()
        await b.get('/api/v1/auth/session')
        let last = 0
        for (let i = 0; i < 45 && last !== 429; i++)
          last = (
            await b.send('POST', '/api/v1/auth/temp-password', { user: `nobody${i}`, password: 'wrong-password' })
          ).status
        assert.equal(last, 429)
        const res = await b.send('POST', '/api/v1/auth/temp-password', { user: 'nobody', password: 'wrong-password' })
        assert.equal(res.json.error.code, 'WB_RATE_LIMITED')
      })
    })
  }
})
