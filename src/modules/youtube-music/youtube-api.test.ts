import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type FakeYoutube, startFakeYoutube } from '../../../test/fakes/youtube-server.js'
import { closedPort } from '../../../test/fakes/webhook-server.js'
import { formatDuration } from '../../contract/format.js'
import { decodeEntities, extractVideoId, parseIsoDuration, YoutubeApiError, YoutubeClient } from './youtube-api.js'

test('parseIsoDuration reads ISO 8601 durations as seconds', () => {
  assert.equal(parseIsoDuration('PT3M33S'), 213)
  assert.equal(parseIsoDuration('PT1H2M'), 3720)
  assert.equal(parseIsoDuration('PT45S'), 45)
  assert.equal(parseIsoDuration('P1DT1S'), 86_401)
  assert.equal(parseIsoDuration('P0D'), 0)
  assert.equal(parseIsoDuration('PT1.6S'), 2)
  assert.equal(parseIsoDuration('garbage'), 0)
})

test('extractVideoId understands the URL shapes and bare ids, and leaves queries alone', () => {
  const id = 'dQw4w9WgXcQ'
  for (const url of [
    `https://www.youtube.com/watch?v=${id}`,
    `https://music.youtube.com/watch?v=${id}&list=RD`,
    `youtu.be/${id}`,
    `https://youtu.be/${id}?t=42`,
    `https://youtube.com/shorts/${id}`,
    `https://www.youtube.com/embed/${id}`,
    `https://m.youtube.com/watch?v=${id}`,
    id,
  ])
    assert.equal(extractVideoId(url), id, url)
  assert.equal(extractVideoId('never gonna give you up'), undefined)
  assert.equal(extractVideoId('nevergonnag'), undefined) // 11 lower-case letters: a word, not an id
  assert.equal(extractVideoId('https://example.com/watch?v=dQw4w9WgXcQ'), undefined)
  assert.equal(extractVideoId('https://www.youtube.com/watch?v=short'), undefined)
})

test('decodeEntities and formatDuration', () => {
  assert.equal(decodeEntities('Don&#39;t Stop &amp; &quot;Go&quot; &#x263A; &bogus;'), 'Don\'t Stop & "Go" ☺ &bogus;')
  assert.equal(formatDuration(213), '3:33')
  assert.equal(formatDuration(3725), '1:02:05')
  assert.equal(formatDuration(0), '0:00')
})

describe('YoutubeClient against the fake YouTube', () => {
  let fake: FakeYoutube
  let client: YoutubeClient
  before(async () => {
    fake = await startFakeYoutube({ apiKey: 'right-key' })
    client = new YoutubeClient({ apiKey: 'right-key', baseUrl: fake.url })
  })
  after(() => fake.close())

  test('search asks for music videos only and adds durations from videos.list', async () => {
    const tracks = await client.search('never gonna give you up', 5)
    assert.deepEqual(tracks[0], {
      videoId: 'dQw4w9WgXcQ',
      title: 'Never Gonna Give You Up',
      artist: 'Rick Astley',
      artUrl: fake.thumbUrl('dQw4w9WgXcQ'),
      duration: 213,
    })
    assert.ok(!tracks.some((t) => t.videoId === 'reactVid001'), 'the non-music video is filtered out')
    const searchCall = fake.requests.find((r) => r.path === '/search')!
    assert.equal(searchCall.query.type, 'video')
    assert.equal(searchCall.query.videoCategoryId, '10')
    assert.equal(searchCall.query.maxResults, '5')
    assert.equal(searchCall.query.key, 'right-key')
    const videosCall = fake.requests.find((r) => r.path === '/videos')!
    assert.equal(videosCall.query.part, 'snippet,contentDetails')
    assert.ok(videosCall.query.id!.split(',').includes('dQw4w9WgXcQ'))
  })

  test('HTML-escaped titles from search.list come back readable', async () => {
    const [track] = await client.search('stop me now', 1)
    assert.equal(track!.title, "Don't Stop Me Now")
    assert.equal(track!.artist, 'Queen Official')
  })

  test('videos() returns known ids in order and drops unknown ones; the art URL serves a PNG', async () => {
    const tracks = await client.videos(['djV11Xbc914', 'nope0000000', 'dQw4w9WgXcQ'])
    assert.deepEqual(
      tracks.map((t) => [t.title, t.duration]),
      [
        ['Take On Me', 227],
        ['Never Gonna Give You Up', 213],
      ],
    )
    const png = await fetch(tracks[1]!.artUrl!)
    assert.equal(png.headers.get('content-type'), 'image/png')
    const bytes = Buffer.from(await png.arrayBuffer())
    assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47])
  })

  test('a wrong key is refused with 403; a failing API and an unreachable one are reported', async () => {
    const wrong = new YoutubeClient({ apiKey: 'wrong', baseUrl: fake.url })
    await assert.rejects(
      wrong.search('take on me', 5),
      (e: unknown) => e instanceof YoutubeApiError && e.status === 403 && /API key/.test(e.message),
    )
    fake.failWith(500)
    try {
      await assert.rejects(
        client.videos(['dQw4w9WgXcQ']),
        (e: unknown) => e instanceof YoutubeApiError && e.status === 500,
      )
    } finally {
      fake.failWith(undefined)
    }
    const down = new YoutubeClient({ apiKey: 'right-key', baseUrl: `http://127.0.0.1:${await closedPort()}` })
    await assert.rejects(down.search('x', 1), (e: unknown) => e instanceof YoutubeApiError && e.status === 0)
  })
})
