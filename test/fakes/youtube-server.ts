/**
 * A fake YouTube Data API v3 on 127.0.0.1 (port 0) for the youtube-music tests: `GET /search` (search.list)
 * and `GET /videos` (videos.list) over a small catalogue, API-key checking (403 for a wrong key), and the
 * thumbnails themselves (`GET /thumb/<id>.png`, a real PNG). Every request is recorded.
 * Point the module at it with `YOUTUBE_API_URL=<fake.url>`.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { deflateSync } from 'node:zlib'

export interface FakeVideo {
  readonly id: string
  readonly title: string
  readonly channel: string
  /** ISO 8601, as videos.list returns it. */
  readonly duration: string
  /** YouTube category id; 10 is Music. */
  readonly category: string
}

/**
 * The catalogue. A non-music video matching "never gonna give you up" comes FIRST, so a search that forgets
 * `videoCategoryId=10` returns the wrong video.
 */
export const YOUTUBE_CATALOGUE: readonly FakeVideo[] = [
  {
    id: 'reactVid001',
    title: 'Never Gonna Give You Up reaction',
    channel: 'Some Vlogger',
    duration: 'PT12M5S',
    category: '22',
  },
  { id: 'dQw4w9WgXcQ', title: 'Never Gonna Give You Up', channel: 'Rick Astley', duration: 'PT3M33S', category: '10' },
  { id: 'djV11Xbc914', title: 'Take On Me', channel: 'a-ha', duration: 'PT3M47S', category: '10' },
  { id: 'fJ9rUzIMcZQ', title: 'Bohemian Rhapsody', channel: 'Queen Official', duration: 'PT5M59S', category: '10' },
  { id: 'HgzGwKwLmgM', title: "Don't Stop Me Now", channel: 'Queen Official', duration: 'PT3M36S', category: '10' },
  {
    id: 'OPf0YbXqDm0',
    title: 'Uptown Funk ft. Bruno Mars',
    channel: 'Mark Ronson',
    duration: 'PT4M31S',
    category: '10',
  },
  {
    id: 'kJQP7kiw5Fk',
    title: 'Despacito ft. Daddy Yankee',
    channel: 'Luis Fonsi',
    duration: 'PT4M42S',
    category: '10',
  },
  { id: 'y6120QOlsfU', title: 'Sandstorm', channel: 'Darude', duration: 'PT3M53S', category: '10' },
  { id: 'ZZ5LpwO-An4', title: 'HEYYEYAAEYAAAEYAEYAA', channel: 'Slackcircus', duration: 'PT2M2S', category: '10' },
  { id: 'liveStream1', title: 'Lofi Radio Live', channel: 'Lofi Girl', duration: 'P0D', category: '10' },
]

export interface YoutubeRequest {
  readonly method: string
  readonly path: string
  readonly query: Record<string, string>
  readonly headers: IncomingHttpHeaders
}

export interface FakeYoutube {
  readonly url: string
  readonly port: number
  /** Every request, in order (thumbnails included). */
  readonly requests: YoutubeRequest[]
  /** The thumbnail URL the fake hands out for `id`. */
  thumbUrl(id: string): string
  /** Makes every API call fail with this status until reset with `undefined`. */
  failWith(status: number | undefined): void
  close(): Promise<void>
}

