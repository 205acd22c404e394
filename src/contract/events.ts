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

/** U+0000 never comes from a chat platform and Postgres cannot store it in text: ids carrying it are refused. */
const NO_NUL = [(s: string) => !s.includes('\u0000'), 'must not contain the NUL character (U+0000)'] as const
const id = z
  .string()
  .min(1)
  .max(256)
  .refine(...NO_NUL)
/** Free text: any U+0000 is dropped, so one odd message is stored (and answered) like any other. */
const withoutNul = (s: string) => (s.includes('\u0000') ? s.replaceAll('\u0000', '') : s)

export const inboundEventSchema = z.object({
  platform: platformSchema,
  server_id: id,
  channel_id: id,
  user_id: id,
  user_name: z.string().min(1).max(256).transform(withoutNul),
  display_name: z.string().max(256).transform(withoutNul).optional(),
  message: z.string().max(10_000).transform(withoutNul).optional(),
  message_id: z
    .string()
    .max(256)
    .refine(...NO_NUL)
    .optional(),
  message_type: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must be an event type such as chatMessage'),
  roles: z.array(roleSchema).max(16).optional(),
  entity_id: z
    .string()
    .min(1)
    .max(800)
    .refine(...NO_NUL)
    .optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
})
export type InboundEvent = z.infer<typeof inboundEventSchema>

export const eventBatchSchema = z.object({ events: z.array(z.unknown()).min(1).max(100) })

/** `<platform>:<server_id>:<channel_id>`: the one entity id format, everywhere. */
export function entityIdOf(event: Pick<InboundEvent, 'platform' | 'server_id' | 'channel_id' | 'entity_id'>): string {
  return event.entity_id ?? `${event.platform}:${event.server_id}:${event.channel_id}`
}
