/**
 * The Helix calls about other creators, for shoutouts: user profiles (`GET /users`), channel information
 * (`GET /channels`: last game and title), clips (`GET /clips`, newest window, most viewed first) and Twitch's
 * own shoutout (`POST /chat/shoutouts`, scope `moderator:manage:shoutouts`). Same transport as helix.ts
 * (base URL `TWITCH_API_URL`, token refresh on 401).
 */
import { type HelixOptions, helixCaller } from './helix.js'

export interface HelixProfile {
  readonly id: string
  readonly login: string
  readonly display_name: string
  readonly profile_image_url: string
  readonly broadcaster_type: string
}

export interface HelixChannel {
  readonly broadcaster_id: string
  readonly broadcaster_login: string
  readonly game_name: string
  readonly title: string
}

export interface HelixClip {
  readonly id: string
  readonly url: string
  readonly embed_url: string
  readonly title: string
  readonly thumbnail_url: string
  readonly view_count: number
  readonly duration: number
  readonly created_at: string
}

export interface HelixCreatorsClient {
  /** One user by login (undefined when Twitch knows none). */
  getProfile(login: string): Promise<HelixProfile | undefined>
  getChannel(broadcasterId: string): Promise<HelixChannel | undefined>
  /** Up to `first` (≤ 100) clips created since `since`, as Twitch orders them (most viewed first). */
  getClips(broadcasterId: string, since: Date, first: number): Promise<HelixClip[]>
  /** Twitch's own /shoutout; throws HelixError (429 at the rate limits, 401/403 without the scope). */
  sendShoutout(fromBroadcasterId: string, toBroadcasterId: string, moderatorId: string): Promise<void>
}

const text = (v: unknown) => (typeof v === 'string' ? v : '')

export function createHelixCreatorsClient(options: HelixOptions): HelixCreatorsClient {
  const call = helixCaller(options)
  const data = async (path: string, query: [string, string][]) =>
    ((await call('GET', path, query)) as { data?: Record<string, unknown>[] } | undefined)?.data ?? []
  return {
    async getProfile(login) {
      const [u] = await data('/users', [['login', login.toLowerCase()]])
      if (!u) return undefined
      return {
        id: text(u['id']),
        login: text(u['login']),
        display_name: text(u['display_name']) || text(u['login']),
        profile_image_url: text(u['profile_image_url']),
        broadcaster_type: text(u['broadcaster_type']),
      }
    },
    async getChannel(broadcasterId) {
      const [c] = await data('/channels', [['broadcaster_id', broadcasterId]])
      if (!c) return undefined
      return {
        broadcaster_id: text(c['broadcaster_id']),
        broadcaster_login: text(c['broadcaster_login']),
        game_name: text(c['game_name']),
        title: text(c['title']),
      }
    },
    async getClips(broadcasterId, since, first) {
      const rows = await data('/clips', [
        ['broadcaster_id', broadcasterId],
        ['started_at', since.toISOString()],
        ['first', String(Math.min(100, Math.max(1, first)))],
      ])
      return rows.map((c) => ({
        id: text(c['id']),
        url: text(c['url']),
        embed_url: text(c['embed_url']),
        title: text(c['title']),
        thumbnail_url: text(c['thumbnail_url']),
        view_count: Number(c['view_count']) || 0,
        duration: Number(c['duration']) || 0,
        created_at: text(c['created_at']),
      }))
    },
    async sendShoutout(fromBroadcasterId, toBroadcasterId, moderatorId) {
      await call('POST', '/chat/shoutouts', [
        ['from_broadcaster_id', fromBroadcasterId],
        ['to_broadcaster_id', toBroadcasterId],
        ['moderator_id', moderatorId],
      ])
    },
  }
}
