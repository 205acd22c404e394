/**
 * `!spotify|!spot <search|play|current|pause|resume|skip|devices|login>`, acting on the streamer's Spotify
 * (the community's connection). pause/resume/skip are moderator+; login is broadcaster/admin. Every failure
 * becomes a clear chat line: not configured, not connected, disconnected (log in again at <url>), no device.
 */
import type { Response } from '../../contract/responses.js'
import {
  type CommandContext,
  type CommandDefinition,
  permissionRank,
  type Reply,
  userLevel,
} from '../../runtime/module.js'
import { formatDuration } from '../../contract/format.js'
import type { SpotifyService } from './service.js'
import { loginHint, NOT_CONFIGURED, type SpotifyConfig } from './settings.js'
import { extractTrackId, SpotifyApiError, SpotifyAuthError, type Playing, type SpotifyTrack } from './spotify-api.js'
import { SpotifyDisconnected } from './tokens.js'

type Ctx = CommandContext<SpotifyConfig, SpotifyService>

export const USAGE =
  'Usage: !spotify search <query> | play <query|uri|number> | current | pause | resume | skip | devices'

const resultsKey = (ctx: Ctx) => `spotify:results:${ctx.request.entity.community_id}:${ctx.request.user.id}`
const level = (ctx: Ctx) => userLevel(ctx.request.user.roles)
const describe = (t: SpotifyTrack) => `${t.name} — ${t.artists}`

/** The `media` response for a track playing on Spotify. */
export function spotifyMedia(t: SpotifyTrack): Response {
  return {
    type: 'media',
    media_type: 'audio',
    title: t.name,
    artist: t.artists,
    ...(t.artUrl ? { art_url: t.artUrl } : {}),
    ...(t.url ? { media_url: t.url } : {}),
    duration: Math.round(t.durationMs / 1000),
  }
}

function nowPlayingReply(p: Playing, prefix = ''): Reply {
  const where = `[${formatDuration(p.progressMs / 1000)} / ${formatDuration(p.track.durationMs / 1000)}]`
  return [
    spotifyMedia(p.track),
    `${prefix}${p.isPlaying ? 'Now playing' : 'Paused'} on Spotify: ${describe(p.track)} ${where}`,
  ]
}

/** Turns what can go wrong into the chat line the viewer sees; anything else is a bug and propagates. */
function problem(ctx: Ctx, error: unknown): string {
  const cid = ctx.request.entity.community_id
  if (error instanceof SpotifyDisconnected) {
    return error.reason === 'not_connected'
      ? `Spotify is not connected: ${loginHint(cid)}`
      : `Spotify is disconnected: the streamer must log in again; ${loginHint(cid)}`
  }
  if (error instanceof SpotifyAuthError)
    return `Spotify refused the bot's credentials (${error.error}); check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET`
  if (error instanceof SpotifyApiError) {
    if (error.status === 0 || error.status >= 500) return 'Spotify is unreachable right now, try again in a moment'
    if (error.reason === 'NO_ACTIVE_DEVICE' || error.status === 404)
      return 'No active Spotify device: start playing on a device first (see !spotify devices)'
    if (error.status === 403) return `Spotify refused: ${error.message} (playback control needs Spotify Premium)`
    if (error.status === 429) return 'Spotify is rate limiting the bot; try again in a bit'
    return `Spotify error ${error.status}: ${error.message}`
  }
  throw error
}

async function search(svc: SpotifyService, ctx: Ctx, words: readonly string[]): Promise<Reply> {
  const query = words.join(' ').trim()
  if (!query) return 'Usage: !spotify search <query>'
  const tracks = await svc.api(ctx.request.entity.community_id).search(query, ctx.config.search_results)
  if (tracks.length === 0) return `No tracks found on Spotify for "${query}"`
  await ctx.cache.set(resultsKey(ctx), tracks, ctx.config.search_memory_ms)
  return `Spotify results: ${tracks.map((t, i) => `${i + 1}. ${describe(t)} (${formatDuration(t.durationMs / 1000)})`).join(' · ')} — pick one with !spotify play <number>`
}

