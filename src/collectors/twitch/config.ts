/**
 * Twitch collector settings: the shared collector settings (collector-config.ts) plus Twitch's own, from
 * `modules.twitch.*` in waddlebot.yaml or `WADDLEBOT_TWITCH_*`. Secrets and base URLs come from the
 * environment only: TWITCH_BOT_USERNAME, TWITCH_BOT_TOKEN, TWITCH_CLIENT_ID, TWITCH_EVENTSUB_SECRET,
 * TWITCH_IRC_URL (default wss://irc-ws.chat.twitch.tv:443), TWITCH_API_URL (default https://api.twitch.tv/helix).
 */
import { z } from 'zod'
import { collectorConfigSchema } from '../core/collector-config.js'

export const DEFAULT_IRC_URL = 'wss://irc-ws.chat.twitch.tv:443'

/** Twitch's chat limits: 20 messages / 30 s per channel, 100 where the bot is a moderator (or the broadcaster). */
export const TWITCH_BUDGET = { limit: 20, windowMs: 30_000 } as const
export const TWITCH_MOD_BUDGET = { limit: 100, windowMs: 30_000 } as const

export const twitchConfigSchema = collectorConfigSchema.extend({
  /** Pause between channel joins (Twitch allows 20 joins / 10 s for a normal account). */
  join_interval_ms: z.number().int().min(0).max(60_000).default(550),
})

export type TwitchConfig = z.infer<typeof twitchConfigSchema>

/** `ws://host:port` / `wss://host:port` → tmi.js connection options. */
export function ircConnection(url: string): { server: string; port: number; secure: boolean } {
  const u = new URL(url)
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error(`TWITCH_IRC_URL must be a ws:// or wss:// URL, got ${url}`)
  const secure = u.protocol === 'wss:'
  return { server: u.hostname, port: u.port === '' ? (secure ? 443 : 80) : Number(u.port), secure }
}
