import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type BrowserSourceFixture, startBrowserSource } from '../../../test/browser/bs-fixture.js'
import type { OverlayClient } from '../../../test/browser/ws-client.js'
import { postgresRedisBackend, serversUnavailable } from '../../../test/helpers/backends.js'

// Fan-out between processes needs a shared cache: this runs on Postgres + Redis only.
const skip = await serversUnavailable()

describe('two browser-source runtimes behind one Redis', { skip }, () => {
  const backend = postgresRedisBackend()
  let a: BrowserSourceFixture
  let b: BrowserSourceFixture
  before(async () => {
    const first = await startBrowserSource(backend)
    a = first
    b = await startBrowserSource(backend, { env: first.env })
    assert.notEqual(a.url, b.url)
  })
  after(async () => {
    await b?.close()
    await a?.close()
  })

  /** Reads the next displays of `client` and returns their ids (hello skipped). */
  async function ids(client: OverlayClient, n: number): Promise<string[]> {
    const out: string[] = []
    for (let i = 0; i < n; i++) out.push((await client.nextDisplay()).id)
    return out
  }

  test('a display posted to either process reaches the overlays of both, each exactly once', async () => {
    const c = a.community()
    const token = (await a.bs.tokens.ensureTokens(c)).media
    const clients = [
      await a.connect(token, 'media'),
      await a.connect(token, 'media'),
      await b.connect(token, 'media'),
      await b.connect(token, 'media'),
    ]
    for (const client of clients) assert.equal((await client.next()).type, 'hello')
    const first = await a.post('/browser/source/display', {
      community_id: c,
      type: 'media',
      data: { title: 'from A', duration: 200 },
    })
    assert.equal(first.json.delivered, 2) // A's own sockets; B delivers to its own
    const second = await b.post('/browser/source/display', {
      community_id: c,
      type: 'media',
      data: { title: 'from B', duration: 200 },
    })
    assert.equal(second.json.delivered, 2)
    const third = await a.post('/browser/source/display', { community_id: c, type: 'media', data: { title: 'marker' } })
    const expected = [first.json.id, second.json.id, third.json.id]
    for (const client of clients) {
      const got = await ids(client, 3)
      // Displays from two processes may interleave differently per socket; each arrives once.
      assert.deepEqual([...got].sort(), [...expected].sort())
    }
    for (const client of clients) assert.deepEqual(client.unread(), [])
  })

  test('an overlay connecting to the other process gets the current state at once', async () => {
    const c = a.community()
    const tokens = await b.bs.tokens.ensureTokens(c)
    const track = await a.post('/browser/source/display', {
      community_id: c,
      type: 'media',
      data: { title: 'Never Gonna Give You Up', artist: 'Rick Astley', duration: 213 },
    })
    const late = await b.connect(tokens.media, 'media')
    const state = await late.nextDisplay()
    assert.equal(state.id, track.json.id)
    assert.equal(state.data.title, 'Never Gonna Give You Up')
    // The ticker queue is shared too: items posted to both processes queue up in order.
    await a.post('/browser/source/display', { community_id: c, type: 'ticker', data: { text: 'one', duration: 30 } })
    await b.post('/browser/source/display', { community_id: c, type: 'ticker', data: { text: 'two', duration: 30 } })
    await a.post('/browser/source/display', { community_id: c, type: 'ticker', data: { text: 'three', duration: 30 } })
    for (const fixture of [a, b]) {
      const ticker = await fixture.connect(tokens.ticker, 'ticker')
      const texts = [
        (await ticker.nextDisplay()).data.text,
        (await ticker.nextDisplay()).data.text,
        (await ticker.nextDisplay()).data.text,
      ]
      assert.deepEqual(texts, ['one', 'two', 'three'])
    }
  })

  test('concurrent ticker displays on both processes all land in the shared queue', async () => {
    const c = a.community()
    const token = (await a.bs.tokens.ensureTokens(c)).ticker
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).post('/browser/source/display', {
          community_id: c,
          type: 'ticker',
          data: { text: `item ${i}`, duration: 60 },
        }),
      ),
    )
    const late = await b.connect(token, 'ticker')
    const texts = new Set<string>()
    for (let i = 0; i < 20; i++) texts.add((await late.nextDisplay()).data.text)
    assert.equal(texts.size, 20)
  })
})
