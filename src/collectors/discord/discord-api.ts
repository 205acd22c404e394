/**
 * The few Discord API constants and REST routes this collector uses, written out so that the modules
 * which do not talk to the gateway (rendering, the interactions endpoint, moderation) load without
 * discord.js: `waddlebot start` without Discord configured never pays for loading it. A test checks they
 * equal discord.js's `PermissionFlagsBits` and `Routes`.
 */

/** Permission bits (Discord API). */
export const PERMISSION = {
  BanMembers: 1n << 2n,
  Administrator: 1n << 3n,
  ManageMessages: 1n << 13n,
  ModerateMembers: 1n << 40n,
} as const

/** REST routes, relative to `<api>/v10` (as discord.js `Routes` builds them). */
export const route = {
  channelMessages: (channel: string) => `/channels/${channel}/messages` as const,
  channelMessage: (channel: string, message: string) => `/channels/${channel}/messages/${message}` as const,
  guildMember: (guild: string, user: string) => `/guilds/${guild}/members/${user}` as const,
  guildBan: (guild: string, user: string) => `/guilds/${guild}/bans/${user}` as const,
  interactionCallback: (id: string, token: string) => `/interactions/${id}/${token}/callback` as const,
  webhook: (app: string, token: string) => `/webhooks/${app}/${token}` as const,
  webhookOriginal: (app: string, token: string) => `/webhooks/${app}/${token}/messages/%40original` as const,
}

/** discord.js's own default REST base; paths become `<api>/v10/...`. */
export const DEFAULT_DISCORD_API = 'https://discord.com/api'

/** Loads discord.js's REST client only when it is needed (see the file comment). */
export async function createRest(api: string, token?: string): Promise<import('discord.js').REST> {
  const { REST } = await import('discord.js')
  const rest = new REST({ api })
  return token ? rest.setToken(token) : rest
}