async function play(svc: SpotifyService, ctx: Ctx, words: readonly string[]): Promise<Reply> {
  const text = words.join(' ').trim()
  if (!text) return 'Usage: !spotify play <query | spotify:track:… | number>'
  const api = svc.api(ctx.request.entity.community_id)
  let track: SpotifyTrack | undefined
  if (/^\d{1,2}$/.test(text)) {
    const results = await ctx.cache.get<SpotifyTrack[]>(resultsKey(ctx))
    if (!results?.length)
      return 'Search first with !spotify search <query>, then pick a number with !spotify play <number>'
    track = results[Number(text) - 1]
    if (!track) return `Pick a number from 1 to ${results.length}`
  } else {
    const id = extractTrackId(text)
    track = id ? await api.track(id) : (await api.search(text, 1))[0]
    if (!track) return id ? `No Spotify track ${id}` : `No tracks found on Spotify for "${text}"`
  }
  await api.addToQueue(track.uri)
  const who = ctx.request.user.display_name ?? ctx.request.user.name
  return `Queued on Spotify: ${describe(track)} (requested by ${who})`
}

async function current(svc: SpotifyService, ctx: Ctx): Promise<Reply> {
  const playing = await svc.api(ctx.request.entity.community_id).currentlyPlaying()
  return playing ? nowPlayingReply(playing) : 'Nothing is playing on Spotify.'
}

async function control(svc: SpotifyService, ctx: Ctx, action: 'pause' | 'resume' | 'skip'): Promise<Reply> {
  if (level(ctx) < permissionRank('moderator')) return `Only moderators can ${action} Spotify`
  const api = svc.api(ctx.request.entity.community_id)
  if (action === 'pause') {
    await api.pause()
    return 'Spotify paused.'
  }
  if (action === 'resume') {
    await api.resume()
    return 'Spotify resumed.'
  }
  const before = await api.currentlyPlaying()
  await api.next()
  const after = await api.currentlyPlaying()
  return after && after.track.uri !== before?.track.uri
    ? nowPlayingReply(after, 'Skipped. ')
    : 'Skipped to the next track.'
}

async function devices(svc: SpotifyService, ctx: Ctx): Promise<Reply> {
  const list = await svc.api(ctx.request.entity.community_id).devices()
  if (list.length === 0) return 'No Spotify devices are online: open Spotify on a device'
  const shown = list.map(
    (d) =>
      `${d.name} (${[d.type, d.isActive ? 'active' : undefined, d.volume === null ? undefined : `${d.volume}%`].filter(Boolean).join(', ')})`,
  )
  return `Spotify devices: ${shown.join(' · ')}`
}

async function login(svc: SpotifyService, ctx: Ctx): Promise<Reply> {
  if (level(ctx) < permissionRank('admin')) return 'Only the streamer can connect Spotify'
  const url = await svc.issueLoginUrl(ctx.request.entity.community_id)
  return {
    type: 'chat',
    text: `Connect Spotify for this community at ${url} (one use, expires in ${Math.round(ctx.config.login_link_ttl_ms / 60_000)} min)`,
    ephemeral: true,
  }
}

export function spotifyCommands(): CommandDefinition<SpotifyConfig, SpotifyService>[] {
  return [
    {
      name: 'spotify',
      aliases: ['spot'],
      summary: "Spotify: search, request songs into the streamer's queue, now playing, playback control",
      usage: '<search|play|current|pause|resume|skip|devices> [query]',
      timeoutMs: 10_000,
      async run(ctx) {
        const [sub = '', ...rest] = ctx.args
        const svc = ctx.state
        const action = sub.toLowerCase()
        if (
          ![
            'search',
            'play',
            'current',
            'nowplaying',
            'np',
            'pause',
            'resume',
            'unpause',
            'skip',
            'next',
            'devices',
            'login',
            'connect',
          ].includes(action)
        )
          return USAGE
        if (!svc.accounts()) return NOT_CONFIGURED
        try {
          switch (action) {
            case 'search':
              return await search(svc, ctx, rest)
            case 'play':
              return await play(svc, ctx, rest)
            case 'pause':
              return await control(svc, ctx, 'pause')
            case 'resume':
            case 'unpause':
              return await control(svc, ctx, 'resume')
            case 'skip':
            case 'next':
              return await control(svc, ctx, 'skip')
            case 'devices':
              return await devices(svc, ctx)
            case 'login':
            case 'connect':
              return login(svc, ctx)
            default:
              return await current(svc, ctx)
          }
        } catch (error) {
          return problem(ctx, error)
        }
      },
    },
  ]
}
