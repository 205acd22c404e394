/**
 * The shoutout module's settings: `modules.shoutout` in waddlebot.yaml (process-wide: Helix timeout, queue
 * tick) and each community's own settings (stored in `shoutout_config`, edited through the REST API), with
 * their defaults.
 */
import { z } from 'zod'
import { TEMPLATE_FIELDS } from './template.js'

export const shoutoutConfigSchema = z.object({
  /** Timeout of each Helix call. */
  helix_timeout_ms: z.number().int().min(100).default(4000),
  /** How often the queue of Twitch shoutouts is looked at (0 = only when a shoutout is queued or sent). */
  queue_interval_ms: z.number().int().min(0).default(15_000),
})
export type ShoutoutConfig = z.infer<typeof shoutoutConfigSchema>

export const DEFAULT_TEMPLATE = 'Go check out {name}! They were last seen playing {game}: {url}'

const template = z
  .string()
  .trim()
  .min(1)
  .max(400)
  .refine((t) => [...t.matchAll(/\{(\w+)\}/g)].every((m) => TEMPLATE_FIELDS.includes(m[1]!)), {
    message: `may only use ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(', ')}`,
  })
const seconds = z
  .number()
  .int()
  .min(0)
  .max(7 * 86_400)

/** One community's settings: each key's type, and its default. */
const FIELDS = {
  enabled: [z.boolean(), true],
  template: [template, DEFAULT_TEMPLATE],
  /** `!so` of the same target again within this many seconds is refused. */
  cooldown_target_seconds: [seconds, 600],
  /** Any `!so` within this many seconds of the last one is refused. */
  cooldown_global_seconds: [seconds, 10],
  /** Also send Twitch's own /shoutout (needs the bot's `moderator:manage:shoutouts` scope). */
  twitch_shoutout: [z.boolean(), true],
  auto_raid: [z.boolean(), true],
  auto_first_message: [z.boolean(), false],
  overlay: [z.boolean(), true],
  overlay_seconds: [z.number().int().min(3).max(300), 20],
  clip_autoplay: [z.boolean(), true],
  clip_muted: [z.boolean(), false],
  /** Clips of the last this many days (the top 20 by views; one of them at random). */
  clip_days: [z.number().int().min(1).max(60), 7],
} as const

const shape = (pick: (type: z.ZodType, fallback: unknown) => z.ZodType) =>
  Object.fromEntries(Object.entries(FIELDS).map(([key, [type, fallback]]) => [key, pick(type, fallback)]))

export interface CommunitySettings {
  readonly enabled: boolean
  readonly template: string
  readonly cooldown_target_seconds: number
  readonly cooldown_global_seconds: number
  readonly twitch_shoutout: boolean
  readonly auto_raid: boolean
  readonly auto_first_message: boolean
  readonly overlay: boolean
  readonly overlay_seconds: number
  readonly clip_autoplay: boolean
  readonly clip_muted: boolean
  readonly clip_days: number
}

/** Stored settings, defaults filled in. */
export const communitySettingsSchema = z
  .object(shape((type, fallback) => type.default(fallback as never)))
  .strict() as unknown as z.ZodType<CommunitySettings>
/** A PUT body: any subset of the keys, no defaults. */
export const settingsPatchSchema = z.object(shape((type) => type.optional())).strict() as unknown as z.ZodType<
  Partial<CommunitySettings>
>

/** Auto-shoutouts: one per target per community per hour. */
export const AUTO_WINDOW_MS = 3_600_000
/** A stream whose start is unknown counts as started this long ago (first-message auto-shoutouts). */
export const UNKNOWN_STREAM_WINDOW_MS = 12 * 3_600_000
/** Twitch target names. */
export const TWITCH_LOGIN = /^[a-z0-9_]{3,25}$/
