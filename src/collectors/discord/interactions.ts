/**
 * Answering a slash command, the same way over the gateway and over `POST /discord/interactions`:
 * Discord wants an answer within 3 s, so the router's reply is awaited for `deadlineMs` (default 2.5 s).
 * In time ⇒ a type-4 reply with the first message and follow-ups for the rest; too slow ⇒ a type-5
 * deferred reply now, then the original message is edited (`PATCH /webhooks/<app>/<token>/messages/@original`)
 * and follow-ups posted when the router answers.
 */
import { z } from 'zod'
import type { Role } from '../../contract/events.js'
import type { DiscordMessage } from './render.js'
import { discordRoles } from './roles.js'
import type { SlashFacts } from './normalize.js'

/** Discord's 3 s minus a margin for the network. */
export const DEFAULT_DEADLINE_MS = 2500
/** Message flag: only the invoking user sees it. */
export const EPHEMERAL = 64

/** A REST message body (channel message, interaction reply data, webhook edit). */
export interface MessageBody {
  content?: string
  embeds?: unknown[]
  flags?: number
  allowed_mentions: { parse: string[]; replied_user?: boolean }
  message_reference?: { message_id: string; fail_if_not_exists: false }
}

/** A rendered message as a REST body; mentions are limited to users (no @everyone / role pings from text). */
export function messageBody(m: DiscordMessage, options: { interaction?: boolean } = {}): MessageBody {
  return {
    ...(m.content !== undefined ? { content: m.content } : {}),
    ...(m.embeds?.length ? { embeds: [...m.embeds] } : {}),
    ...(m.ephemeral && options.interaction ? { flags: EPHEMERAL } : {}),
    allowed_mentions: { parse: ['users'], ...(m.replyTo ? { replied_user: true } : {}) },
    ...(m.replyTo && !options.interaction
      ? { message_reference: { message_id: m.replyTo, fail_if_not_exists: false } }
      : {}),
  }
}

/** The four ways to answer an interaction; the gateway and HTTP paths each implement them. */
export interface InteractionAnswer {
  /** Type 4: reply with a message now. */
  reply(body: MessageBody): Promise<void>
  /** Type 5: "thinking…", the message comes later. */
  defer(): Promise<void>
  editOriginal(body: MessageBody): Promise<void>
  followUp(body: MessageBody): Promise<void>
}

/** Said when the router gave nothing to show, or could not be reached. */
export const NOTHING: DiscordMessage = { kind: 'message', content: 'Done — nothing to show.', ephemeral: true }
export const FAILED: DiscordMessage = {
  kind: 'message',
  content: 'Sorry, I could not process that right now.',
  ephemeral: true,
}

/** Answers with `work`'s messages (see the file comment). Resolves once everything was sent. */
export async function answerInteraction(
  answer: InteractionAnswer,
  work: Promise<DiscordMessage[]>,
  deadlineMs = DEFAULT_DEADLINE_MS,
): Promise<'immediate' | 'deferred'> {
  const settled = work.then(
    (messages) => (messages.length > 0 ? messages : [NOTHING]),
    () => [FAILED],
  )
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), deadlineMs)
  })
  const first = await Promise.race([settled, late])
  clearTimeout(timer)
  const body = (m: DiscordMessage) => messageBody(m, { interaction: true })
  if (first !== 'late') {
    await answer.reply(body(first[0]!))
    for (const m of first.slice(1)) await answer.followUp(body(m))
    return 'immediate'
  }
  await answer.defer()
  const messages = await settled
  await answer.editOriginal(body(messages[0]!))
  for (const m of messages.slice(1)) await answer.followUp(body(m))
  return 'deferred'
}

const optionSchema = z.object({ name: z.string(), type: z.number(), value: z.unknown().optional() })
const userSchema = z.object({ id: z.string(), username: z.string(), global_name: z.string().nullish() })

/** The fields of an HTTP interaction payload this collector reads (Discord signs it; still checked). */
export const interactionPayloadSchema = z.object({
  id: z.string().min(1),
  application_id: z.string().min(1),
  type: z.number().int(),
  token: z.string().optional(),
  guild_id: z.string().optional(),
  channel_id: z.string().optional(),
  member: z
    .object({
      user: userSchema,
      permissions: z.string().optional(),
      premium_since: z.string().nullish(),
      nick: z.string().nullish(),
    })
    .optional(),
  user: userSchema.optional(),
  app_permissions: z.string().optional(),
  data: z
    .object({ name: z.string(), type: z.number().optional(), options: z.array(optionSchema).optional() })
    .optional(),
})
/** A parsed HTTP interaction payload. */
export type InteractionPayload = z.infer<typeof interactionPayloadSchema>

/** Interaction types (Discord API). */
export const InteractionKind = {
  Ping: 1,
  ApplicationCommand: 2,
  Component: 3,
  Autocomplete: 4,
  ModalSubmit: 5,
} as const

/**
 * The facts of an HTTP slash command. `ownerOf` gives a guild's owner id when the gateway knows it
 * (interaction payloads do not carry it; an owner still maps to admin/moderator through permissions).
 */
export function slashFactsFromPayload(
  p: InteractionPayload,
  ownerOf: (guildId: string) => string | undefined = () => undefined,
): SlashFacts | undefined {
  const user = p.member?.user ?? p.user
  if (!user || !p.channel_id || !p.data) return undefined
  const guildId = p.guild_id ?? null
  const roles: Role[] = p.member
    ? discordRoles({
        isOwner: guildId !== null && ownerOf(guildId) === user.id,
        permissions: p.member.permissions ? BigInt(p.member.permissions) : null,
        boosting: Boolean(p.member.premium_since),
      })
    : []
  return {
    interactionId: p.id,
    guildId,
    channelId: p.channel_id,
    user: { id: user.id, username: user.username, displayName: p.member?.nick ?? user.global_name ?? null },
    roles,
    commandName: p.data.name,
    options: (p.data.options ?? []).map((o) => ({ name: o.name, value: o.value })),
    via: 'http',
  }
}