/** Starts the fake; only `apiKey` is accepted (403 otherwise). */
export async function startFakeYoutube(
  options: { apiKey?: string; catalogue?: readonly FakeVideo[] } = {},
): Promise<FakeYoutube> {
  const apiKey = options.apiKey ?? 'test-youtube-key'
  const catalogue = options.catalogue ?? YOUTUBE_CATALOGUE
  const requests: YoutubeRequest[] = []
  let failure: number | undefined
  let base = ''
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake')
    const query = Object.fromEntries(url.searchParams)
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query, headers: req.headers })
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const thumb = /^\/thumb\/([\w-]{11})\.png$/.exec(url.pathname)
    if (thumb) {
      const known = catalogue.some((v) => v.id === thumb[1])
      if (!known) return send(404, { error: 'no such thumbnail' })
      res.writeHead(200, { 'content-type': 'image/png' })
      return res.end(tinyPng(200, 30, 60))
    }
    if (url.pathname !== '/search' && url.pathname !== '/videos')
      return send(404, apiError(404, 'notFound', 'Not Found'))
    if (query.key !== apiKey) return send(403, apiError(403, 'forbidden', 'The request is missing a valid API key.'))
    if (failure) return send(failure, apiError(failure, 'backendError', 'Backend Error'))
    if (url.pathname === '/search') {
      if (!query.q) return send(400, apiError(400, 'invalidParameter', 'q is required'))
      if (query.videoCategoryId && query.type !== 'video')
        return send(400, apiError(400, 'invalidSearchFilter', 'videoCategoryId needs type=video'))
      const max = Math.min(Number(query.maxResults ?? 5) || 5, 50)
      const items = search(catalogue, query.q, query.videoCategoryId)
        .slice(0, max)
        .map((v) => ({
          kind: 'youtube#searchResult',
          id: { kind: 'youtube#video', videoId: v.id },
          // Like the real API, search.list HTML-escapes its snippet titles.
          snippet: { ...snippet(v, base), title: htmlEscape(v.title) },
        }))
      return send(200, {
        kind: 'youtube#searchListResponse',
        pageInfo: { totalResults: items.length, resultsPerPage: max },
        items,
      })
    }
    const ids = (query.id ?? '').split(',').filter(Boolean)
    if (ids.length === 0) return send(400, apiError(400, 'missingRequiredParameter', 'id is required'))
    const parts = (query.part ?? '').split(',')
    const items = ids
      .flatMap((id) => catalogue.filter((v) => v.id === id))
      .map((v) => ({
        kind: 'youtube#video',
        id: v.id,
        ...(parts.includes('snippet') ? { snippet: { ...snippet(v, base), categoryId: v.category } } : {}),
        ...(parts.includes('contentDetails') ? { contentDetails: { duration: v.duration, definition: 'hd' } } : {}),
      }))
    return send(200, { kind: 'youtube#videoListResponse', items })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: 0 }, resolve)
  })
  const port = (server.address() as AddressInfo).port
  base = `http://127.0.0.1:${port}`
  return {
    url: base,
    port,
    requests,
    thumbUrl: (id) => `${base}/thumb/${id}.png`,
    failWith: (status) => {
      failure = status
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function search(catalogue: readonly FakeVideo[], q: string, category: string | undefined): FakeVideo[] {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean)
  return catalogue
    .filter((v) => category === undefined || v.category === category)
    .map((v) => {
      const text = `${v.title} ${v.channel}`.toLowerCase()
      return { v, score: words.filter((w) => text.includes(w)).length }
    })
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score)
    .map((s) => s.v)
}

function snippet(v: FakeVideo, base: string) {
  const thumb = `${base}/thumb/${v.id}.png`
  return {
    title: v.title,
    channelTitle: v.channel,
    description: `${v.title} by ${v.channel}`,
    liveBroadcastContent: v.duration === 'P0D' ? 'live' : 'none',
    thumbnails: {
      default: { url: thumb, width: 120, height: 90 },
      medium: { url: thumb, width: 320, height: 180 },
      high: { url: thumb, width: 480, height: 360 },
    },
  }
}

function apiError(code: number, reason: string, message: string) {
  return { error: { code, message, errors: [{ message, domain: 'youtube.api', reason }] } }
}

function htmlEscape(s: string): string {
  return s
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buf: Buffer): number {
  let c = 0xffffffff
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

/** A valid 16×16 PNG of one RGB colour (what the fakes serve as album art and thumbnails). */
export function tinyPng(r: number, g: number, b: number, size = 16): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr.set([8, 2, 0, 0, 0], 8) // 8-bit, truecolour, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [r, g, b]).flat())])
  const raw = Buffer.concat(Array.from({ length: size }, () => row))
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}
