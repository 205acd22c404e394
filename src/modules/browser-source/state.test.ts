import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'
import { type BrowserSourceFixture, startBrowserSource } from '../../../test/browser/bs-fixture.js'
import type { OverlayMessage } from '../../../test/browser/ws-client.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]
const MIN = 60_000

for (const [backend, skip] of backends) {
  describe(`overlay state and token lifetime on ${backend.name}`, { skip }, () => {
    let f: BrowserSourceFixture
    let shift = 0
    before(async () => {
      f = await startBrowserSource(backend, {
        yaml: 'modules:\n  browser-source: {max_connections: 40, heartbeat_ms: 0}\n',
      })
      f.bs.clock.now = () => Date.now() + shift
    })
    afterEach(() => {
      shift = 0
    })
    after(() => f?.close())

    const display = (community: string, type: string, data: object) =>
      f.post('/browser/source/display', { community_id: community, type, data })

    /** The displays a newly connected overlay gets at once: everything up to a marker posted after the connect. */
    async function stateOnConnect(
      community: string,
      type: 'media' | 'ticker' | 'general',
      marker: object,
    ): Promise<OverlayMessage[]> {
      const client = await f.connect((await f.bs.tokens.ensureTokens(community))[type], type)
      assert.equal((await client.next()).type, 'hello')
      const { json } = await display(community, type, marker)
      const got = []
      for (;;) {
        const m = await client.next()
        if (m.id === json.id) break
        got.push(m)
      }
      await client.close()
      return got
    }

    test('a new media overlay gets the track now playing, until its duration has passed', async () => {
      const c = f.community()
      const track = { media_type: 'audio', title: 'Never Gonna Give You Up', artist: 'Rick Astley', duration: 213 }
      const posted = await display(c, 'media', track)
      const got = await stateOnConnect(c, 'media', { title: 'marker', duration: 1 })
      assert.deepEqual(
        got.map((m) => ({ type: m.type, id: m.id, data: m.data })),
        [{ type: 'media', id: posted.json.id, data: track }],
      )
      assert.ok(got[0].ts <= Date.now() && got[0].ts > Date.now() - MIN)
      const c2 = f.community()
      await display(c2, 'media', track)
      shift = 214_000
      assert.deepEqual(await stateOnConnect(c2, 'media', { title: 'marker' }), [])
    })

    test('media without a duration and general without one stay current; general with one expires', async () => {
      const c = f.community()
      await display(c, 'media', { title: 'Live radio' })
      await display(c, 'general', { content: '<b>Welcome!</b>' })
      shift = 24 * 60 * MIN
      const client = await f.connect((await f.bs.tokens.ensureTokens(c)).media, 'media')
      await client.next()
      assert.equal((await client.next()).data.title, 'Live radio')
      const g = await stateOnConnect(c, 'general', { content: 'marker' })
      assert.deepEqual(
        g.map((m) => m.data.content),
        ['<b>Welcome!</b>'],
      )
      shift = 0
      const c3 = f.community()
      await display(c3, 'general', { content: 'Raid!', duration: 30 })
      assert.deepEqual(
        (await stateOnConnect(c3, 'general', { content: 'm1', duration: 1 })).map((m) => m.data.content),
        ['Raid!'],
      )
      const c4 = f.community()
      await display(c4, 'general', { content: 'Raid!', duration: 30 })
      shift = 31_000
      assert.deepEqual(await stateOnConnect(c4, 'general', { content: 'm2' }), [])
    })

    test('a new ticker overlay gets the pending queue in order; finished items drop out', async () => {
      const c = f.community()
      for (const text of ['one', 'two', 'three']) await display(c, 'ticker', { text, duration: 10 })
      const client = await f.connect((await f.bs.tokens.ensureTokens(c)).ticker, 'ticker')
      await client.next()
      assert.deepEqual(
        [(await client.next()).data.text, (await client.next()).data.text, (await client.next()).data.text],
        ['one', 'two', 'three'],
      )
      await client.close()
      shift = 15_000 // "one" ended at 10 s, "two" ends at 20 s
      const later = await stateOnConnect(c, 'ticker', { text: 'marker', duration: 1 })
      assert.deepEqual(
        later.map((m) => m.data.text),
        ['two', 'three'],
      )
    })

    test('a rotated token keeps working for the grace period only (page, socket, and sockets already open)', async () => {
      const c = f.community()
      const old = (await f.bs.tokens.ensureTokens(c)).media
      const connected = await f.connect(old, 'media')
      await connected.next()
      const rotated = await f.post('/browser/source/rotate', { community_id: c, type: 'media' })
      const fresh = (await f.bs.tokens.ensureTokens(c)).media
      assert.ok(rotated.json.urls.media.endsWith(`/${fresh}/media`))
      assert.equal((await f.get(`/browser/source/${old}/media`, null)).status, 200)
      const during = await f.connect(old, 'media')
      assert.equal((await during.next()).type, 'hello')
      assert.equal(await f.bs.hub.sweepTokens(), 0)
      shift = 10 * MIN + 1
      assert.equal((await f.get(`/browser/source/${old}/media`, null)).status, 404)
      assert.equal((await (await f.connect(old, 'media')).closed).code, 4404)
      assert.equal(await f.bs.hub.sweepTokens(), 2)
      assert.equal((await connected.closed).code, 4404)
      assert.equal((await during.closed).code, 4404)
      assert.equal((await f.get(`/browser/source/${fresh}/media`, null)).status, 200)
      const now = await f.connect(fresh, 'media')
      assert.equal((await now.next()).type, 'hello')
    })

    test('the heartbeat drops a socket that stops answering pings', async () => {
      const c = f.community()
      const token = (await f.bs.tokens.ensureTokens(c)).ticker
      const silent = await f.connect(token, 'ticker', { autoPong: false })
      const healthy = await f.connect(token, 'ticker')
      await silent.next()
      await healthy.next()
      const pongs = f.bs.hub.pongs
      const answering = f.bs.hub.count() - 1 // every socket open in this process but the silent one
      assert.equal(await f.bs.hub.heartbeat(), 0)
      while (f.bs.hub.pongs < pongs + answering) await new Promise((r) => setTimeout(r, 5))
      assert.equal(await f.bs.hub.heartbeat(), 1) // the silent one missed the first ping
      assert.equal((await silent.closed).code, 1006)
      assert.equal(f.bs.hub.count(c, 'ticker'), 1)
      assert.equal((await display(c, 'ticker', { text: 'still here' })).json.delivered, 1)
    })

    test('over max_connections a socket is closed with 1013', async () => {
      const c = f.community()
      const token = (await f.bs.tokens.ensureTokens(c)).general
      const open = []
      while (f.bs.hub.count() < 40) open.push(await f.connect(token, 'general'))
      const extra = await f.connect(token, 'general')
      assert.equal((await extra.closed).code, 1013)
      await Promise.all(open.map((o) => o.close()))
    })
  })
}
