/**
 * Gateway events → router events, and which collector process handles each. Every process connected with
 * the bot token receives every event, so:
 * - a guild message, reaction or slash command is handled by the process holding the claim of its
 *   channel's entity `discord:<guild>:<channel>` (others ignore it);
 * - guild-wide events (member join/leave, voice join/leave, boost) are reported on the guild's system
 *   channel when this process serves it, else on the first channel of the guild it serves, and taken
 *   once across processes with a shared cache lock;
 * - direct messages are taken once across processes with a cache lock on the message id.
 * Bots (including this one) and system messages are ignored.
 */
import { type ChatInputCommandInteraction, type Client, Events, type Guild, GuildMember, MessageType } from 'discord.js'
import type { InboundEvent } from '../../contract/events.js'
import type { Logger } from '../../runtime/logger.js'
import { BROADCAST_TTL_MS, INTERACTION_DEDUPE_MS, interactionKey, ONCE_TTL_MS } from './once.js'
import { type Actor, actorOf, baseEvent, memberRoles, messageEvent, type SlashFacts } from './normalize.js'
import { discordRoles } from './roles.js'

/** Where the bot answers an event and whom moderation targets. */
export interface Origin {
  readonly guildId: string | null
  readonly channelId: string
  readonly userId: string
  /** The triggering message (moderation `delete`, replies). */
  readonly messageId?: string
}

/** What the gateway asks of the collector: claims, once-only locks, and where events go. */
export interface GatewayHandlers {
  /** Whether this process holds the claim of `discord:<guild>:<channel>`. */
  serves(guildId: string, channelId: string): boolean
  /** The channels of `guildId` this process serves, in a stable order. */
  servedChannels(guildId: string): readonly string[]
  /** Takes `key` once across every process for `ttlMs`; true ⇒ handle it here. */
  once(key: string, ttlMs: number): Promise<boolean>
  /** A router event with where to answer. */
  event(event: InboundEvent, origin: Origin): Promise<void>
  /** A slash command received over the gateway. */
  slash(interaction: ChatInputCommandInteraction, facts: SlashFacts): Promise<void>
}

const CHAT_TYPES = new Set([MessageType.Default, MessageType.Reply])

/** The channel a guild-wide event is reported on by this process, or null when it serves none there. */
export function homeChannel(
  guild: Pick<Guild, 'id' | 'systemChannelId'>,
  handlers: Pick<GatewayHandlers, 'servedChannels'>,
): string | null {
  const served = handlers.servedChannels(guild.id)
  if (guild.systemChannelId && served.includes(guild.systemChannelId)) return guild.systemChannelId
  return served[0] ?? null
}

