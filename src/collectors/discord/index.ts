/**
 * The Discord collector (`waddlebot run collector discord`, port 8003): the discord.js gateway (messages,
 * reactions, member join/leave, voice join/leave, boosts, slash commands) for the channels this process
 * claimed through coordination (`discord:<guild>:<channel>`), DMs, and `POST /discord/interactions`
 * (Ed25519). Environment: `DISCORD_BOT_TOKEN` (chat), `DISCORD_PUBLIC_KEY` (interactions endpoint),
 * `DISCORD_API_URL` (REST base, default https://discord.com/api; a fake Discord in tests). With only the
 * public key the module serves the endpoint and `/health` says chat is not connected. docs/collectors.md.
 * discord.js is loaded only when it is used (a token is set, or an interaction needs a follow-up), so
 * `waddlebot start` without Discord configured does not pay for it.
 */
import { WaddleError } from '../../runtime/errors.js'
import { secret } from '../core/collector-config.js'
import { defineCollector } from '../core/collector-module.js'
import { createDiscordAdapter, type DiscordAdapter } from './adapter.js'
import { type DiscordConfig, discordConfigSchema } from './config.js'
import { createRest, DEFAULT_DISCORD_API } from './discord-api.js'
import { interactionsRoute } from './interactions-route.js'
import { manifest } from './manifest.js'
import type { DiscordPayload } from './outbound.js'
import { runSlash } from './slash.js'
import { publicKeyFromHex } from './verify.js'
import { createDiscordWhisper } from './whisper.js'

export default defineCollector<DiscordConfig, DiscordPayload>({
  name: manifest.name,
  version: '0.1.0',
  summary: manifest.summary,
  port: manifest.port,
  config: discordConfigSchema,
  // Discord's documented per-channel message limit is 5 per 5 s; discord.js REST also keeps each route's
  // own bucket (and waits out a 429), so this budget only orders and paces what is queued.
  defaultBudget: { limit: 5, windowMs: 5000 },
  chatEnv: ['DISCORD_BOT_TOKEN'],
  webhookEnv: 'DISCORD_PUBLIC_KEY',
  createPlatform: () => undefined,
  createAdapter: (ctx, handle) =>
    createDiscordAdapter(ctx, handle, {
      token: secret(ctx, 'DISCORD_BOT_TOKEN')!,
      apiUrl: secret(ctx, 'DISCORD_API_URL'),
    }),
  whisper: ({ handle }) => {
    const gateway = (handle.adapter as DiscordAdapter | undefined)?.gateway
    return gateway?.connected() ? createDiscordWhisper(() => gateway.rest) : undefined
  },
  async routes(app, ctx, { handle }) {
    const hex = secret(ctx, 'DISCORD_PUBLIC_KEY')
    const adapter = handle.adapter as DiscordAdapter | undefined
    let fallbackRest: ReturnType<typeof createRest> | undefined
    await interactionsRoute(app, {
      publicKey: hex === undefined ? undefined : publicKeyOrThrow(hex),
      cache: ctx.cache,
      log: ctx.log,
      // Webhook edits and follow-ups need no bot token: without a gateway, a token-less REST client does them.
      rest: async () => {
        if (adapter?.gateway) return adapter.gateway.rest
        fallbackRest ??= createRest(secret(ctx, 'DISCORD_API_URL') ?? DEFAULT_DISCORD_API)
        return fallbackRest
      },
      onSlash: adapter
        ? adapter.slash
        : (facts, perms) =>
            runSlash({ router: handle.router, log: ctx.log, maxParts: ctx.config.max_parts }, facts, perms),
      ownerOf: (guildId) => adapter?.gateway?.ownerOf(guildId),
      deadlineMs: ctx.config.interaction_deadline_ms,
    })
  },
})

/** The public key, or a configuration error naming the variable (start-up stops with it). */
function publicKeyOrThrow(hex: string) {
  try {
    return publicKeyFromHex(hex)
  } catch (error) {
    throw new WaddleError(
      'WB_CONFIG_INVALID',
      { key: 'DISCORD_PUBLIC_KEY', reason: (error as Error).message, file: 'the environment (.env)' },
      { cause: error },
    )
  }
}
