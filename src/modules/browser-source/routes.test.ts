import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type BrowserSourceFixture, startBrowserSource } from '../../../test/browser/bs-fixture.js'
import { OverlayClient } from '../../../test/browser/ws-client.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { sql } from '../../runtime/storage/sql.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

for (const [backend, skip] of backends) {
  describe(`browser-source routes on ${backend.name}`, { skip }, () => {
    let f: BrowserSourceFixture
    before(async () => {
      f = await startBrowserSource(backend)
    })
    after(() => f?.close())

    test('the page of a valid token: 200, self-contained HTML, CSP nonce on its only script, access logged', async () => {
      const c = f.community()
      const tokens = await f.bs.tokens.ensureTokens(c)
      for (const type of ['media', 'ticker', 'general'] as const) {
        const res = await f.get(`/browser/source/${tokens[type]}/${type}`, null)
        assert.equal(res.status, 200, res.text)
        assert.match(res.headers.get('content-type') ?? '', /^text\/html/)
        assert.equal(res.headers.get('referrer-policy'), 'no-referrer')
        const nonce = /script-src 'nonce-([^']+)'/.exec(res.headers.get('content-security-policy') ?? '')?.[1]
        assert.ok(nonce, 'CSP carries a nonce')
        const scripts = [...res.text.matchAll(/<script([^>]*)>/g)].map((m) => m[1])
        assert.deepEqual(scripts, [` nonce="${nonce}"`])
        assert.doesNotMatch(res.text, /<(link|script)[^>]+(src|href)=/, 'no external script or stylesheet')
        assert.doesNotMatch(res.text, /@import|url\(http/)
        assert.match(res.text, /background: transparent/)
        assert.match(res.text, /window\.WB = /)
      }
      await f.bs.access.flush()
      const rows = await f.runtime.storage.query<{ type: string; event: string; token_prefix: string }>(
        sql`select type, event, token_prefix from browser_source_access_log where community_id = ${c} order by id`,
      )
      assert.deepEqual(
        rows.map((r) => `${r.type}:${r.event}`),
        ['media:page', 'ticker:page', 'general:page'],
      )
      assert.equal(rows[0]!.token_prefix, tokens.media.slice(0, 6))
    })

    test('unknown token, a token of another type, or an unknown type → 404', async () => {
      const tokens = await f.bs.tokens.ensureTokens(f.community())
      for (const path of [
        `/browser/source/${'x'.repeat(43)}/media`,
        `/browser/source/${tokens.media}/ticker`,
        `/browser/source/${tokens.media}/chat`,
      ]) {
        const res = await f.get(path, null)
        assert.equal(res.status, 404, path)
        assert.equal(res.json.error.code, 'WB_NOT_FOUND')
      }
    })

    test('a WebSocket with an unknown token or the wrong type is closed with 4404', async () => {
      const tokens = await f.bs.tokens.ensureTokens(f.community())
      for (const [token, type] of [
        ['nope', 'media'],
        [tokens.ticker, 'media'],
        [tokens.media, 'chat'],
      ]) {
        const client = await f.connect(token!, type!)
        assert.equal((await client.closed).code, 4404)
        assert.deepEqual(client.messages, [])
      }
    })

    test('a display reaches every socket of its community and type, and no other', async () => {
      const [a, b] = [f.community(), f.community()]
      const ta = await f.bs.tokens.ensureTokens(a)
      const tb = await f.bs.tokens.ensureTokens(b)
      const media1 = await f.connect(ta.media, 'media')
      const media2 = await f.connect(ta.media, 'media')
      const tickerA = await f.connect(ta.ticker, 'ticker')
      const mediaB = await f.connect(tb.media, 'media')
      for (const c of [media1, media2, tickerA, mediaB]) assert.equal((await c.next()).type, 'hello')
      const data = { media_type: 'audio', title: 'Never Gonna Give You Up', artist: 'Rick Astley', duration: 213 }
      const res = await f.post('/browser/source/display', { community_id: a, type: 'media', data })
      assert.equal(res.status, 200, JSON.stringify(res.json))
      assert.equal(res.json.delivered, 2)
      assert.equal(res.json.community_id, a)
      for (const c of [media1, media2]) {
        const m = await c.next()
        assert.deepEqual({ type: m.type, data: m.data, id: m.id }, { type: 'media', data, id: res.json.id })
        assert.equal(typeof m.ts, 'number')
      }
      // The others' next message is the one meant for them, not the media display above.
      await f.post('/browser/source/display', { community_id: a, type: 'ticker', data: { text: 'for ticker A' } })
      await f.post('/browser/source/display', { community_id: b, type: 'media', data: { title: 'for media B' } })
      assert.equal((await tickerA.next()).data.text, 'for ticker A')
      assert.equal((await mediaB.next()).data.title, 'for media B')
      assert.deepEqual([...media1.unread(), ...media2.unread()], [])
    })

    test('entity_id is mapped to its community; an unknown entity belongs to the default community', async () => {
      const c = f.community()
      await f.runtime.storage.execute(
        sql`insert into entities (entity_id, platform, community_id) values (${`local:s:${c}`}, 'local', ${c})`,
      )
      const socket = await f.connect((await f.bs.tokens.ensureTokens(c)).ticker, 'ticker')
      await socket.next()
      const res = await f.post('/browser/source/display', {
        entity_id: `local:s:${c}`,
        type: 'ticker',
        data: { text: 'hi' },
      })
      assert.equal(res.json.community_id, c)
      assert.equal(res.json.delivered, 1)
      assert.equal((await socket.next()).data.text, 'hi')
      const unknown = await f.post('/browser/source/display', {
        entity_id: 'local:never:seen',
        type: 'ticker',
        data: { text: 'x', duration: 0.001 },
      })
      assert.equal(unknown.json.community_id, 'default')
    })

    test('display needs a service, module or admin key', async () => {
      const body = { community_id: f.community(), type: 'ticker', data: { text: 'x' } }
      assert.equal((await f.post('/browser/source/display', body, null)).status, 401)
      assert.equal((await f.post('/browser/source/display', body, 'wbot_module_nope')).status, 401)
      const collector = await f.post('/browser/source/display', body, f.keys.collector)
      assert.equal(collector.status, 403)
      assert.equal(collector.json.error.code, 'WB_AUTH_SCOPE')
      assert.equal((await f.post('/browser/source/display', body, f.keys.module)).status, 200)
      assert.equal((await f.post('/browser/source/display', body, f.keys.admin)).status, 200)
    })

    test('invalid display bodies → 400 naming the field', async () => {
      const c = f.community()
      const cases: [unknown, string][] = [
        [{ community_id: c, data: { text: 'x' } }, 'type'],
        [{ community_id: c, type: 'chat', data: { text: 'x' } }, 'type'],
        [{ type: 'ticker', data: { text: 'x' } }, 'community_id'],
        [{ community_id: c, type: 'ticker', data: 'x' }, 'data'],
        [{ community_id: c, type: 'ticker', data: {} }, 'data.text'],
        [{ community_id: c, type: 'ticker', data: { text: '   ' } }, 'data.text'],
        [{ community_id: c, type: 'media', data: { media_type: 'smell' } }, 'data.media_type'],
        [{ community_id: c, type: 'media', data: { title: 'x', art_url: 'javascript:alert(1)' } }, 'data.art_url'],
        [{ community_id: c, type: 'media', data: { title: 'x', duration: -1 } }, 'data.duration'],
        [{ community_id: c, type: 'general', data: { duration: 5 } }, 'data.content'],
        [{ community_id: c, type: 'general', data: { content: 'x', style: 'color: red' } }, 'data.style'],
      ]
      for (const [body, field] of cases) {
        const res = await f.post('/browser/source/display', body)
        assert.equal(res.status, 400, JSON.stringify(body))
        assert.equal(res.json.error.code, 'WB_INPUT_INVALID')
        assert.equal(res.json.error.field, field, JSON.stringify(body))
      }
    })

    test('general HTML is sanitized before it reaches an overlay; styles are filtered', async () => {
      const c = f.community()
      const socket = await f.connect((await f.bs.tokens.ensureTokens(c)).general, 'general')
      await socket.next()
      const content =
        '<h2 onclick="x()">Raid!</h2><script>alert(1)</script><img src=x onerror=alert(1)><img src="https://example.test/a.png" alt="a">'
      await f.post('/browser/source/display', {
        community_id: c,
        type: 'general',
        data: { content, style: { color: '#fff', fontSize: 30, background: 'url(https://evil.test/x)' } },
      })
      const m = await socket.next()
      assert.equal(m.data.content, '<h2>Raid!</h2><img><img src="https://example.test/a.png" alt="a">')
      assert.deepEqual(m.data.style, { color: '#fff', 'font-size': '30px' })
    })

    test('GET /browser/source/urls (admin or service key) returns the three URLs; rotate replaces one', async () => {
      const c = f.community()
      const res = await f.get(`/browser/source/urls?community_id=${c}`, f.keys.admin)
      assert.equal(res.status, 200)
      const tokens = await f.bs.tokens.ensureTokens(c)
      assert.deepEqual(res.json.urls, {
        media: `${f.url}/browser/source/${tokens.media}/media`,
        ticker: `${f.url}/browser/source/${tokens.ticker}/ticker`,
        general: `${f.url}/browser/source/${tokens.general}/general`,
      })
      assert.equal((await f.get(`/browser/source/urls?community_id=${c}`, f.keys.module)).status, 403)
      assert.equal((await f.get(`/browser/source/urls?community_id=${c}`, null)).status, 401)
      assert.equal((await f.get('/browser/source/urls')).json.community_id, 'default')
      const rotated = await f.post('/browser/source/rotate', { community_id: c, type: 'ticker' })
      assert.equal(rotated.status, 200)
      assert.notEqual(rotated.json.urls.ticker, res.json.urls.ticker)
      assert.equal(rotated.json.urls.media, res.json.urls.media)
      assert.equal((await f.post('/browser/source/rotate', { community_id: c, type: 'x' })).json.error.field, 'type')
    })

    test('connect and disconnect are logged', async () => {
      const c = f.community()
      const client = await OverlayClient.open(
        `${f.url.replace('http', 'ws')}/browser/source/${(await f.bs.tokens.ensureTokens(c)).media}/media`,
        { headers: { 'user-agent': 'OBS/30.1' } },
      )
      await client.next()
      await client.close()
      for (let i = 0; i < 100 && f.bs.hub.count(c) > 0; i++) await new Promise((r) => setTimeout(r, 10))
      await f.bs.access.flush()
      const rows = await f.runtime.storage.query<{ event: string; user_agent: string }>(
        sql`select event, user_agent from browser_source_access_log where community_id = ${c} order by id`,
      )
      assert.deepEqual(rows, [
        { event: 'connect', user_agent: 'OBS/30.1' },
        { event: 'disconnect', user_agent: 'OBS/30.1' },
      ])
    })
  })
}
