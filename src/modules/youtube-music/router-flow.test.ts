/**
 * The seed's headline flow through the router: a viewer types `!play never gonna give you up`
 * (POST /api/v1/events), youtube-music finds and starts the track, the chat reply names it, and the media
 * response (title, artist, album art) is forwarded to browser-source (a fake here) for the overlay.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { type FakeServer, startFakeServer } from '../../../test/fakes/webhook-server.js'
import { type FakeYoutube, startFakeYoutube } from '../../../test/fakes/youtube-server.js'
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

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = probe()
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`gave up waiting for ${what}`)
}

for (const [backend, skip] of backends) {
  describe(`!play through the router on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let youtube: FakeYoutube
    let browserSource: FakeServer
    let runtime: Runtime
    let key: string
    const viewer = { user_id: `viewer-${randomUUID()}`, user_name: 'ann', display_name: 'Ann' }
    const post = (message: string, extra: Record<string, unknown> = viewer) =>
      runtime.hosted
        .find((h) => h.def.name === 'router')!
        .app.inject({
          method: 'POST',
          url: '/api/v1/events',
          payload: chatEvent(message, extra),
          headers: { 'x-api-key': key },
        })

    before(async () => {
      youtube = await startFakeYoutube({ apiKey: 'yt-key' })
      browserSource = await startFakeServer(() => ({ status: 200, body: { delivered: 1 } }))
      const env = { ...(await backend.env()), YOUTUBE_API_KEY: 'yt-key', YOUTUBE_API_URL: youtube.url }
      project = testProject({ env })
      writeFileSync(`${project.dir}/waddlebot.yaml`, `modules:\n  browser-source: {url: "${browserSource.url}"}\n`)
      const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
      runtime = await startRuntime({
        catalog: builtinCatalog,
        settings,
        modules: ['router', 'youtube-music'],
        listen: false,
      })
      key = (await createApiKey(runtime.storage, 'collector', 'collector')).key
    })
    after(async () => {
      await runtime?.stop()
      await youtube?.close()
      await browserSource?.close()
      await backend.cleanup()
      project?.cleanup()
    })

    test('!play never gonna give you up → "Now playing" in chat and a media response with title, artist and art', async () => {
      const res = await post('!play never gonna give you up')
      assert.equal(res.statusCode, 200, res.body)
      const body = res.json()
      assert.equal(body.outcome, 'command')
      assert.equal(body.command, '!play')
      const media = body.responses.find((r: { type: string }) => r.type === 'media')
      assert.deepEqual(media, {
        type: 'media',
        media_type: 'audio',
        title: 'Never Gonna Give You Up',
        artist: 'Rick Astley',
        art_url: youtube.thumbUrl('dQw4w9WgXcQ'),
        media_url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
        duration: 213,
      })
      const chat = body.responses
        .filter((r: { type: string }) => r.type === 'chat')
        .map((r: { text: string }) => r.text)
      assert.deepEqual(chat, ['Now playing: Never Gonna Give You Up — Rick Astley (requested by Ann)'])
      const art = await fetch(media.art_url)
      assert.equal(art.status, 200)
      assert.equal(art.headers.get('content-type'), 'image/png')
    })

    test('the router forwards the media response to browser-source for the community overlay', async () => {
      const display = await until(
        () => browserSource.requests.find((r) => r.url === '/browser/source/display'),
        'the overlay display',
      )
      assert.equal(display.method, 'POST')
      assert.ok(display.headers['x-service-key'], 'sent with the service key')
      const sent = JSON.parse(display.body)
      assert.equal(sent.type, 'media')
      assert.equal(sent.community_id, 'default')
      assert.equal(sent.entity_id, 'local:s:c')
      assert.equal(sent.data.title, 'Never Gonna Give You Up')
      assert.equal(sent.data.artist, 'Rick Astley')
      assert.equal(sent.data.art_url, youtube.thumbUrl('dQw4w9WgXcQ'))
    })

    test('a second request queues behind it; !ytmusic current and queue answer through the router', async () => {
      // Overlay pushes only: the router's health watch also looks at browser-source's /health now and then.
      const pushes = () => browserSource.requests.filter((r) => r.url === '/browser/source/display').length
      const before = pushes()
      const queued = (await post('!sr take on me', { user_id: `viewer-${randomUUID()}`, user_name: 'bob' })).json()
      assert.deepEqual(queued.responses, [{ type: 'chat', text: 'Queued #1: Take On Me' }])
      const current = (await post('!ytmusic current')).json()
      assert.match(
        current.responses[0].text,
        /^Now playing: Never Gonna Give You Up — Rick Astley \[\d:\d\d \/ 3:33\] \(requested by Ann\)$/,
      )
      const queue = (await post('!youtube queue')).json()
      assert.match(queue.responses[0].text, /Up next \(1\): 1\. Take On Me — a-ha \(bob\)/)
      assert.equal(pushes(), before, 'chat-only replies are not sent to the overlay')
    })
  })
}
