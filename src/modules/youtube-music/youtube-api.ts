/**
 * A small YouTube Data API v3 client (global fetch): search.list restricted to music videos and
 * videos.list for durations. Base URL and key come from the environment (`YOUTUBE_API_URL`,
 * `YOUTUBE_API_KEY`), so tests point it at the fake in test/fakes/youtube-server.ts.
 */

/** The public API; `YOUTUBE_API_URL` overrides it. */
export const DEFAULT_YOUTUBE_API_URL = 'https://www.googleapis.com/youtube/v3'

/** A playable track as the module stores and shows it. */
export interface Track {
  readonly videoId: string
  readonly title: string
  /** The channel title. */
  readonly artist: string
  /** The "high" thumbnail (falls back to medium/default). */
  readonly artUrl: string | undefined
  /** Seconds; 0 when unknown or live. */
  readonly duration: number
}

/** A failed API call: `status` is the HTTP status (0 when YouTube was unreachable). */
export class YoutubeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'YoutubeApiError'
  }
}

export interface YoutubeClientOptions {
  readonly apiKey: string
  readonly baseUrl?: string | undefined
  readonly timeoutMs?: number
  /** search.list `regionCode` (default US). */
  readonly regionCode?: string
}

interface Thumbs {
  readonly high?: { url?: string }
  readonly medium?: { url?: string }
  readonly default?: { url?: string }
}
interface Snippet {
  readonly title?: string
  readonly channelTitle?: string
  readonly thumbnails?: Thumbs
}
interface SearchBody {
  readonly items?: { id?: { videoId?: string }; snippet?: Snippet }[]
}
interface VideosBody {
  readonly items?: { id?: string; snippet?: Snippet; contentDetails?: { duration?: string } }[]
}

export class YoutubeClient {
  readonly #key: string
  readonly #base: string
  readonly #timeoutMs: number
  readonly #region: string

  constructor(options: YoutubeClientOptions) {
    this.#key = options.apiKey
    this.#base = (options.baseUrl ?? DEFAULT_YOUTUBE_API_URL).replace(/\/+$/, '')
    this.#timeoutMs = options.timeoutMs ?? 4000
    this.#region = options.regionCode ?? 'US'
  }

  /** The first `max` music videos for `query`, with their durations (one search.list + one videos.list). */
  async search(query: string, max: number): Promise<Track[]> {
    const body = await this.#get<SearchBody>('search', {
      part: 'snippet',
      type: 'video',
      videoCategoryId: '10',
      maxResults: String(max),
      regionCode: this.#region,
      q: query,
    })
    const ids = (body.items ?? []).map((i) => i.id?.videoId).filter((id): id is string => typeof id === 'string')
    if (ids.length === 0) return []
    const details = await this.videos(ids)
    const byId = new Map(details.map((t) => [t.videoId, t]))
    return (body.items ?? []).flatMap((item) => {
      const id = item.id?.videoId
      if (!id) return []
      const fromSearch = toTrack(id, item.snippet, undefined)
      return [{ ...fromSearch, duration: byId.get(id)?.duration ?? 0 }]
    })
  }

  /** The tracks of `ids` that exist (videos.list with snippet and contentDetails), in the given order. */
  async videos(ids: readonly string[]): Promise<Track[]> {
    const body = await this.#get<VideosBody>('videos', { part: 'snippet,contentDetails', id: ids.join(',') })
    const items = new Map((body.items ?? []).filter((i) => i.id).map((i) => [i.id!, i]))
    return ids.flatMap((id) => {
      const item = items.get(id)
      return item ? [toTrack(id, item.snippet, item.contentDetails?.duration)] : []
    })
  }

  async #get<T>(resource: string, params: Record<string, string>): Promise<T> {
    const url = new URL(`${this.#base}/${resource}`)
    for (const [k, v] of Object.entries({ ...params, key: this.#key })) url.searchParams.set(k, v)
    let res: globalThis.Response
    try {
      res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.#timeoutMs) })
    } catch (error) {
      throw new YoutubeApiError(0, `YouTube unreachable: ${(error as Error).message}`)
    }
    const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined
    if (!res.ok) throw new YoutubeApiError(res.status, body?.error?.message ?? `YouTube answered ${res.status}`)
    return body as T
  }
}

function toTrack(id: string, snippet: Snippet | undefined, isoDuration: string | undefined): Track {
  const t = snippet?.thumbnails
  return {
    videoId: id,
    title: decodeEntities(snippet?.title ?? id),
    artist: decodeEntities(snippet?.channelTitle ?? 'unknown artist'),
    artUrl: t?.high?.url ?? t?.medium?.url ?? t?.default?.url,
    duration: isoDuration ? parseIsoDuration(isoDuration) : 0,
  }
}

/** `PT3M33S` → 213, `PT1H2M` → 3720, `P1DT1S` → 86401, `P0D` (live) → 0. Unparseable → 0. */
export function parseIsoDuration(iso: string): number {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(iso.trim())
  if (!m) return 0
  const [, w, d, h, min, s] = m.map((x) => Number(x ?? 0))
  return Math.round(w! * 604_800 + d! * 86_400 + h! * 3600 + min! * 60 + s!)
}

const ID = /^[A-Za-z0-9_-]{11}$/

/**
 * The video id in a YouTube URL (youtube.com/watch?v=, music.youtube.com, youtu.be/, /shorts/, /embed/,
 * /live/) or a bare 11-character id that looks like one (has a digit, capital, `-` or `_`).
 */
export function extractVideoId(input: string): string | undefined {
  const text = input.trim()
  if (ID.test(text) && /[0-9A-Z_-]/.test(text)) return text
  let url: URL
  try {
    url = new URL(/^https?:\/\//i.test(text) ? text : `https://${text}`)
  } catch {
    return undefined
  }
  const host = url.hostname.toLowerCase().replace(/^(www|m|music)\./, '')
  let id: string | undefined
  if (host === 'youtu.be') id = url.pathname.split('/')[1]
  else if (host === 'youtube.com' || host === 'youtube-nocookie.com') {
    id = url.searchParams.get('v') ?? /^\/(?:shorts|embed|live|v)\/([^/?#]+)/.exec(url.pathname)?.[1]
  }
  return id && ID.test(id) ? id : undefined
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" }

/** search.list HTML-escapes titles: `Don&#39;t` → `Don't`. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    const lower = name.toLowerCase()
    if (ENTITIES[lower]) return ENTITIES[lower]
    if (!lower.startsWith('#')) return whole
    const code = lower.startsWith('#x') ? Number.parseInt(lower.slice(2), 16) : Number(lower.slice(1))
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole
  })
}
