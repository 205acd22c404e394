/**
 * The normalized platform event every collector sends to the router (CONTRACT §4.1).
 * One zod schema gives both the TypeScript type and the runtime validation, on both sides.
 */
import { z } from 'zod'

export const PLATFORMS = ['twitch', 'discord', 'slack', 'local'] as const
export const platformSchema = z.enum(PLATFORMS)
export type Platform = z.infer<typeof platformSchema>

export const ROLES = ['broadcaster', 'owner', 'admin', 'moderator', 'vip', 'subscriber'] as const
export const roleSchema = z.enum(ROLES)
export type Role = z.infer<typeof roleSchema>

/** The message types named by the contract; other lower-case identifiers are accepted too ("…"). */
export const KNOWN_MESSAGE_TYPES = [
  'chatMessage',
  'slashCommand',
  'interaction',
  'follow',
  'subscription',
  'subgift',
  'resub',
  'cheer',
  'raid',
  'donation',
  'member_join',
  'member_leave',
  'reaction',
  'voice_join',
  'voice_leave',
  'boost',
  'ban',
  'kick',
  'timeout',
  'stream_online',
  'stream_offline',
] as const

/**
 * U+0000 never comes from a chat platform and Postgres cannot store it in text: ids carrying it are refused
 * here, and free text loses it in {@link withoutNul} after parsing. (Both stay out of the schema's own
 * refinements and transforms: either one takes zod off its compiled fast path, ≈ 80 µs per event.)
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the NUL character is exactly what this refuses
const NO_NUL = /^[^\u0000]*$/
const NO_NUL_MESSAGE = 'must not contain the NUL character (U+0000)'
const id = z.string().min(1).max(256).regex(NO_NUL, NO_NUL_MESSAGE)

export const inboundEventSchema = z.object({
  platform: platformSchema,
  server_id: id,
  channel_id: id,
  user_id: id,
  user_name: z.string().min(1).max(256),
  display_name: z.string().max(256).optional(),
  message: z.string().max(10_000).optional(),
  message_id: z.string().max(256).regex(NO_NUL, NO_NUL_MESSAGE).optional(),
  message_type: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must be an event type such as chatMessage'),
  roles: z.array(roleSchema).max(16).optional(),
  entity_id: z.string().min(1).max(800).regex(NO_NUL, NO_NUL_MESSAGE).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
})
export type InboundEvent = z.infer<typeof inboundEventSchema>

const NUL = '\u0000'
const strip = (s: string) => s.replaceAll(NUL, '')

/** A parsed event with any U+0000 dropped from its free text (the same object when there is none). */
export function withoutNul(event: InboundEvent): InboundEvent {
  const { user_name, display_name, message } = event
  if (!user_name.includes(NUL) && !display_name?.includes(NUL) && !message?.includes(NUL)) return event
  return {
    ...event,
    user_name: strip(user_name),
    ...(display_name === undefined ? {} : { display_name: strip(display_name) }),
    ...(message === undefined ? {} : { message: strip(message) }),
  }
}

export const eventBatchSchema = z.object({ events: z.array(z.unknown()).min(1).max(100) })

/** `<platform>:<server_id>:<channel_id>`: the one entity id format, everywhere. */
export function entityIdOf(event: Pick<InboundEvent, 'platform' | 'server_id' | 'channel_id' | 'entity_id'>): string {
  return event.entity_id ?? `${event.platform}:${event.server_id}:${event.channel_id}`
}