/** Subscribes the router-facing handlers to the discord.js client's events (see the file comment). */
export function attachGatewayEvents(client: Client, handlers: GatewayHandlers, log: Logger): void {
  const run = (what: string, fn: () => Promise<void>) => {
    fn().catch((error: unknown) => log.error({ err: error, event: what }, 'discord event failed'))
  }
  /** A guild-wide event: reported on the home channel, once across processes. */
  const guildWide = async (guild: Guild, key: string, build: (channelId: string) => InboundEvent, userId: string) => {
    const channelId = homeChannel(guild, handlers)
    if (!channelId || !(await handlers.once(`discord:once:${key}`, BROADCAST_TTL_MS))) return
    await handlers.event(build(channelId), { guildId: guild.id, channelId, userId })
  }

  client.on(Events.MessageCreate, (message) =>
    run('message', async () => {
      if (message.author.bot || message.system || !CHAT_TYPES.has(message.type) || message.content === '') return
      if (message.guildId) {
        if (!handlers.serves(message.guildId, message.channelId)) return
      } else if (!(await handlers.once(`discord:once:dm:${message.id}`, ONCE_TTL_MS))) return
      await handlers.event(messageEvent(message), {
        guildId: message.guildId,
        channelId: message.channelId,
        userId: message.author.id,
        messageId: message.id,
      })
    }),
  )

  client.on(Events.MessageReactionAdd, (reaction, user) =>
    run('reaction', async () => {
      const { guildId, channelId, id: messageId } = reaction.message
      if (user.bot || !guildId || !handlers.serves(guildId, channelId)) return
      const member = reaction.message.guild?.members.cache.get(user.id)
      const event = baseEvent(
        { ...actorOf(user), displayName: member?.displayName ?? user.globalName ?? null },
        guildId,
        channelId,
        'reaction',
        memberRoles(member),
      )
      await handlers.event(
        {
          ...event,
          message_id: messageId,
          metadata: { emoji: reaction.emoji.name ?? reaction.emoji.id, message_id: messageId },
        },
        { guildId, channelId, userId: user.id, messageId },
      )
    }),
  )

  client.on(Events.GuildMemberAdd, (member) =>
    run('member_join', async () => {
      if (member.user.bot) return
      await guildWide(
        member.guild,
        `member_join:${member.guild.id}:${member.id}:${member.joinedTimestamp ?? 0}`,
        (channelId) => baseEvent(actorOf(member.user), member.guild.id, channelId, 'member_join'),
        member.id,
      )
    }),
  )

  client.on(Events.GuildMemberRemove, (member) =>
    run('member_leave', async () => {
      if (member.user.bot) return
      await guildWide(
        member.guild,
        `member_leave:${member.guild.id}:${member.id}:${member.joinedTimestamp ?? ''}`,
        (channelId) => baseEvent(actorOf(member.user), member.guild.id, channelId, 'member_leave'),
        member.id,
      )
    }),
  )

  client.on(Events.GuildMemberUpdate, (before, after) =>
    run('boost', async () => {
      if (before.premiumSinceTimestamp !== null || after.premiumSinceTimestamp === null || after.user.bot) return
      await guildWide(
        after.guild,
        `boost:${after.guild.id}:${after.id}:${after.premiumSinceTimestamp}`,
        (channelId) => ({
          ...baseEvent(actorOf(after.user), after.guild.id, channelId, 'boost', memberRoles(after)),
          metadata: { premium_since: after.premiumSince?.toISOString() },
        }),
        after.id,
      )
    }),
  )

  client.on(Events.VoiceStateUpdate, (before, after) =>
    run('voice', async () => {
      if (before.channelId === after.channelId || after.member?.user.bot) return
      const user: Actor | undefined = after.member
        ? { ...actorOf(after.member.user), displayName: after.member.displayName }
        : undefined
      if (!user) return
      for (const [type, voiceChannel] of [
        ['voice_leave', before.channelId],
        ['voice_join', after.channelId],
      ] as const) {
        if (!voiceChannel) continue
        await guildWide(
          after.guild,
          `${type}:${after.guild.id}:${user.id}:${voiceChannel}:${after.sessionId ?? before.sessionId ?? ''}:${before.channelId}>${after.channelId}`,
          (channelId) => ({
            ...baseEvent(user, after.guild.id, channelId, type, memberRoles(after.member)),
            metadata: { voice_channel_id: voiceChannel },
          }),
          user.id,
        )
      }
    }),
  )

  client.on(Events.InteractionCreate, (interaction) =>
    run('interaction', async () => {
      if (!interaction.isChatInputCommand()) return
      if (interaction.guildId && !handlers.serves(interaction.guildId, interaction.channelId)) return
      if (!(await handlers.once(interactionKey(interaction.id), INTERACTION_DEDUPE_MS))) return
      const m = interaction.member
      const boosting = m instanceof GuildMember ? m.premiumSinceTimestamp !== null : Boolean(m?.premium_since)
      const facts: SlashFacts = {
        interactionId: interaction.id,
        guildId: interaction.guildId,
        channelId: interaction.channelId,
        user: {
          ...actorOf(interaction.user),
          displayName: (m instanceof GuildMember ? m.displayName : m?.nick) ?? interaction.user.globalName ?? null,
        },
        // memberPermissions are the member's permissions in this channel, cached guild or not.
        roles: interaction.guildId
          ? discordRoles({
              isOwner: interaction.guild?.ownerId === interaction.user.id,
              permissions: interaction.memberPermissions?.bitfield ?? null,
              boosting,
            })
          : [],
        commandName: interaction.commandName,
        options: interaction.options.data.map((o) => ({ name: o.name, value: o.value })),
        via: 'gateway',
      }
      await handlers.slash(interaction, facts)
    }),
  )
}
