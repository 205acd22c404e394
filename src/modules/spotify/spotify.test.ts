/**
 * Spotify end to end against the fake Spotify, on SQLite and on Postgres + Redis, with one manual clock shared
 * by the module and the fake: OAuth login, tokens encrypted at rest, commands, refresh BEFORE expiry, 401
 * recovery, and a revoked refresh token → a clear chat line, a doctor warning, no crash, /health 200.
 */
import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { type FakeSpotify, SPOTIFY_CATALOGUE, startFakeSpotify } from '../../../test/fakes/spotify-server.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { type TestProject, testProject } from '../../../test/helpers/settings.js'
import { sql } from '../../runtime/storage/sql.js'
import {
  chatLines,
  type HostedTestModule,
  hostTestModule,
  manualClock,
  type TestUser,
} from '../../../test/helpers/host-test-module.js'
import { createSpotifyModule, type SpotifyConfig, type SpotifyService, spotifyStatus } from './index.js'
import { loginHint } from './settings.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]
const viewer: TestUser = { id: 'u-view', name: 'Vi' }
const mod: TestUser = { id: 'u-mod', name: 'Mo', roles: ['moderator'] }
const NGGYU = SPOTIFY_CATALOGUE[0]!

for (const [backend, skip] of backends) {
  describe(`spotify on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let fake: FakeSpotify
    let env: Record<string, string>
    let host: HostedTestModule<SpotifyConfig, SpotifyService>
    const clock = manualClock()
    const community = `c-${randomUUID()}`
    const hint = loginHint(community)
    const admin: TestUser = { id: 'u-admin', name: 'Ad', roles: ['admin'] }

    const start = (extra: Record<string, string> = {}) =>
      hostTestModule(createSpotifyModule({ now: clock.now }), project.dir, { ...env, ...extra })
    const run = async (text: string, user: TestUser = viewer, cid = community) => {
      const result = await host.run('!spotify', text.split(' '), user, cid)
      assert.equal(result.success, true, result.error)
      return result
    }
    const say = async (text: string, user: TestUser = viewer, cid = community) =>
      chatLines(await run(text, user, cid)).join(' | ')
    const tokenCalls = () => fake.requests.filter((r) => r.path === '/api/token').map((r) => r.form.grant_type)
    const get = (url: string) => host.app.inject({ method: 'GET', url })

    /** An admin asks for a login link in chat: the path and query of the URL in the ephemeral reply. */
    async function issuedLink(cid = community): Promise<string> {
      const line = await say('login', admin, cid)
      const url = new URL(/(http:\/\/\S+)/.exec(line)![1]!)
      assert.equal(url.pathname, '/spotify/auth/login')
      return `${url.pathname}${url.search}`
    }

    /** The streamer's browser: admin-issued link → Spotify approves → callback. */
    async function login(cid = community) {
      const first = await get(await issuedLink(cid))
      assert.equal(first.statusCode, 302, first.body)
      const approve = await fetch(first.headers.location as string, { redirect: 'manual' })
      assert.equal(approve.status, 302)
      const back = new URL(approve.headers.get('location')!)
      const callbackUrl = `${back.pathname}${back.search}`
      return { authorize: new URL(first.headers.location as string), callbackUrl, callback: await get(callbackUrl) }
    }

    before(async () => {
      fake = await startFakeSpotify({ now: clock.now, clientId: 'cid-1', clientSecret: 'csecret-1' })
      env = {
        ...(await backend.env()),
        SPOTIFY_CLIENT_ID: 'cid-1',
        SPOTIFY_CLIENT_SECRET: 'csecret-1',
        SPOTIFY_ACCOUNTS_URL: fake.url,
        SPOTIFY_API_URL: fake.apiUrl,
      }
      project = testProject({ env })
      host = await start()
    })
    after(async () => {
      await host?.stop()
      await fake?.close()
      await backend.cleanup()
      project?.cleanup()
    })

    test('before login: commands say how to connect; bad login requests are refused', async () => {
      assert.equal(await say('current'), `Spotify is not connected: ${hint}`)
      assert.equal(await say('login'), 'Only the streamer can connect Spotify')
      assert.equal((await get('/spotify/auth/login')).statusCode, 403)
      assert.equal(
        (await get(`/spotify/auth/login?community_id=${community}`)).statusCode,
        403,
        'the old unauthenticated form starts nothing',
      )
      assert.equal((await get('/spotify/auth/callback?code=x&state=never-issued')).statusCode, 400)
      const stale = await get(await issuedLink())
      const state = new URL(stale.headers.location as string).searchParams.get('state')!
      clock.advance(10 * 60_000 + 1)
      const late = await get(`/spotify/auth/callback?code=x&state=${state}`)
      assert.equal(late.statusCode, 400)
      assert.match(late.body, /older than 10 minutes/)
      const cancelled = await get(await issuedLink())
      const state2 = new URL(cancelled.headers.location as string).searchParams.get('state')!
      assert.match((await get(`/spotify/auth/callback?error=access_denied&state=${state2}`)).body, /access_denied/)
      assert.equal(tokenCalls().length, 0)
    })

    test('login links: signed, one use, expiring; without one no state row is written', async () => {
      const states = async () =>
        Number((await host.storage.one<{ n: number | string }>(sql`select count(*) as n from spotify_oauth_states`))!.n)
      const before = await states()
      const path = await issuedLink()
      const link = new URL(`http://x${path}`).searchParams.get('link')!
      const [id, expires] = link.split('.')
      const forged = `${id}.${expires}.${'A'.repeat(43)}`
      assert.equal((await get(`/spotify/auth/login?link=${forged}`)).statusCode, 403, 'a wrong signature')
      const later = `${id}.${Number(expires) + 3600_000}.${link.split('.')[2]}`
      assert.equal(
        (await get(`/spotify/auth/login?link=${later}`)).statusCode,
        403,
        'an extended expiry breaks the signature',
      )
      for (let i = 0; i < 5; i++) await get(`/spotify/auth/login?community_id=other-${i}`)
      assert.equal(await states(), before, 'nothing stored for requests without a valid link')
      assert.equal((await get(path)).statusCode, 302)
      assert.equal(await states(), before + 1)
      assert.equal((await get(path)).statusCode, 403, 'a link works once')
      const expiring = await issuedLink()
      clock.advance(15 * 60_000 + 1)
      assert.equal((await get(expiring)).statusCode, 403, 'an expired link')
    })

    test('OAuth login: redirect to authorize, code exchange with client basic auth, tokens stored encrypted', async () => {
      const { authorize, callback, callbackUrl } = await login()
      assert.equal(`${authorize.origin}${authorize.pathname}`, `${fake.url}/authorize`)
      assert.equal(authorize.searchParams.get('client_id'), 'cid-1')
      assert.equal(authorize.searchParams.get('response_type'), 'code')
      assert.equal(authorize.searchParams.get('redirect_uri'), 'http://127.0.0.1:8026/spotify/auth/callback')
      assert.match(authorize.searchParams.get('scope')!, /user-modify-playback-state/)
      assert.equal(callback.statusCode, 200, callback.body)
      assert.match(callback.body, /Spotify connected/)
      const exchange = fake.requests.find((r) => r.path === '/api/token')!
      assert.equal(exchange.form.grant_type, 'authorization_code')
      assert.equal(exchange.headers.authorization, `Basic ${Buffer.from('cid-1:csecret-1').toString('base64')}`)
      const row = await host.storage.one<{ access_token: string; refresh_token: string; status: string }>(
        sql`select * from spotify_tokens where community_id = ${community}`,
      )
      const issued = fake.issued.at(-1)!
      assert.equal(row!.status, 'active')
      assert.match(row!.access_token, /^v1\./)
      assert.ok(
        !row!.access_token.includes(issued.access) && !row!.refresh_token.includes(issued.refresh),
        'no plaintext token at rest',
      )
      assert.equal((await get(callbackUrl)).statusCode, 400, 'a state works once')
    })

    test('search, play by number / query / URI into the streamer queue, current as media, devices', async () => {
      assert.match(
        await say('search queen'),
        /^Spotify results: 1\. Bohemian Rhapsody — Queen \(5:54\) · 2\. Don't Stop Me Now — Queen \(3:29\) — pick one/,
      )
      assert.equal(await say('play 2'), "Queued on Spotify: Don't Stop Me Now — Queen (requested by Vi)")
      assert.equal(
        await say('play never gonna give you up'),
        'Queued on Spotify: Never Gonna Give You Up — Rick Astley (requested by Vi)',
      )
      assert.equal(
        await say(`play https://open.spotify.com/track/${SPOTIFY_CATALOGUE[4]!.id}?si=abc`),
        'Queued on Spotify: Uptown Funk — Mark Ronson, Bruno Mars (requested by Vi)',
      )
      assert.deepEqual(
        fake.player.queue,
        [SPOTIFY_CATALOGUE[3], NGGYU, SPOTIFY_CATALOGUE[4]].map((t) => `spotify:track:${t!.id}`),
      )
      const now = await run('current')
      assert.deepEqual(now.responses[0], {
        type: 'media',
        media_type: 'audio',
        title: 'Take on Me',
        artist: 'a-ha',
        art_url: fake.artUrl(SPOTIFY_CATALOGUE[1]!.id),
        media_url: `https://open.spotify.com/track/${SPOTIFY_CATALOGUE[1]!.id}`,
        duration: 225,
      })
      assert.deepEqual(chatLines(now), ['Now playing on Spotify: Take on Me — a-ha [1:02 / 3:45]'])
      assert.equal(
        await say('devices'),
        'Spotify devices: Streaming PC (Computer, active, 70%) · Kitchen (Speaker, 40%)',
      )
      assert.match(await say('dance'), /^Usage: !spotify/)
    })

    test('pause, resume and skip are for moderators; skip shows the new track', async () => {
      assert.equal(await say('pause'), 'Only moderators can pause Spotify')
      assert.equal(await say('pause', mod), 'Spotify paused.')
      assert.equal(fake.player.isPlaying, false)
      assert.equal(await say('resume', mod), 'Spotify resumed.')
      assert.equal(fake.player.isPlaying, true)
      assert.equal(await say('skip'), 'Only moderators can skip Spotify')
      const skipped = await run('skip', mod)
      assert.equal(skipped.responses[0]!.type === 'media' && skipped.responses[0].title, "Don't Stop Me Now")
      assert.deepEqual(chatLines(skipped), ["Skipped. Now playing on Spotify: Don't Stop Me Now — Queen [0:00 / 3:29]"])
      fake.player.devices.forEach((d) => {
        d.is_active = false
      })
      try {
        assert.equal(
          await say('play take on me'),
          'No active Spotify device: start playing on a device first (see !spotify devices)',
        )
      } finally {
        fake.player.devices[0]!.is_active = true
      }
    })

    test('the access token is refreshed BEFORE it expires (under 60 s left), not earlier', async () => {
      const issued = fake.issued.at(-1)!
      clock.advance(issued.expiresAt - clock.now() - 61_000)
      await say('current')
      assert.deepEqual(tokenCalls(), ['authorization_code'], '61 s left: no refresh yet')
      clock.advance(2000)
      const before = fake.requests.length
      assert.match(await say('current'), /^Now playing on Spotify/)
      const after = fake.requests.slice(before)
      assert.deepEqual(
        after.map((r) => r.path),
        ['/api/token', '/v1/me/player/currently-playing'],
        'refresh first, then the call',
      )
      assert.equal(after[0]!.form.grant_type, 'refresh_token')
      assert.equal(after[1]!.headers.authorization, `Bearer ${fake.issued.at(-1)!.access}`)
      assert.ok(fake.issued.at(-1)!.expiresAt > clock.now() + 3_000_000)
    })

    test('a 401 from the API (token died early) refreshes once and retries', async () => {
      fake.expireAccessTokens()
      const before = fake.requests.length
      assert.match(await say('devices'), /^Spotify devices/)
      assert.deepEqual(
        fake.requests.slice(before).map((r) => r.path),
        ['/v1/me/player/devices', '/api/token', '/v1/me/player/devices'],
      )
    })

    test('a revoked refresh token: clear chat line, marked revoked, health 200, spotifyStatus warns', async () => {
      fake.revokeRefreshTokens()
      clock.advance(3600_000)
      const line = `Spotify is disconnected: the streamer must log in again; ${hint}`
      assert.equal(await say('current'), line)
      const calls = tokenCalls().length
      assert.equal(await say('play take on me'), line)
      assert.equal(tokenCalls().length, calls, 'a revoked connection is not retried on every command')
      const row = await host.storage.one<{ status: string; last_error: string }>(
        sql`select status, last_error from spotify_tokens where community_id = ${community}`,
      )
      assert.equal(row!.status, 'revoked')
      assert.match(row!.last_error, /invalid_grant/)
      const health = await get('/health')
      assert.equal(health.statusCode, 200, health.body)
      const status = await spotifyStatus(host.ctx)
      assert.equal(status.level, 'warn')
      assert.ok(status.detail.includes('waddlebot spotify login'), status.detail)
      assert.equal(status.connections.find((c) => c.community_id === community)?.state, 'revoked')
      assert.equal((await get('/spotify/status')).json().level, 'warn')
    })

    test('logging in again reconnects', async () => {
      assert.equal((await login()).callback.statusCode, 200)
      assert.match(await say('current'), /^Now playing on Spotify/)
      assert.equal((await spotifyStatus(host.ctx)).level, 'ok')
    })

    test('another encryption key makes stored tokens unreadable: disconnected, not a crash', async () => {
      await host.stop()
      host = await start({ WADDLEBOT_SECRET_KEY: randomBytes(32).toString('base64') })
      assert.equal(await say('current'), `Spotify is disconnected: the streamer must log in again; ${hint}`)
      const status = await spotifyStatus(host.ctx)
      assert.equal(status.connections.find((c) => c.community_id === community)?.state, 'key_mismatch')
      assert.equal(status.level, 'warn')
    })

    test('without SPOTIFY_CLIENT_ID/SECRET: a clear line, login answers 503, health 200', async () => {
      await host.stop()
      host = await start({ SPOTIFY_CLIENT_ID: '', SPOTIFY_CLIENT_SECRET: '' })
      assert.equal(await say('current'), 'Spotify is not configured: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET')
      assert.equal((await get('/spotify/auth/login?link=x')).statusCode, 503)
      assert.equal((await get('/health')).statusCode, 200)
    })
  })
}
