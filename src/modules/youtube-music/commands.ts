/**
 * The youtube-music commands: `!ytmusic|!youtube <search|play|queue|skip|current|stop>` and the short
 * forms `!play <song>` / `!sr <song>`. Subcommand permissions (skip: moderator+ or the requester; stop:
 * moderator+) are checked here, since the router only knows the command-level permission.
 */
import {
  type CommandContext,
  type CommandDefinition,
  permissionRank,
  type Reply,
  userLevel,
} from '../../runtime/module.js'
import type { Player } from './player.js'
import { advance, enqueue, stopAll, upcoming } from './queue.js'
import { clip, NOT_CONFIGURED, progress, queueLine, resultsLine, startedReply, USAGE } from './replies.js'
import { extractVideoId, type Track, YoutubeApiError, YoutubeClient } from './youtube-api.js'

/** `modules.youtube-music` in waddlebot.yaml (or `WADDLEBOT_YOUTUBE_MUSIC_<KEY>`). */
export interface YoutubeMusicConfig {
  readonly max_queue_size: number
  readonly per_user_limit: number
  readonly search_results: number
  readonly region_code: string
  readonly api_timeout_ms: number
  readonly queue_preview: number
  readonly search_memory_ms: number
}

/** What the module's setup builds. */
export interface YoutubeMusicState {
  readonly player: Player
}

type Ctx = CommandContext<YoutubeMusicConfig, YoutubeMusicState>

const resultsKey = (ctx: Ctx) => `youtube-music:results:${ctx.request.entity.community_id}:${ctx.request.user.id}`

/** The API client, or undefined when `YOUTUBE_API_KEY` is unset. */
export function youtubeClient(ctx: Pick<Ctx, 'settings' | 'config'>): YoutubeClient | undefined {
  const apiKey = ctx.settings.env.YOUTUBE_API_KEY
  if (!apiKey) return undefined
  return new YoutubeClient({
    apiKey,
    baseUrl: ctx.settings.env.YOUTUBE_API_URL || undefined,
    timeoutMs: ctx.config.api_timeout_ms,
    regionCode: ctx.config.region_code,
  })
}

function apiProblem(error: unknown): string {
  if (!(error instanceof YoutubeApiError)) throw error
  if (error.status === 0) return 'YouTube is unreachable right now, try again in a moment'
  if (error.status === 403)
    return `YouTube refused the request (403: ${clip(error.message, 80)}); check YOUTUBE_API_KEY and its quota`
  return `YouTube search failed (${error.status}: ${clip(error.message, 80)})`
}

const isModerator = (ctx: Ctx) => userLevel(ctx.request.user.roles) >= permissionRank('moderator')
const requester = (ctx: Ctx) => ({
  id: ctx.request.user.id,
  name: ctx.request.user.display_name ?? ctx.request.user.name,
})

async function search(ctx: Ctx, words: readonly string[]): Promise<Reply> {
  const query = words.join(' ').trim()
  if (!query) return 'Usage: !ytmusic search <query>'
  const client = youtubeClient(ctx)
  if (!client) return NOT_CONFIGURED
  let tracks: Track[]
  try {
    tracks = await client.search(query, ctx.config.search_results)
  } catch (error) {
    return apiProblem(error)
  }
  if (tracks.length === 0) return `No music found for "${clip(query, 40)}"`
  await ctx.cache.set(resultsKey(ctx), tracks, ctx.config.search_memory_ms)
  return resultsLine(query, tracks)
}

/** The track `words` name (a result number, a URL or id, or a query), or the chat line explaining why not. */
async function resolve(ctx: Ctx, words: readonly string[]): Promise<Track | string> {
  const text = words.join(' ').trim()
  if (!text) return 'Usage: !play <url | number | query>'
  if (/^\d{1,2}$/.test(text)) {
    const results = await ctx.cache.get<Track[]>(resultsKey(ctx))
    if (!results?.length)
      return 'Search first with !ytmusic search <query>, then pick a number with !ytmusic play <number>'
    const n = Number(text)
    return n >= 1 && n <= results.length ? results[n - 1]! : `Pick a number from 1 to ${results.length}`
  }
  const client = youtubeClient(ctx)
  if (!client) return NOT_CONFIGURED
  try {
    const id = extractVideoId(text)
    if (id) {
      const [track] = await client.videos([id])
      if (track) return track
      if (!/^[\w-]{11}$/.test(text)) return `No YouTube video with id ${id}`
    }
    const [first] = await client.search(text, 1)
    return first ?? `No music found for "${clip(text, 40)}"`
  } catch (error) {
    return apiProblem(error)
  }
}

