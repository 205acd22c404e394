/**
 * The youtube-music queue through the real runtime (module loaded from the registry), on SQLite + in-process
 * and on Postgres + Redis: limits, duplicates, permissions, search memory, and persistence across a restart.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { type FakeYoutube, startFakeYoutube } from '../../../test/fakes/youtube-server.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { type TestProject, testProject } from '../../../test/helpers/settings.js'
import type { ExecutionResult } from '../../contract/execution.js'
import { loadSettings } from '../../runtime/config.js'
import { type Runtime, startRuntime } from '../../runtime/host.js'
import { sql } from '../../runtime/storage/sql.js'
import { chatLines, executionRequest, type TestUser } from '../../../test/helpers/host-test-module.js'
import { builtinCatalog } from '../catalog.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

const ann: TestUser = { id: 'u-ann', name: 'Ann' }
const bob: TestUser = { id: 'u-bob', name: 'Bob' }
const mod: TestUser = { id: 'u-mod', name: 'Mo', roles: ['moderator'] }

for (const [backend, skip] of backends) {
  describe(`youtube-music queue on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let fake: FakeYoutube
    let env: Record<string, string>
    let runtime: Runtime
    // A community of our own: other test files may share the Redis server.
    const community = `c-${randomUUID()}`

    const start = async (extra: Record<string, string> = {}) => {
      const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env, ...extra } })
      return startRuntime({ catalog: builtinCatalog, settings, modules: ['youtube-music'], listen: false })
    }
    const run = async (
      command: string,
      text: string,
      user: TestUser,
      rt = runtime,
      cid = community,
    ): Promise<ExecutionResult> => {
      const args = text.split(' ').filter(Boolean)
      const result = await rt.clients.get('youtube-music').execute(executionRequest(command, args, user, cid))
      assert.equal(result.success, true, result.error)
      return result
    }
    const say = async (command: string, text: string, user: TestUser) =>
      chatLines(await run(command, text, user)).join(' | ')

    before(async () => {
      fake = await startFakeYoutube({ apiKey: 'k1' })
      env = {
        ...(await backend.env()),
        YOUTUBE_API_KEY: 'k1',
        YOUTUBE_API_URL: fake.url,
        WADDLEBOT_YOUTUBE_MUSIC_MAX_QUEUE_SIZE: '4',
      }
      project = testProject({ env })
      runtime = await start()
    })
    after(async () => {
      await runtime?.stop()
      await fake?.close()
      await backend.cleanup()
      project?.cleanup()
    })

    test('the first request plays at once with a media response; later ones queue with their position', async () => {
      const first = await run('!play', 'never gonna give you up', ann)
      assert.deepEqual(first.responses, [
        {
          type: 'media',
          media_type: 'audio',
          title: 'Never Gonna Give You Up',
          artist: 'Rick Astley',
          art_url: fake.thumbUrl('dQw4w9WgXcQ'),
          media_url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
          duration: 213,
        },
        { type: 'chat', text: 'Now playing: Never Gonna Give You Up — Rick Astley (requested by Ann)' },
      ])
      assert.equal(await say('!sr', 'take on me', bob), 'Queued #1: Take On Me')
      assert.equal(await say('!youtube', 'play https://youtu.be/y6120QOlsfU', ann), 'Queued #2: Sandstorm')
    })

    test('a track already playing or queued is refused', async () => {
      assert.equal(
        await say('!play', 'https://www.youtube.com/watch?v=djV11Xbc914', mod),
        'Take On Me is already in the queue',
      )
      assert.equal(await say('!ytmusic', 'play dQw4w9WgXcQ', mod), 'Never Gonna Give You Up is already playing')
    })

    test('a user may have at most 3 requests waiting or playing', async () => {
      assert.equal(await say('!play', 'bohemian rhapsody', ann), 'Queued #3: Bohemian Rhapsody')
      assert.equal(
        await say('!play', 'despacito', ann),
        'You already have 3 requests in the queue; wait until one has played',
      )
      const n = await runtime.storage.one<{ n: number }>(
        sql`select count(*) as n from youtube_music_queue where community_id = ${community} and requested_by = ${ann.id} and status in ('queued', 'playing')`,
      )
      assert.equal(Number(n!.n), 3)
    })

    test('the queue holds at most max_queue_size waiting tracks (here 4, from WADDLEBOT_YOUTUBE_MUSIC_MAX_QUEUE_SIZE)', async () => {
      assert.equal(await say('!play', 'uptown funk', mod), 'Queued #4: Uptown Funk ft. Bruno Mars')
      assert.equal(await say('!play', 'despacito', mod), 'The queue is full (4 tracks); try again later')
    })

    test('search results are numbered and remembered per user for play <number>', async () => {
      const line = await say('!ytmusic', 'search queen', bob)
      assert.match(line, /^Results for "queen": 1\. .+ — Queen Official \(\d:\d\d\) · 2\. .+ — Queen Official/)
      assert.equal(await say('!ytmusic', 'play 9', bob), 'Pick a number from 1 to 2')
      assert.match(await say('!ytmusic', 'play 2', ann), /^Search first with !ytmusic search/)
      assert.equal(await say('!ytmusic', 'play 1', bob), 'Bohemian Rhapsody is already in the queue') // resolved from memory
      assert.match(await say('!ytmusic', 'play 2', bob), /^The queue is full/)
    })

    test('queue and current show the playing track with elapsed/total and who waits', async () => {
      assert.match(
        await say('!ytmusic', 'current', bob),
        /^Now playing: Never Gonna Give You Up — Rick Astley \[0:0\d \/ 3:33\] \(requested by Ann\)$/,
      )
      const line = await say('!ytmusic', 'queue', bob)
      assert.match(
        line,
        /^Now playing: Never Gonna Give You Up — Rick Astley \[0:0\d \/ 3:33\]\. Up next \(4\): 1\. Take On Me — a-ha \(Bob\) · 2\. Sandstorm — Darude \(Ann\) · 3\. Bohemian Rhapsody/,
      )
    })

    test('queue survives a runtime restart', async () => {
      await runtime.stop()
      runtime = await start()
      assert.match(
        await say('!ytmusic', 'current', bob),
        /^Now playing: Never Gonna Give You Up .*\(requested by Ann\)$/,
      )
      assert.match(await say('!ytmusic', 'queue', bob), /Up next \(4\): 1\. Take On Me — a-ha \(Bob\) · 2\. Sandstorm/)
    })

    test('skip: refused to a viewer who did not request the track; the requester and moderators may', async () => {
      assert.equal(
        await say('!ytmusic', 'skip', bob),
        'Only a moderator or the requester (Ann) can skip Never Gonna Give You Up',
      )
      const skipped = await run('!ytmusic', 'skip', ann)
      assert.equal(skipped.responses[0]!.type, 'media')
      assert.deepEqual(chatLines(skipped), ['Now playing: Take On Me — a-ha (requested by Bob)'])
      assert.match(await say('!ytmusic', 'skip', ann), /^Only a moderator or the requester \(Bob\)/)
      assert.deepEqual(chatLines(await run('!ytmusic', 'skip', mod)), [
        'Now playing: Sandstorm — Darude (requested by Ann)',
      ])
      const history = await runtime.storage.query<{
        video_id: string
        status: string
      }>(sql`select video_id, status from youtube_music_queue
        where community_id = ${community} and status = 'skipped' order by id`)
      assert.deepEqual(
        history.map((h) => [h.video_id, h.status]),
        [
          ['dQw4w9WgXcQ', 'skipped'],
          ['djV11Xbc914', 'skipped'],
        ],
      )
    })

    test('stop: moderators only; it clears the queue', async () => {
      assert.equal(await say('!ytmusic', 'stop', ann), 'Only moderators can stop the music')
      assert.equal(
        await say('!ytmusic', 'stop', mod),
        'Stopped Sandstorm and cleared the queue (2 waiting tracks removed).',
      )
      assert.equal(await say('!ytmusic', 'queue', ann), 'The queue is empty. Request a song with !play <song>')
      assert.equal(await say('!ytmusic', 'stop', mod), 'Nothing is playing.')
      assert.equal(
        (await run('!play', 'sandstorm', ann)).responses[0]!.type,
        'media',
        'a stopped track may be requested again',
      )
    })

    test('queues are per community; simultaneous requests start exactly one track', async () => {
      const other = `c-${randomUUID()}`
      const users = [ann, bob, mod]
      const results = await Promise.all(
        ['sandstorm', 'take on me', 'uptown funk'].map((q, i) => run('!play', q, users[i]!, runtime, other)),
      )
      const lines = results.map((r) => chatLines(r)[0]!)
      assert.equal(results.filter((r) => r.responses[0]!.type === 'media').length, 1, lines.join(' | '))
      assert.deepEqual(
        lines
          .filter((l) => l.startsWith('Queued'))
          .map((l) => l.slice(0, 9))
          .sort(),
        ['Queued #1', 'Queued #2'],
      )
    })

    test('unknown subcommand → usage; no API key → a clear line, and /health stays 200', async () => {
      assert.match(await say('!ytmusic', 'dance', ann), /^Usage: !ytmusic search <query>/)
      const bare = await start({ YOUTUBE_API_KEY: '' })
      try {
        const line = async (cmd: string, text: string) => chatLines(await run(cmd, text, ann, bare)).join(' | ')
        assert.equal(
          await line('!play', 'never gonna give you up'),
          'YouTube search is not configured: set YOUTUBE_API_KEY',
        )
        assert.equal(
          await line('!ytmusic', 'search take on me'),
          'YouTube search is not configured: set YOUTUBE_API_KEY',
        )
        assert.match(
          await line('!ytmusic', 'current'),
          /^Now playing: Sandstorm/,
          'the queue still works without a key',
        )
        const app = bare.hosted.find((h) => h.def.name === 'youtube-music')!.app
        const health = await app.inject({ method: 'GET', url: '/health' })
        assert.equal(health.statusCode, 200, health.body)
        const status = (await app.inject({ method: 'GET', url: '/youtube/music/status' })).json()
        assert.equal(status.configured, false)
      } finally {
        await bare.stop()
      }
    })
  })
}
