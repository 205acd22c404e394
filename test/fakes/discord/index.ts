/**
 * A fake Discord (gateway + REST) for tests that run the real discord.js client: point the client at
 * `rest.api` (DISCORD_API_URL) with any token; the gateway URL comes from `GET /gateway/bot`. Viewers'
 * messages, reactions, joins, voice and boosts are injected as gateway dispatches; what the bot did is
 * read from `rest.requests` / `rest.waitFor`. Interactions are built here for both the gateway and the
 * HTTP endpoint (sign them with sign.ts).
 */
import { type FakeGateway, startFakeGateway } from './gateway.js'
import { type FakeRest, startFakeRest } from './rest.js'
import {
  boosterRoleId,
  createWorld,
  dmChannelId,
  type FakeGuildSpec,
  type FakeMember,
  type FakeWorld,
  memberPayload,
  memberPermissions,
  nextId,
  userPayload,
} from './state.js'

export { APPLICATION_ID, BASIC_PERMS, BOT_ID, boosterRoleId, botRoleId, dmChannelId, PERM } from './state.js'
export type { FakeGuildSpec, FakeMember } from './state.js'
export type { RestRequest } from './rest.js'
export { createInteractionSigner } from './sign.js'

/** A chat user of the fake. */
export interface Viewer {
  readonly id: string
  readonly username: string
}

/** Where a fake message comes from. */
export interface MessageOptions {
  readonly guildId?: string
  readonly channelId?: string
  readonly author?: Viewer
  /** Role ids of the author in the guild (defaults to the world's member record, else none). */
  readonly roles?: readonly string[]
  /** A direct message to the bot: no guild, channel = the DM channel. */
  readonly dm?: boolean
  readonly type?: number
}

/** What a fake slash command carries. */
export interface SlashOptions {
  readonly name?: string
  readonly options?: readonly { name: string; type: number; value: string | number | boolean }[]
  readonly guildId?: string
  readonly channelId?: string
  readonly user?: Viewer
  readonly dm?: boolean
  readonly id?: string
  /** Permissions of the bot in the channel (`app_permissions`); default: computed from the world. */
  readonly appPermissions?: bigint
}

/** The running fake Discord: world, REST, gateway and injectors. */
export interface FakeDiscord {
  readonly world: FakeWorld
  readonly rest: FakeRest
  readonly gateway: FakeGateway
  /** Injects a MESSAGE_CREATE from a viewer; returns the message id. */
  message(content: string, options?: MessageOptions): string
  reaction(messageId: string, emoji: string, options?: { guildId?: string; channelId?: string; user?: Viewer }): void
  /** GUILD_MEMBER_ADD (joined now unless the member says otherwise). */
  memberJoin(member: FakeMember, guildId?: string): void
  memberLeave(user: Viewer, guildId?: string): void
  /** Voice state: `channelId` null = left voice. */
  voice(user: Viewer, channelId: string | null, guildId?: string): void
  /** GUILD_MEMBER_UPDATE with premium_since = now and the booster role added (a new boost). */
  boost(user: Viewer, guildId?: string): void
  /** An APPLICATION_COMMAND interaction payload (type 2), as Discord sends it. */
  // biome-ignore lint/suspicious/noExplicitAny: a raw payload tests edit freely
  slash(options?: SlashOptions): Record<string, any>
  /** Dispatches an interaction over the gateway (INTERACTION_CREATE). */
  interact(interaction: Record<string, unknown>): void
  close(): Promise<void>
}

/** The default viewer (not a guild member record: no roles). */
export const VIEWER: Viewer = { id: '999', username: 'alice' }

