/**
 * The discord.js client of the collector: gateway intents Guilds, GuildMessages, MessageContent,
 * GuildMembers, GuildVoiceStates, GuildMessageReactions and DirectMessages; REST at `DISCORD_API_URL`
 * (the gateway URL comes from `GET /gateway/bot`, so a fake Discord needs no other setting). It turns
 * gateway events into router events (gateway-events.ts decides which this process handles), registers
 * the `/waddlebot` and `/command` slash commands once ready, and exposes the REST client and the bot's
 * permissions for replies and moderation.
 */
import { Client, Events, GatewayIntentBits, type Guild, Partials, type REST } from 'discord.js'
import type { Logger } from '../../runtime/logger.js'
import { DEFAULT_DISCORD_API } from './discord-api.js'
import { attachGatewayEvents, type GatewayHandlers } from './gateway-events.js'

/** The gateway intents (MessageContent and GuildMembers are privileged: enable them in the Developer Portal). */
export const INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.GuildMembers,
  GatewayIntentBits.GuildVoiceStates,
  GatewayIntentBits.GuildMessageReactions,
  GatewayIntentBits.DirectMessages,
] as const

/** The slash commands registered at start (a bulk overwrite, so it is idempotent). */
export const SLASH_COMMANDS = [
  {
    name: 'waddlebot',
    description: 'Talk to waddlebot: /waddlebot ping runs !ping',
    options: [
      { type: 3, name: 'text', description: 'A command such as ping, !help or #weather Paris', required: false },
    ],
  },
  {
    name: 'command',
    description: 'Run a waddlebot command by name',
    options: [
      { type: 3, name: 'name', description: 'Command name (ping, !help, #weather)', required: true },
      { type: 3, name: 'args', description: 'Arguments', required: false },
    ],
  },
]

/** How the gateway client is built. */
export interface DiscordGatewayOptions {
  /** DISCORD_API_URL (REST base, default discord.com). */
  readonly apiUrl?: string | undefined
  readonly log: Logger
  /** Register the slash commands when ready (default true). */
  readonly registerCommands?: boolean
  readonly handlers: GatewayHandlers
  /** REST request timeout (default 15 s). */
  readonly restTimeoutMs?: number
}

/** The connected (or connecting) discord.js client and what the collector reads from it. */
export interface DiscordGateway {
  readonly client: Client
  /** The client's REST (per-route rate-limit buckets are handled by discord.js). Usable without login for webhooks. */
  readonly rest: REST
  /** Logs in with `token` and resolves once every guild of READY is available; on failure the client is destroyed. */
  connect(token: string, timeoutMs?: number): Promise<void>
  connected(): boolean
  /** What the bot may do in a channel (null when the guild is not cached). */
  botPermissions(guildId: string, channelId: string): bigint | null
  ownerOf(guildId: string): string | undefined
  guild(guildId: string): Guild | undefined
  destroy(): Promise<void>
}

/** Creates the discord.js client with its event handlers (not connected: call `connect`). */
export function createDiscordGateway(options: DiscordGatewayOptions): DiscordGateway {
  const client = new Client({
    intents: [...INTENTS],
    partials: [Partials.Channel, Partials.Message, Partials.Reaction, Partials.User, Partials.GuildMember],
    rest: { api: options.apiUrl ?? DEFAULT_DISCORD_API, timeout: options.restTimeoutMs ?? 15_000 },
    // Never ping @everyone or roles from text the router produced; users may be mentioned.
    allowedMentions: { parse: ['users'], repliedUser: true },
  })
  let ready = false
  attachGatewayEvents(client, options.handlers, options.log)
  client.on(Events.ClientReady, async (c) => {
    ready = true
    options.log.info({ user: c.user.tag, guilds: c.guilds.cache.size }, 'discord gateway ready')
    if (options.registerCommands === false) return
    try {
      await c.application.commands.set(SLASH_COMMANDS)
    } catch (error) {
      options.log.warn({ err: error }, 'could not register the discord slash commands')
    }
  })
  client.on(Events.ShardDisconnect, () => {
    ready = false
  })
  client.on(Events.ShardResume, () => {
    ready = true
  })
  client.on(Events.ShardReady, () => {
    ready = true
  })
  client.on(Events.Error, (error) => options.log.error({ err: error }, 'discord client error'))
  client.on(Events.Warn, (message) => options.log.warn({ detail: message }, 'discord client warning'))

  return {
    client,
    rest: client.rest,
    async connect(token, timeoutMs = 30_000) {
      let timer: NodeJS.Timeout | undefined
      const isReady = new Promise<void>((resolve, reject) => {
        client.once(Events.ClientReady, () => resolve())
        timer = setTimeout(() => reject(new Error(`discord gateway not ready within ${timeoutMs} ms`)), timeoutMs)
      })
      try {
        await client.login(token)
        await isReady
      } catch (error) {
        await client.destroy() // a consistent "not connected" rather than a client still retrying in the background
        throw error
      } finally {
        clearTimeout(timer)
      }
    },
    connected: () => ready && client.isReady(),
    botPermissions(guildId, channelId) {
      const guild = client.guilds.cache.get(guildId)
      const me = guild?.members.me
      if (!guild || !me) return null
      const channel = guild.channels.cache.get(channelId)
      return (channel ? me.permissionsIn(channel) : me.permissions).bitfield
    },
    ownerOf: (guildId) => client.guilds.cache.get(guildId)?.ownerId,
    guild: (guildId) => client.guilds.cache.get(guildId),
    async destroy() {
      ready = false
      await client.destroy()
    },
  }
}
