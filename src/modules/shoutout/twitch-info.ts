/**
 * What the module knows about Twitch: the Helix client (TWITCH_CLIENT_ID + the bot's token, base URL
 * TWITCH_API_URL), the bot's own user and scopes (`GET /oauth2/validate` at TWITCH_AUTH_URL, remembered five
 * minutes) and a creator's profile, channel and a recent clip. Without TWITCH_CLIENT_ID or a token there is no
 * client, and shoutouts are text with the profile link.
 */
import {
  createHelixCreatorsClient,
  type HelixClip,
  type HelixCreatorsClient,
  type TokenSource,
  tokenSourceFor,
  validateToken,
} from '../../collectors/twitch/public.js'
import type { SetupContext } from '../../runtime/module.js'
import type { ShoutoutConfig } from './settings.js'

export const SHOUTOUT_SCOPE = 'moderator:manage:shoutouts'
const BOT_MEMORY_MS = 5 * 60_000

export interface CreatorInfo {
  readonly id: string
  readonly login: string
  readonly displayName: string
  readonly avatarUrl: string
  readonly game: string
  readonly title: string
  readonly clip: HelixClip | undefined
}

export interface BotIdentity {
  readonly id: string
  readonly login: string
  readonly scopes: readonly string[]
}

export interface TwitchInfo {
  readonly helix: HelixCreatorsClient | undefined
  /** A creator's profile, channel and one of their top clips of the last `clipDays` days; undefined when Twitch knows no such user. */
  lookup(login: string, clipDays: number): Promise<CreatorInfo | undefined>
  /** The user id of a channel's broadcaster (remembered). */
  broadcasterId(login: string): Promise<string | undefined>
  /** The bot's user and scopes (remembered five minutes; `forget` after Twitch refused a scope). */
  bot(): Promise<BotIdentity | undefined>
  forget(): void
}

export interface TwitchInfoOptions {
  readonly now: () => number
  readonly random: () => number
}

export function createTwitchInfo(ctx: SetupContext<ShoutoutConfig>, o: TwitchInfoOptions): TwitchInfo {
  const env = (k: string) => ctx.settings.env[k]?.trim() || undefined
  const clientId = env('TWITCH_CLIENT_ID')
  const staticToken = env('TWITCH_BOT_TOKEN')
  const source: TokenSource | undefined =
    tokenSourceFor(ctx.settings, ctx.log) ??
    (staticToken ? { current: async () => staticToken, refresh: async () => staticToken } : undefined)
  const apiUrl = env('TWITCH_API_URL')
  const helix =
    clientId && source
      ? createHelixCreatorsClient({
          clientId,
          token: source,
          timeoutMs: ctx.config.helix_timeout_ms,
          ...(apiUrl ? { baseUrl: apiUrl } : {}),
        })
      : undefined
  const ids = new Map<string, string>()
  let bot: { at: number; value: Promise<BotIdentity | undefined> } | undefined

  return {
    helix,
    async lookup(login, clipDays) {
      if (!helix) return undefined
      const profile = await helix.getProfile(login)
      if (!profile) return undefined
      ids.set(profile.login, profile.id)
      const since = new Date(o.now() - clipDays * 86_400_000)
      const [channel, clips] = await Promise.all([helix.getChannel(profile.id), helix.getClips(profile.id, since, 20)])
      const top = clips.slice(0, 20)
      return {
        id: profile.id,
        login: profile.login,
        displayName: profile.display_name,
        avatarUrl: profile.profile_image_url,
        game: channel?.game_name ?? '',
        title: channel?.title ?? '',
        clip: top.length > 0 ? top[Math.floor(o.random() * top.length) % top.length] : undefined,
      }
    },
    async broadcasterId(login) {
      const key = login.toLowerCase()
      const known = ids.get(key)
      if (known || !helix) return known
      const profile = await helix.getProfile(key)
      if (profile) ids.set(key, profile.id)
      return profile?.id
    },
    bot() {
      if (!source || !clientId) return Promise.resolve(undefined)
      if (bot && o.now() - bot.at < BOT_MEMORY_MS) return bot.value
      const value = (async () => {
        const info = await validateToken(env('TWITCH_AUTH_URL'), await source.current(), ctx.config.helix_timeout_ms)
        return info.user_id ? { id: info.user_id, login: info.login ?? '', scopes: info.scopes } : undefined
      })()
      bot = { at: o.now(), value }
      value.catch(() => {
        bot = undefined
      })
      return value
    },
    forget() {
      bot = undefined
    },
  }
}