async function play(ctx: Ctx, player: Player, words: readonly string[]): Promise<Reply> {
  const track = await resolve(ctx, words)
  if (typeof track === 'string') return track
  const communityId = ctx.request.entity.community_id
  await player.settle(communityId)
  const limits = { maxQueueSize: ctx.config.max_queue_size, perUserLimit: ctx.config.per_user_limit }
  const input = { communityId, entityId: ctx.request.entity.id, track, requester: requester(ctx) }
  const result = await enqueue(ctx.storage, input, limits, player.now())
  switch (result.kind) {
    case 'playing':
      player.arm(result.entry)
      return startedReply(result.entry)
    case 'queued':
      return `Queued #${result.position}: ${result.entry.title}`
    case 'duplicate':
      return `${result.entry.title} is already ${result.entry.status === 'playing' ? 'playing' : 'in the queue'}`
    case 'user_limit':
      return `You already have ${result.limit} requests in the queue; wait until one has played`
    case 'full':
      return `The queue is full (${result.limit} tracks); try again later`
  }
}

async function queue(ctx: Ctx, player: Player): Promise<Reply> {
  const communityId = ctx.request.entity.community_id
  const current = await player.settle(communityId)
  const { entries, total } = await upcoming(ctx.storage, communityId, ctx.config.queue_preview)
  return queueLine(current, entries, total, player.now())
}

async function current(ctx: Ctx, player: Player): Promise<Reply> {
  const entry = await player.settle(ctx.request.entity.community_id)
  if (!entry) return 'Nothing is playing. Request a song with !play <song>'
  return `Now playing: ${entry.title} — ${entry.artist} ${progress(entry, player.now())} (requested by ${entry.requested_by_name})`
}

async function skip(ctx: Ctx, player: Player): Promise<Reply> {
  const communityId = ctx.request.entity.community_id
  const entry = await player.settle(communityId)
  if (!entry) return 'Nothing is playing.'
  if (!isModerator(ctx) && entry.requested_by !== ctx.request.user.id) {
    return `Only a moderator or the requester (${entry.requested_by_name}) can skip ${entry.title}`
  }
  const step = await advance(ctx.storage, communityId, 'skipped', player.now(), entry.id)
  if (!step) return 'Nothing is playing.'
  if (!step.next) {
    player.disarm(communityId)
    return `Skipped ${step.ended.title}. The queue is empty.`
  }
  player.arm(step.next)
  return startedReply(step.next)
}

async function stop(ctx: Ctx, player: Player): Promise<Reply> {
  if (!isModerator(ctx)) return 'Only moderators can stop the music'
  const communityId = ctx.request.entity.community_id
  const { playing, dropped } = await stopAll(ctx.storage, communityId, player.now())
  player.disarm(communityId)
  if (!playing && dropped === 0) return 'Nothing is playing.'
  const what = playing ? `Stopped ${playing.title}` : 'Stopped'
  return `${what} and cleared the queue (${dropped} waiting ${dropped === 1 ? 'track' : 'tracks'} removed).`
}

/** The module's commands; the player is the module's state (`ctx.state.player`). */
export function youtubeMusicCommands(): CommandDefinition<YoutubeMusicConfig, YoutubeMusicState>[] {
  return [
    {
      name: 'ytmusic',
      aliases: ['youtube'],
      summary: 'YouTube Music requests: search, play, queue, skip, current, stop',
      usage: '<search|play|queue|skip|current|stop> [query]',
      timeoutMs: 10_000,
      run: (ctx) => {
        const [sub = '', ...rest] = ctx.args
        const player = ctx.state.player
        switch (sub.toLowerCase()) {
          case 'search':
            return search(ctx, rest)
          case 'play':
          case 'request':
          case 'sr':
            return play(ctx, player, rest)
          case 'queue':
          case 'q':
          case 'list':
            return queue(ctx, player)
          case 'skip':
          case 'next':
            return skip(ctx, player)
          case 'current':
          case 'nowplaying':
          case 'np':
            return current(ctx, player)
          case 'stop':
            return stop(ctx, player)
          default:
            return USAGE
        }
      },
    },
    {
      name: 'play',
      aliases: ['sr'],
      summary: 'Requests a song from YouTube Music',
      usage: '<song | url>',
      timeoutMs: 10_000,
      run: (ctx) => play(ctx, ctx.state.player, ctx.args),
    },
  ]
}
