/**
 * End-of-track timers with a manual clock and manual timers, on SQLite and on Postgres + Redis: a track that
 * ends advances the queue silently (recorded as played, shown on the overlay), early timers re-arm, and a
 * restart re-arms timers or catches up on tracks that ended while the bot was down.
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
import type { Response } from '../../contract/responses.js'
import { sql } from '../../runtime/storage/sql.js'
import { createYoutubeMusicModule, type YoutubeMusicConfig, type YoutubeMusicState } from './index.js'
import {
  chatLines,
  type HostedTestModule,
  hostTestModule,
  manualClock,
  manualScheduler,
  type TestUser,
} from '../../../test/helpers/host-test-module.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]
const ann: TestUser = { id: 'u-ann', name: 'Ann' }
const bob: TestUser = { id: 'u-bob', name: 'Bob' }

for (const [backend, skip] of backends) {
  describe(`youtube-music track end on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let fake: FakeYoutube
    let env: Record<string, string>
    let host: HostedTestModule<YoutubeMusicConfig, YoutubeMusicState>
    const clock = manualClock()
    let timers = manualScheduler()
    const shown: { community: string; media: Response }[] = []
    const community = `c-${randomUUID()}`

    const start = async () => {
      timers = manualScheduler()
      const def = createYoutubeMusicModule({
        now: clock.now,
        scheduler: timers,
        onTrackStart: (_ctx, entry, media) => void shown.push({ community: entry.community_id, media }),
      })
      return hostTestModule(def, project.dir, env)
    }
    const say = async (command: string, text: string, user: TestUser) => {
      const result = await host.run(command, text.split(' '), user, community)
      assert.equal(result.success, true, result.error)
      return chatLines(result).join(' | ')
    }
    const statuses = async () =>
      (
        await host.storage.query<{
          video_id: string
          status: string
          started_at: number | null
          ended_at: number | null
        }>(
          sql`select video_id, status, started_at, ended_at from youtube_music_queue where community_id = ${community} order by id`,
        )
      ).map((r) => ({
        ...r,
        started_at: r.started_at === null ? null : Number(r.started_at),
        ended_at: r.ended_at === null ? null : Number(r.ended_at),
      }))

    before(async () => {
      fake = await startFakeYoutube()
      env = { ...(await backend.env()), YOUTUBE_API_KEY: 'test-youtube-key', YOUTUBE_API_URL: fake.url }
      project = testProject({ env })
      host = await start()
    })
    after(async () => {
      await host?.stop()
      await fake?.close()
      await backend.cleanup()
      project?.cleanup()
    })

    test('a started track arms a timer for its duration; current shows elapsed/total from the clock', async () => {
      await say('!play', 'never gonna give you up', ann)
      assert.deepEqual(
        timers.pending.map((t) => t.ms),
        [213_000],
      )
      await say('!play', 'take on me', bob)
      assert.equal(timers.pending.length, 1, 'queued tracks arm nothing')
      clock.advance(62_000)
      assert.equal(
        await say('!ytmusic', 'current', bob),
        'Now playing: Never Gonna Give You Up — Rick Astley [1:02 / 3:33] (requested by Ann)',
      )
    })

    test('a timer that fires early re-arms instead of cutting the track short', async () => {
      await timers.fireAll()
      assert.deepEqual(
        timers.pending.map((t) => t.ms),
        [151_000],
      )
      assert.equal((await statuses())[0]!.status, 'playing')
      assert.equal(shown.length, 0)
    })

    test('when the duration has passed the queue advances: recorded as played, shown on the overlay, no chat', async () => {
      clock.advance(151_000)
      const endedAt = clock.now()
      await timers.fireAll()
      const rows = await statuses()
      assert.deepEqual(
        rows.map((r) => [r.video_id, r.status]),
        [
          ['dQw4w9WgXcQ', 'played'],
          ['djV11Xbc914', 'playing'],
        ],
      )
      assert.equal(rows[0]!.ended_at, endedAt)
      assert.equal(rows[1]!.started_at, endedAt)
      assert.deepEqual(shown, [
        {
          community,
          media: {
            type: 'media',
            media_type: 'audio',
            title: 'Take On Me',
            artist: 'a-ha',
            art_url: fake.thumbUrl('djV11Xbc914'),
            media_url: 'https://www.youtube.com/watch?v=djV11Xbc914',
            duration: 227,
          },
        },
      ])
      assert.deepEqual(
        timers.pending.map((t) => t.ms),
        [227_000],
      )
      assert.match(
        await say('!ytmusic', 'current', ann),
        /^Now playing: Take On Me — a-ha \[0:00 \/ 3:47\] \(requested by Bob\)$/,
      )
    })

    test('the last track ending leaves the queue empty and arms nothing', async () => {
      clock.advance(227_000)
      await timers.fireAll()
      assert.equal(timers.pending.length, 0)
      assert.equal(await say('!ytmusic', 'current', ann), 'Nothing is playing. Request a song with !play <song>')
      assert.deepEqual(
        (await statuses()).map((r) => r.status),
        ['played', 'played'],
      )
    })

    test('a restart re-arms the playing track for the time it has left', async () => {
      await say('!play', 'sandstorm', ann) // 3:53
      clock.advance(53_000)
      await host.stop()
      host = await start()
      assert.deepEqual(
        timers.pending.map((t) => t.ms),
        [180_000],
      )
    })

    test('a track that ended while the bot was down advances at start; a missed timer is caught up by commands', async () => {
      await say('!play', 'bohemian rhapsody', bob)
      await host.stop()
      clock.advance(10 * 60_000)
      shown.length = 0
      host = await start()
      assert.deepEqual(
        (await statuses()).slice(-2).map((r) => [r.video_id, r.status]),
        [
          ['y6120QOlsfU', 'played'],
          ['fJ9rUzIMcZQ', 'playing'],
        ],
      )
      assert.equal(shown[0]?.media.type === 'media' && shown[0].media.title, 'Bohemian Rhapsody')
      // Its timer is lost (say, the replica holding it died): the next command catches up all the same.
      timers.pending.length = 0
      clock.advance(6 * 60_000)
      assert.equal(await say('!ytmusic', 'queue', ann), 'The queue is empty. Request a song with !play <song>')
      assert.equal((await statuses()).at(-1)!.status, 'played')
    })
  })
}
