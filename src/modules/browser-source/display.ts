/**
 * `POST /browser/source/display` bodies: validated per overlay type (a 400 names the field), media URLs
 * restricted to http(s)/data:image, general HTML and styles sanitized. What comes out is what the overlay
 * pages receive as `data`.
 */
import { z } from 'zod'
import { describeIssue } from '../../contract/validate.js'
import { WaddleError } from '../../runtime/errors.js'
import { CLIP_FRAME_SOURCES } from './pages.js'
import { isSafeUrl, sanitizeHtml, sanitizeStyle } from './sanitize.js'
import { OVERLAY_TYPES, type OverlayType } from './tokens.js'

const url = z
  .string()
  .max(16 * 1024)
  .refine(isSafeUrl, 'must be an http(s) or data:image URL')
const seconds = z
  .number()
  .nonnegative()
  .max(24 * 3600)

/** True for URLs the overlay CSP lets a card frame: Twitch's clip player, or a loopback fake in tests. */
function isClipEmbed(raw: string): boolean {
  try {
    const u = new URL(raw)
    return CLIP_FRAME_SOURCES.some((src) =>
      src.endsWith(':*') ? `${u.protocol}//${u.hostname}` === src.slice(0, -2) : u.origin === src,
    )
  } catch {
    return false
  }
}

/** `data` of a media display: the media response without `type` (CONTRACT §4.1). */
export const mediaDataSchema = z.object({
  media_type: z.enum(['audio', 'video', 'image']).default('audio'),
  title: z.string().max(300).optional(),
  artist: z.string().max(300).optional(),
  art_url: url.optional(),
  media_url: url.optional(),
  duration: seconds.optional(),
})
/** `data` of a ticker display. */
export const tickerDataSchema = z.object({
  text: z.string().trim().min(1).max(500),
  duration: seconds.positive().optional(),
})
/** A clip player for a general card: only Twitch's clip embeds (and a local fake's) may be framed (pages.ts CSP). */
export const clipDataSchema = z.object({
  embed_url: url.refine(isClipEmbed, 'must be a clips.twitch.tv embed URL'),
  thumbnail_url: url.optional(),
  autoplay: z.boolean().default(true),
  muted: z.boolean().default(false),
})
/** `data` of a general display: HTML (sanitized here), an optional style object and an optional clip. */
export const generalDataSchema = z.object({
  content: z.string().max(32 * 1024),
  duration: seconds.optional(),
  style: z.record(z.string(), z.unknown()).optional(),
  clip: clipDataSchema.optional(),
})

const bodySchema = z.object({
  community_id: z.string().min(1).max(200).optional(),
  entity_id: z.string().min(1).max(500).optional(),
  type: z.enum(OVERLAY_TYPES),
  data: z.record(z.string(), z.unknown()),
})

export type MediaData = z.infer<typeof mediaDataSchema>
export type TickerData = z.infer<typeof tickerDataSchema>
export interface GeneralData {
  readonly content: string
  readonly duration?: number
  readonly style?: Record<string, string>
  readonly clip?: z.infer<typeof clipDataSchema>
}
export type DisplayData = MediaData | TickerData | GeneralData

/** A validated display request; `community_id` and/or `entity_id` say whose overlays get it. */
export interface DisplayRequest {
  readonly communityId?: string
  readonly entityId?: string
  readonly type: OverlayType
  readonly data: DisplayData
}

/** Seconds a ticker item stays when it names no duration. */
export const DEFAULT_TICKER_SECONDS = 10

/** Throws the 400 for a failed parse; fields of `data` are named `data.<field>`. */
function invalid(error: z.ZodError, within?: string): never {
  const { field, message } = describeIssue(error)
  const name = within === undefined ? field : field === 'body' ? within : `${within}.${field}`
  throw new WaddleError('WB_INPUT_INVALID', { field: name, reason: message })
}

/** `T` with every property that may be undefined made optional instead. */
type Compact<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>
}

/** Drops undefined keys (exactOptionalPropertyTypes-friendly and smaller on the wire). */
function compact<T extends object>(value: T): Compact<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Compact<T>
}

/** Validates and normalizes a display body; throws WB_INPUT_INVALID (400) naming the bad field. */
export function parseDisplay(body: unknown): DisplayRequest {
  const parsed = bodySchema.safeParse(body)
  if (!parsed.success) invalid(parsed.error)
  const { community_id, entity_id, type, data } = parsed.data
  if (community_id === undefined && entity_id === undefined) {
    throw new WaddleError('WB_INPUT_INVALID', {
      field: 'community_id',
      reason: 'community_id or entity_id is required',
    })
  }
  let out: DisplayData
  if (type === 'media') {
    const r = mediaDataSchema.safeParse(data)
    if (!r.success) invalid(r.error, 'data')
    out = compact(r.data)
  } else if (type === 'ticker') {
    const r = tickerDataSchema.safeParse(data)
    if (!r.success) invalid(r.error, 'data')
    out = compact(r.data)
  } else {
    const r = generalDataSchema.safeParse(data)
    if (!r.success) invalid(r.error, 'data')
    const style = r.data.style ? sanitizeStyle(r.data.style) : undefined
    out = compact({ content: sanitizeHtml(r.data.content), duration: r.data.duration, style, clip: r.data.clip })
  }
  return compact({ communityId: community_id, entityId: entity_id, type, data: out })
}

/** How long a display stays current, in ms (undefined = until replaced). Ticker items default to 10 s. */
export function lifetimeMs(type: OverlayType, data: DisplayData): number | undefined {
  const seconds = (data as { duration?: number }).duration
  if (type === 'ticker') return (seconds ?? DEFAULT_TICKER_SECONDS) * 1000
  return seconds ? seconds * 1000 : undefined
}
