/**
 * Twitch collector settings: the shared collector settings (collector-config.ts) plus Twitch's own, from
 * `modules.twitch.*` in waddlebot.yaml or `WADDLEBOT_TWITCH_*`. Secrets and base URLs come from the
 * environment only: TWITCH_BOT_USERNAME, TWITCH_BOT_TOKEN, TWITCH_CLIENT_ID, TWITCH_EVENTSUB_SECRET,
 * TWITCH_IRC_URL (default wss://irc-ws.chat.twitch.tv:443), TWITCH_API_URL (default https://api.twitch.tv/helix),
 * TWITCH_AUTH_URL (default https://id.twitch.tv), TWITCH_EVENTSUB_WS_URL (default wss://eventsub.wss.twitch.tv/ws)
 * and TWITCH_CLIENT_SECRET (only for webhook subscriptions, which need an app token).
 */
import { z } from 'zod'
import { collectorConfigSchema } from '../core/collector-config.js'
import { DEFAULT_EVENTSUB_TYPES, EVENTSUB_CATALOGUE } from './eventsub-types.js'

export const DEFAULT_IRC_URL = 'wss://irc-ws.chat.twitch.tv:443'
export const DEFAULT_EVENTSUB_WS_URL = 'wss://eventsub.wss.twitch.tv/ws'

/** `a,b` (an env override) or a YAML list. */
const list = (v: unknown) =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : v
const eventSubType = z
  .string()
  .refine((t) => t in EVENTSUB_CATALOGUE, { message: `must be one of ${Object.keys(EVENTSUB_CATALOGUE).join(', ')}` })

/** Twitch's chat limits: 20 messages / 30 s per channel, 100 where the bot is a moderator (or the broadcaster). */
export const TWITCH_BUDGET = { limit: 20, windowMs: 30_000 } as const
export const TWITCH_MOD_BUDGET = { limit: 100, windowMs: 30_000 } as const

export const twitchConfigSchema = collectorConfigSchema.extend({
  /** Pause between channel joins (Twitch allows 20 joins / 10 s for a normal account). */
  join_interval_ms: z.number().int().min(0).max(60_000).default(550),
  /** The public HTTPS base of this collector (e.g. https://bot.example.com); webhooks then go to `<public_url>/twitch/eventsub`. */
  public_url: z.url().optional(),
  /** `auto`: webhooks when public_url and TWITCH_EVENTSUB_SECRET are set, else EventSub over WebSocket; `off`: chat notices only. */
  eventsub_transport: z.enum(['auto', 'websocket', 'webhook', 'off']).default('auto'),
  /** The subscriptions made for every claimed channel. */
  eventsub_types: z.preprocess(list, z.array(eventSubType)).default(DEFAULT_EVENTSUB_TYPES),
  /** Asked of Twitch as `keepalive_timeout_seconds` (10 … 600); no message for longer than that (plus a margin) means reconnect. */
  eventsub_keepalive_s: z.number().int().min(10).max(600).default(30),
  /** How often missing or failed subscriptions are looked for and re-created. */
  eventsub_repair_interval_ms: z
    .number()
    .int()
    .positive()
    .default(5 * 60_000),
})

export type TwitchConfig = z.infer<typeof twitchConfigSchema>

/** `ws://host:port` / `wss://host:port` → tmi.js connection options. */
export function ircConnection(url: string): { server: string; port: number; secure: boolean } {
  const u = new URL(url)
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:')
    throw new Error(`TWITCH_IRC_URL must be a ws:// or wss:// URL, got ${url}`)
  const secure = u.protocol === 'wss:'
  return { server: u.hostname, port: u.port === '' ? (secure ? 443 : 80) : Number(u.port), secure }
}
