/**
 * What the bot must be granted, in one place: the permissions the collector uses (read and answer in
 * channels and threads, embeds, replies, and the moderation it carries out) and the gateway intents it
 * connects with (gateway.ts). `waddlebot auth discord` prints the invite URL from these; a test checks the
 * bits against discord.js.
 */

/** Permission bits the collector uses, by discord.js's `PermissionFlagsBits` name. */
export const BOT_PERMISSIONS = {
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  SendMessagesInThreads: 1n << 38n,
  EmbedLinks: 1n << 14n,
  ReadMessageHistory: 1n << 16n,
  ManageMessages: 1n << 13n,
  ModerateMembers: 1n << 40n,
  BanMembers: 1n << 2n,
} as const

/** The sum of BOT_PERMISSIONS (the invite URL's `permissions`). */
export const BOT_PERMISSION_BITS = Object.values(BOT_PERMISSIONS).reduce((a, b) => a | b, 0n)

/** Gateway intents of the collector, by name (the same list as gateway.ts's INTENTS). */
export const BOT_INTENTS = [
  'Guilds',
  'GuildMessages',
  'MessageContent',
  'GuildMembers',
  'GuildVoiceStates',
  'GuildMessageReactions',
  'DirectMessages',
] as const

/** Privileged intents among them, with the application flags that say they are switched on (full or limited). */
export const PRIVILEGED_INTENTS = [
  { intent: 'MessageContent', portal: 'Message Content Intent', flags: (1 << 18) | (1 << 19) },
  { intent: 'GuildMembers', portal: 'Server Members Intent', flags: (1 << 14) | (1 << 15) },
] as const

/** The OAuth2 URL that adds the bot to a server, with the commands scope and exactly BOT_PERMISSIONS. */
export function inviteUrl(applicationId: string, site = 'https://discord.com'): string {
  const q = new URLSearchParams({
    client_id: applicationId,
    scope: 'bot applications.commands',
    permissions: BOT_PERMISSION_BITS.toString(),
  })
  return `${site.replace(/\/+$/, '')}/oauth2/authorize?${q.toString()}`
}

/** The privileged intents the application has not switched on yet (from `GET /applications/@me` flags). */
export function missingIntents(applicationFlags: number): (typeof PRIVILEGED_INTENTS)[number][] {
  return PRIVILEGED_INTENTS.filter((p) => (applicationFlags & p.flags) === 0)
}
