/**
 * The fake Helix's creator part, as Twitch behaves: `GET /channels?broadcaster_id=` (game and title),
 * `GET /clips?broadcaster_id&started_at&first` (clips created since `started_at`, most viewed first, at most
 * `first`) and `POST /chat/shoutouts` (needs `moderator:manage:shoutouts`, else 401 "Missing scope"; 400 for an `offline` channel; 429 within
 * 2 minutes of the channel's last shoutout or 60 minutes of the last one to the same target; the clock is the
 * fake's). Channels and clips are mutable fixtures keyed by login.
 */
import type { FakeAuth } from './helix-eventsub-routes.js'
import { twitchIdOf } from './ids.js'

export interface FakeClipFixture {
  readonly id: string
  readonly title: string
  readonly view_count: number
  /** Epoch ms. */
  readonly created_at: number
  readonly duration?: number
}

export interface FakeCreators {
  /** login → channel information (a login without an entry has an empty game and title). */
  readonly channels: Map<string, { game_name: string; title: string }>
  /** login → its clips. */
  readonly clips: Map<string, FakeClipFixture[]>
  /** Shoutouts Twitch accepted: from / to broadcaster ids and when. */
  readonly shoutouts: { from: string; to: string; moderator: string; at: number }[]
  /** Logins `GET /users` does not know (lower case). */
  readonly missing: Set<string>
  /** Channels (logins) that are offline: Twitch refuses their shoutouts with 400. */
  readonly offline: Set<string>
  /** Base of clip pages and embeds (`<base>/<id>`, `<base>/embed?clip=<id>`). */
  clipBase: string
  now: () => number
}

type Reply = (status: number, json?: unknown) => void
const error = (reply: Reply, status: number, message: string): true => {
  const names: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 429: 'Too Many Requests' }
  reply(status, { error: names[status] ?? 'Error', status, message })
  return true
}

export const loginOfId = (creators: FakeCreators, known: Iterable<string>, id: string) => {
  for (const login of known) if (twitchIdOf(login) === id) return login.toLowerCase()
  for (const login of [...creators.channels.keys(), ...creators.clips.keys()])
    if (twitchIdOf(login) === id) return login
  return undefined
}

/** The creator routes; false when `route` is not one of them. */
export function creatorRoute(
  route: string,
  q: URLSearchParams,
  auth: FakeAuth,
  creators: FakeCreators,
  known: readonly string[],
  reply: Reply,
): boolean {
  if (route === 'GET /channels') {
    const id = q.get('broadcaster_id')
    if (!id) return error(reply, 400, 'Missing required parameter "broadcaster_id"')
    const login = loginOfId(creators, known, id) ?? `user${id}`
    const channel = creators.channels.get(login) ?? { game_name: '', title: '' }
    reply(200, {
      data: [{ broadcaster_id: id, broadcaster_login: login, broadcaster_name: login, game_id: '1', ...channel }],
    })
    return true
  }
  if (route === 'GET /clips') {
    const id = q.get('broadcaster_id')
    if (!id) return error(reply, 400, 'Missing required parameter "broadcaster_id"')
    const login = loginOfId(creators, known, id) ?? ''
    const since = q.get('started_at') ? Date.parse(q.get('started_at')!) : 0
    const first = Math.min(100, Number(q.get('first') ?? 20) || 20)
    const clips = (creators.clips.get(login) ?? [])
      .filter((c) => c.created_at >= since)
      .sort((a, b) => b.view_count - a.view_count)
      .slice(0, first)
    reply(200, {
      data: clips.map((c) => ({
        id: c.id,
        url: `${creators.clipBase}/${c.id}`,
        embed_url: `${creators.clipBase}/embed?clip=${c.id}`,
        broadcaster_id: id,
        broadcaster_name: login,
        title: c.title,
        view_count: c.view_count,
        created_at: new Date(c.created_at).toISOString(),
        thumbnail_url: `${creators.clipBase}/thumb/${c.id}.png`,
        duration: c.duration ?? 30,
      })),
      pagination: {},
    })
    return true
  }
  if (route === 'POST /chat/shoutouts') {
    const [from, to, moderator] = ['from_broadcaster_id', 'to_broadcaster_id', 'moderator_id'].map((k) => q.get(k))
    if (!from || !to || !moderator) return error(reply, 400, 'Missing required parameter')
    if (!auth.scopes.includes('moderator:manage:shoutouts'))
      return error(reply, 401, 'Missing scope: moderator:manage:shoutouts')
    if (from === to) return error(reply, 400, 'The broadcaster may not give themselves a Shoutout.')
    if (creators.offline.has(loginOfId(creators, known, from) ?? ''))
      return error(reply, 400, 'The broadcaster is not streaming live or does not have one or more viewers.')
    const now = creators.now()
    const mine = creators.shoutouts.filter((s) => s.from === from)
    if (mine.some((s) => now - s.at < 120_000))
      return error(reply, 429, 'The broadcaster may send a shoutout once every 2 minutes.')
    if (mine.some((s) => s.to === to && now - s.at < 3_600_000))
      return error(reply, 429, 'The broadcaster may shoutout the same broadcaster once every 60 minutes.')
    creators.shoutouts.push({ from, to, moderator, at: now })
    reply(204)
    return true
  }
  return false
}
