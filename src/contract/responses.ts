/** What the bot says or shows: the Response union of CONTRACT §4.1, defined once. */
import { z } from 'zod'

export const chatResponseSchema = z.object({
  type: z.literal('chat'),
  text: z.string().min(1),
  reply_to: z.string().optional(),
  ephemeral: z.boolean().optional(),
})
export const mediaResponseSchema = z.object({
  type: z.literal('media'),
  media_type: z.enum(['audio', 'video', 'image']),
  title: z.string().optional(),
  artist: z.string().optional(),
  art_url: z.string().optional(),
  media_url: z.string().optional(),
  duration: z.number().nonnegative().optional(),
})
export const tickerResponseSchema = z.object({
  type: z.literal('ticker'),
  text: z.string().min(1),
  duration: z.number().positive().optional(),
})
/** A clip a general card may play: an embeddable player page (Twitch's `embed_url`) and its thumbnail. */
export const overlayClipSchema = z.object({
  embed_url: z.string().min(1),
  thumbnail_url: z.string().optional(),
  /** Whether the card plays it (default true); false shows the thumbnail. */
  autoplay: z.boolean().optional(),
  muted: z.boolean().optional(),
})
export const generalResponseSchema = z.object({
  type: z.literal('general'),
  content: z.string(),
  duration: z.number().positive().optional(),
  style: z.record(z.string(), z.unknown()).optional(),
  clip: overlayClipSchema.optional(),
})
export const formResponseSchema = z.object({
  type: z.literal('form'),
  title: z.string(),
  fields: z.array(z.record(z.string(), z.unknown())),
})
export const moderationResponseSchema = z.object({
  type: z.literal('moderation'),
  action: z.enum(['warn', 'delete', 'timeout', 'ban']),
  reason: z.string(),
  duration: z.number().nonnegative().optional(),
})

/**
 * A private message to one user on the event's platform (CONTRACT §9): a Twitch whisper, a Discord DM, a
 * Slack DM; `local` prints it. `to_user_id` is the platform's user id. A collector that cannot deliver it
 * says why in the execution log and the reply's `error` (docs/collectors.md, "Whispers and DMs").
 */
export const whisperResponseSchema = z.object({
  type: z.literal('whisper'),
  to_user_id: z.string().min(1).max(256),
  text: z.string().min(1).max(10_000),
})

export const responseSchema = z.discriminatedUnion('type', [
  chatResponseSchema,
  mediaResponseSchema,
  tickerResponseSchema,
  generalResponseSchema,
  formResponseSchema,
  moderationResponseSchema,
  whisperResponseSchema,
])
export type Response = z.infer<typeof responseSchema>
export type ChatResponse = z.infer<typeof chatResponseSchema>
export type WhisperResponse = z.infer<typeof whisperResponseSchema>

/**
 * Router-internal, never a platform response: in a module's execution result it asks the router to run
 * `message` (`!word args…`) as the same caller's next command, with the caller's roles (the alias module's
 * re-entry, docs/alias.md). The router consumes it (depth limit, loop detection); it never appears in
 * what the router answers, in late replies (`POST /api/v1/responses`) or on a platform.
 */
export const commandResponseSchema = z.object({
  type: z.literal('command'),
  message: z.string().min(2).max(2000),
})
export type CommandResponse = z.infer<typeof commandResponseSchema>

/** What a module's execution may return: the platform responses plus the router-internal `command`. */
export const executionResponseSchema = z.discriminatedUnion('type', [...responseSchema.options, commandResponseSchema])
export type ExecutionResponse = z.infer<typeof executionResponseSchema>

/** Shorthand for the most common response. */
export function chat(text: string, extra: Omit<ChatResponse, 'type' | 'text'> = {}): ChatResponse {
  return { type: 'chat', text, ...extra }
}
