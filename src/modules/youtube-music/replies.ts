/** What the youtube-music commands say: chat lines and the `media` response of a starting track. */
import type { Response } from '../../contract/responses.js'
import type { QueueEntry } from './queue.js'
import { formatDuration } from '../../contract/format.js'
import type { Track } from './youtube-api.js'

export const NOT_CONFIGURED = 'YouTube search is not configured: set YOUTUBE_API_KEY'
export const USAGE =
  'Usage: !ytmusic search <query> | play <url|number|query> | queue | skip | current | stop — or !play <song>'

/** The link a track plays from. */
export function watchUrl(videoId: string): string {
  return `https://www.youtube.com/watch?v=${videoId}`
}

/** The overlay response for a track that starts playing. */
export function mediaOf(entry: QueueEntry): Response {
  return {
    type: 'media',
    media_type: 'audio',
    title: entry.title,
    artist: entry.artist,
    ...(entry.art_url ? { art_url: entry.art_url } : {}),
    media_url: watchUrl(entry.video_id),
    duration: entry.duration,
  }
}

/** `[media, 'Now playing: <title> — <artist> (requested by <user>)']` */
export function startedReply(entry: QueueEntry): [Response, string] {
  return [mediaOf(entry), `Now playing: ${entry.title} — ${entry.artist} (requested by ${entry.requested_by_name})`]
}

/** `[1:02 / 3:33]`, or `[1:02, live]` when the length is unknown. */
export function progress(entry: QueueEntry, now: number): string {
  const elapsed = entry.started_at === null ? 0 : Math.max(0, (now - entry.started_at) / 1000)
  if (entry.duration <= 0) return `[${formatDuration(elapsed)}, live]`
  return `[${formatDuration(Math.min(elapsed, entry.duration))} / ${formatDuration(entry.duration)}]`
}

export function clip(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/** Numbered search results: `1. Title — Artist (3:33) · 2. …`. */
export function resultsLine(query: string, tracks: readonly Track[]): string {
  const list = tracks.map(
    (t, i) =>
      `${i + 1}. ${clip(t.title)} — ${clip(t.artist, 30)}${t.duration ? ` (${formatDuration(t.duration)})` : ''}`,
  )
  return `Results for "${clip(query, 40)}": ${list.join(' · ')} — pick one with !ytmusic play <number>`
}

/** The queue: what plays, then the next `entries` and how many more wait. */
export function queueLine(
  current: QueueEntry | undefined,
  entries: readonly QueueEntry[],
  total: number,
  now: number,
): string {
  if (!current && total === 0) return 'The queue is empty. Request a song with !play <song>'
  const head = current
    ? `Now playing: ${clip(current.title)} — ${clip(current.artist, 30)} ${progress(current, now)}.`
    : 'Nothing is playing.'
  if (total === 0) return `${head} Nothing waits in the queue.`
  const list = entries.map((e, i) => `${i + 1}. ${clip(e.title, 40)} — ${clip(e.artist, 20)} (${e.requested_by_name})`)
  const more = total > entries.length ? ` · +${total - entries.length} more` : ''
  return `${head} Up next (${total}): ${list.join(' · ')}${more}`
}
