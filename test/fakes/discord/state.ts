/**
 * The world a fake Discord serves: the bot user, its application, guilds with channels, roles and members,
 * and the payload builders (Discord API v10 shapes) the fake gateway and REST send. Tests describe guilds
 * with `FakeGuildSpec`; anything left out gets a small, valid default.
 */

/** Discord permission bits the fakes and tests use (a subset of PermissionFlagsBits). */
export const PERM = {
  Administrator: 1n << 3n,
  BanMembers: 1n << 2n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  ReadMessageHistory: 1n << 16n,
  ModerateMembers: 1n << 40n,
} as const

/** What a bot role without moderation rights gets: view, send and read history. */
export const BASIC_PERMS = PERM.ViewChannel | PERM.SendMessages | PERM.ReadMessageHistory

/** A guild role with its permission bits. */
export interface FakeRole {
  readonly id: string
  readonly name: string
  readonly permissions: bigint
}

/** A guild member (role ids, boost, nickname, join time). */
export interface FakeMember {
  readonly id: string
  readonly username: string
  readonly roles: readonly string[]
  /** ISO time the member started boosting, or null. */
  readonly premiumSince?: string | null
  readonly nick?: string | null
  /** ISO join time (default 2024-01-01). */
  readonly joinedAt?: string
}

/** A guild channel. */
export interface FakeChannel {
  readonly id: string
  readonly name: string
  /** 0 text, 2 voice. */
  readonly type?: number
}

/** A guild as a test describes it (defaults fill the rest). */
/** A guild as the fake serves it. */
export interface FakeGuildSpec {
  readonly id: string
  readonly name?: string
  readonly ownerId?: string
  readonly channels?: readonly FakeChannel[]
  /** Extra roles beside @everyone (id = guild id) and the bot's role. */
  readonly roles?: readonly FakeRole[]
  readonly members?: readonly FakeMember[]
  /** Permissions of the bot's own role in this guild (default BASIC_PERMS). */
  readonly botPermissions?: bigint
  readonly systemChannelId?: string | null
}

export interface FakeGuild {
  readonly id: string
  readonly name: string
  readonly ownerId: string
  readonly channels: FakeChannel[]
  readonly roles: FakeRole[]
  readonly members: FakeMember[]
  readonly systemChannelId: string | null
}

/** Everything the fake serves. */
export interface FakeWorld {
  readonly bot: { readonly id: string; readonly username: string }
  readonly applicationId: string
  readonly guilds: FakeGuild[]
  /** Users who do not accept DMs from the bot (`POST /users/@me/channels` answers 403, code 50007). */
  readonly dmClosed: Set<string>
}

/** The bot's user id. */
export const BOT_ID = '100'
/** The bot's application id. */
export const APPLICATION_ID = '101'
const JOINED = '2024-01-01T00:00:00.000Z'

/** The bot role's id in a guild. */
export const botRoleId = (guildId: string): string => `${guildId}9`
/** The managed "Server Booster" role's id in a guild (given to a member when they boost). */
export const boosterRoleId = (guildId: string): string => `${guildId}8`

/** Builds the fake world; default: guild 200 with text channel 300, owner 900. */
export function createWorld(specs: readonly FakeGuildSpec[] = [{ id: '200' }]): FakeWorld {
  const guilds = specs.map((spec): FakeGuild => {
    const ownerId = spec.ownerId ?? '900'
    const channels = [...(spec.channels ?? [{ id: spec.id === '200' ? '300' : `${spec.id}1`, name: 'general' }])]
    const roles: FakeRole[] = [
      { id: spec.id, name: '@everyone', permissions: BASIC_PERMS },
      { id: botRoleId(spec.id), name: 'waddlebot', permissions: spec.botPermissions ?? BASIC_PERMS },
      { id: boosterRoleId(spec.id), name: 'Server Booster', permissions: 0n },
      ...(spec.roles ?? []),
    ]
    const members: FakeMember[] = [
      { id: BOT_ID, username: 'waddlebot', roles: [botRoleId(spec.id)] },
      { id: ownerId, username: 'owner', roles: [] },
      ...(spec.members ?? []).filter((m) => m.id !== ownerId),
    ]
    return {
      id: spec.id,
      name: spec.name ?? `guild ${spec.id}`,
      ownerId,
      channels,
      roles,
      members,
      systemChannelId: spec.systemChannelId ?? null,
    }
  })
  return { bot: { id: BOT_ID, username: 'waddlebot' }, applicationId: APPLICATION_ID, guilds, dmClosed: new Set() }
}

/** A user object. */
export function userPayload(id: string, username: string, bot = false): Record<string, unknown> {
  return { id, username, discriminator: '0', global_name: username, avatar: null, ...(bot ? { bot: true } : {}) }
}

/** A guild member object (with its user unless `withUser` is false, as in MESSAGE_CREATE). */
export function memberPayload(m: FakeMember, withUser = true): Record<string, unknown> {
  return {
    ...(withUser ? { user: userPayload(m.id, m.username, m.id === BOT_ID) } : {}),
    roles: [...m.roles],
    joined_at: m.joinedAt ?? JOINED,
    premium_since: m.premiumSince ?? null,
    nick: m.nick ?? null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  }
}

/** A channel object of `guild`. */
export function channelPayload(guild: FakeGuild, c: FakeChannel): Record<string, unknown> {
  return {
    id: c.id,
    type: c.type ?? 0,
    name: c.name,
    guild_id: guild.id,
    position: 0,
    permission_overwrites: [],
    nsfw: false,
    parent_id: null,
  }
}

/** GUILD_CREATE's data for `guild`. */
export function guildCreatePayload(guild: FakeGuild): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    owner_id: guild.ownerId,
    unavailable: false,
    joined_at: JOINED,
    member_count: guild.members.length,
    large: false,
    features: [],
    system_channel_id: guild.systemChannelId,
    channels: guild.channels.map((c) => channelPayload(guild, c)),
    roles: guild.roles.map((r) => ({
      id: r.id,
      name: r.name,
      permissions: r.permissions.toString(),
      position: r.id === guild.id ? 0 : 1,
      color: 0,
      hoist: false,
      managed: r.id === boosterRoleId(guild.id),
      mentionable: false,
      flags: 0,
      ...(r.id === boosterRoleId(guild.id) ? { tags: { premium_subscriber: null } } : {}),
    })),
    members: guild.members.map((m) => memberPayload(m)),
    threads: [],
    emojis: [],
    stickers: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US',
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
  }
}

/** The permissions a member has in `guild` (owner and Administrator have all). */
export function memberPermissions(guild: FakeGuild, memberId: string): bigint {
  if (memberId === guild.ownerId) return (1n << 53n) - 1n
  const member = guild.members.find((m) => m.id === memberId)
  let perms = guild.roles.find((r) => r.id === guild.id)?.permissions ?? 0n
  for (const roleId of member?.roles ?? []) perms |= guild.roles.find((r) => r.id === roleId)?.permissions ?? 0n
  return perms & PERM.Administrator ? (1n << 53n) - 1n : perms
}

/** The id of the DM channel between the bot and a user, in this fake. */
export const dmChannelId = (userId: string): string => `7${userId}`

let increment = 0n

/** A fresh snowflake (Discord epoch milliseconds << 22, plus a counter). */
export function nextId(): string {
  increment = (increment + 1n) % 4096n
  return (((BigInt(Date.now()) - 1_420_070_400_000n) << 22n) + increment).toString()
}
