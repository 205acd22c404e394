/**
 * Discord events → the router's InboundEvent (CONTRACT §4.1). Entity ids are `discord:<guild>:<channel>`;
 * direct messages use the server id `@me` (Discord's own name for "no guild"), so a DM is
 * `discord:@me:<dm channel>`. Guild-wide events (member join/leave, voice, boosts) are sent on a channel
 * chosen by the gateway (see gateway-events.ts) and name the voice channel etc. in `metadata`.
 */
import type { GuildMember, Message, PartialGuildMember, PartialUser, User } from 'discord.js'
import type { InboundEvent, Role } from '../../contract/events.js'
import { discordRoles } from './roles.js'

/** The server id used for direct messages. */
export const DM_SERVER = '@me'

/** `discord:<guild>:<channel>` (or `discord:@me:<channel>` for a DM). */
export function discordEntity(guildId: string | null, channelId: string): string {
  return `discord:${guildId ?? DM_SERVER}:${channelId}`
}

/** The user behind an event. */
export interface Actor {
  readonly id: string
  readonly username: string
  readonly displayName?: string | null | undefined
}

/** The shared fields of every event from `actor` in `guildId`/`channelId`. */
export function baseEvent(
  actor: Actor,
  guildId: string | null,
  channelId: string,
  messageType: string,
  roles: readonly Role[] = [],
): InboundEvent {
  return {
    platform: 'discord',
    server_id: guildId ?? DM_SERVER,
    channel_id: channelId,
    user_id: actor.id,
    user_name: actor.username || actor.id,
    ...(actor.displayName ? { display_name: actor.displayName } : {}),
    message_type: messageType,
    ...(roles.length > 0 ? { roles: [...roles] } : {}),
    entity_id: discordEntity(guildId, channelId),
  }
}

/** An Actor from a discord.js user. */
export function actorOf(user: User | PartialUser): Actor {
  return { id: user.id, username: user.username ?? user.id, displayName: user.globalName ?? null }
}

/** The roles of a discord.js member (empty when unknown). */
export function memberRoles(member: GuildMember | PartialGuildMember | null | undefined): Role[] {
  if (!member) return []
  let permissions: bigint | null = null
  try {
    permissions = member.permissions.bitfield
  } catch {
    permissions = null // a partial member whose roles are not cached
  }
  return discordRoles({
    isOwner: member.guild.ownerId === member.id,
    permissions,
    boosting: member.premiumSinceTimestamp !== null,
  })
}

/** A guild or DM message. */
export function messageEvent(message: Message): InboundEvent {
  const actor = {
    ...actorOf(message.author),
    displayName: message.member?.displayName ?? message.author.globalName ?? null,
  }
  return {
    ...baseEvent(actor, message.guildId, message.channelId, 'chatMessage', memberRoles(message.member)),
    message: message.content,
    message_id: message.id,
    metadata: {
      channel_type: message.guildId ? 'guild' : 'dm',
      ...(message.reference?.messageId ? { reply_to: message.reference.messageId } : {}),
    },
  }
}

/** A slash command, from either path, in the form slashEvent needs. */
export interface SlashFacts {
  readonly interactionId: string
  readonly guildId: string | null
  readonly channelId: string
  readonly user: Actor
  readonly roles: readonly Role[]
  readonly commandName: string
  readonly options: readonly { readonly name: string; readonly value: unknown }[]
  readonly via: 'gateway' | 'http'
}

/**
 * The chat text a slash command stands for: `/waddlebot text:<t>` is `<t>` when it starts with `!` or `#`,
 * else `!<t>` (so `/waddlebot ping` runs `!ping`); `/command name:<n> args:<a>` is `!<n> <a>` (`#<n>` keeps
 * its prefix); any other command `/x a:1` is `!x 1`.
 */
export function slashText(commandName: string, options: SlashFacts['options']): string {
  const value = (name: string) => {
    const v = options.find((o) => o.name === name)?.value
    return v === undefined || v === null ? '' : String(v).trim()
  }
  const prefixed = (text: string) => (/^[!#]/.test(text) ? text : `!${text}`)
  if (commandName === 'waddlebot') return prefixed(value('text') || 'help')
  if (commandName === 'command') return `${prefixed(value('name') || 'help')} ${value('args')}`.trim()
  return `!${[commandName, ...options.map((o) => String(o.value ?? ''))].join(' ')}`.trim()
}

/** A slash command (gateway or HTTP) as a router event. */
export function slashEvent(facts: SlashFacts): InboundEvent {
  return {
    ...baseEvent(facts.user, facts.guildId, facts.channelId, 'slashCommand', facts.roles),
    message: slashText(facts.commandName, facts.options),
    message_id: facts.interactionId,
    metadata: {
      interaction_id: facts.interactionId,
      command: facts.commandName,
      via: facts.via,
      channel_type: facts.guildId ? 'guild' : 'dm',
    },
  }
}