/** Starts the fake gateway and REST on 127.0.0.1 (ports chosen by the OS). */
export async function startFakeDiscord(options: { guilds?: readonly FakeGuildSpec[] } = {}): Promise<FakeDiscord> {
  const world = createWorld(options.guilds)
  const gateway = await startFakeGateway(world)
  const rest = await startFakeRest(world, () => gateway.url)
  /** Makes this fake's voice session ids unique, as real sessions are. */
  const salt = nextId()
  const guild = (id = world.guilds[0]!.id) => {
    const g = world.guilds.find((x) => x.id === id)
    if (!g) throw new Error(`fake discord: no guild ${id}`)
    return g
  }
  const memberOf = (guildId: string, user: Viewer, roles?: readonly string[]): FakeMember =>
    guild(guildId).members.find((m) => m.id === user.id && roles === undefined) ?? { ...user, roles: roles ?? [] }

  return {
    world,
    rest,
    gateway,
    message(content, o = {}) {
      const id = nextId()
      const author = o.author ?? VIEWER
      if (o.dm) {
        gateway.dispatch('MESSAGE_CREATE', {
          ...base(id, o.channelId ?? dmChannelId(author.id), author, content, o.type),
          channel_type: 1,
        })
        return id
      }
      const g = guild(o.guildId)
      const member = memberOf(g.id, author, o.roles)
      gateway.dispatch('MESSAGE_CREATE', {
        ...base(id, o.channelId ?? g.channels[0]!.id, author, content, o.type),
        guild_id: g.id,
        member: memberPayload(member, false),
      })
      return id
    },
    reaction(messageId, emoji, o = {}) {
      const g = guild(o.guildId)
      const user = o.user ?? VIEWER
      gateway.dispatch('MESSAGE_REACTION_ADD', {
        user_id: user.id,
        channel_id: o.channelId ?? g.channels[0]!.id,
        message_id: messageId,
        guild_id: g.id,
        member: memberPayload(memberOf(g.id, user)),
        emoji: { id: null, name: emoji },
        burst: false,
        type: 0,
      })
    },
    memberJoin(spec, guildId) {
      const g = guild(guildId)
      const member: FakeMember = { joinedAt: new Date().toISOString(), ...spec }
      g.members.push(member)
      gateway.dispatch('GUILD_MEMBER_ADD', { ...memberPayload(member), guild_id: g.id })
    },
    memberLeave(user, guildId) {
      const g = guild(guildId)
      const i = g.members.findIndex((m) => m.id === user.id)
      if (i >= 0) g.members.splice(i, 1)
      gateway.dispatch('GUILD_MEMBER_REMOVE', { guild_id: g.id, user: userPayload(user.id, user.username) })
    },
    voice(user, channelId, guildId) {
      const g = guild(guildId)
      gateway.dispatch('VOICE_STATE_UPDATE', {
        guild_id: g.id,
        channel_id: channelId,
        user_id: user.id,
        member: memberPayload(memberOf(g.id, user)),
        session_id: `voice-${salt}-${user.id}`,
        deaf: false,
        mute: false,
        self_deaf: false,
        self_mute: false,
        self_video: false,
        suppress: false,
        request_to_speak_timestamp: null,
      })
    },
    boost(user, guildId) {
      const g = guild(guildId)
      const before = memberOf(g.id, user)
      const member: FakeMember = {
        ...before,
        roles: [...before.roles, boosterRoleId(g.id)],
        premiumSince: new Date().toISOString(),
      }
      const at = g.members.findIndex((m) => m.id === user.id)
      if (at >= 0) g.members.splice(at, 1, member)
      else g.members.push(member)
      gateway.dispatch('GUILD_MEMBER_UPDATE', { ...memberPayload(member), guild_id: g.id })
    },
    slash(o = {}) {
      const user = o.user ?? VIEWER
      const common = {
        id: o.id ?? nextId(),
        application_id: world.applicationId,
        type: 2,
        token: `tok-${nextId()}`,
        version: 1,
        data: { id: nextId(), name: o.name ?? 'waddlebot', type: 1, options: o.options ?? [] },
        locale: 'en-US',
        entitlements: [],
        authorizing_integration_owners: { 0: '200' },
      }
      if (o.dm) {
        const channelId = o.channelId ?? dmChannelId(user.id)
        return {
          ...common,
          channel_id: channelId,
          channel: { id: channelId, type: 1 },
          user: userPayload(user.id, user.username),
          context: 1,
          app_permissions: String(o.appPermissions ?? 0n),
        }
      }
      const g = guild(o.guildId)
      const channelId = o.channelId ?? g.channels[0]!.id
      const member = memberOf(g.id, user)
      return {
        ...common,
        guild_id: g.id,
        channel_id: channelId,
        guild_locale: 'en-US',
        context: 0,
        channel: { id: channelId, type: 0, guild_id: g.id, name: 'general', permission_overwrites: [] },
        member: { ...memberPayload(member), permissions: memberPermissions(g, user.id).toString() },
        app_permissions: String(o.appPermissions ?? memberPermissions(g, world.bot.id)),
      }
    },
    interact: (interaction) => gateway.dispatch('INTERACTION_CREATE', interaction),
    async close() {
      await gateway.close()
      await rest.close()
    },
  }
}

function base(id: string, channelId: string, author: Viewer, content: string, type = 0): Record<string, unknown> {
  return {
    id,
    channel_id: channelId,
    author: userPayload(author.id, author.username),
    content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type,
    flags: 0,
    components: [],
  }
}
