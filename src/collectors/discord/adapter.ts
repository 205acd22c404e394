/**
 * The Discord platform adapter for the collector core (collector-handle.ts): the discord.js gateway,
 * which events this process handles (its coordination claims; DMs and guild-wide events once across
 * processes), how responses are rendered and sent, and slash commands over the gateway.
 *
 * Direct messages are not coordination entities, so the process that took a DM sends its reply itself,
 * and async module replies to a DM entity (`discord:@me:<channel>`) are taken once across processes.
 */
import { createHash } from 'node:crypto'
import type { SetupContext } from '../../runtime/module.js'
import type { CollectorAdapter, CollectorHandle } from '../core/collector-handle.js'
import type { DiscordConfig } from './config.js'
import type { DiscordGateway } from './gateway.js'
import type { GatewayHandlers } from './gateway-events.js'
import { answerInteraction, type InteractionAnswer } from './interactions.js'
import { DM_SERVER, discordEntity, type SlashFacts } from './normalize.js'
import { BROADCAST_TTL_MS } from './once.js'
import { type DiscordPayload, renderItems, sendItem } from './outbound.js'
import type { DiscordMessage } from './render.js'
import { gatewayAnswer, runSlash } from './slash.js'

/** The collector adapter plus what the interactions endpoint needs from it. */
export interface DiscordAdapter extends CollectorAdapter<DiscordPayload> {
  /** The gateway, once `start()` has created it. */
  readonly gateway: DiscordGateway | undefined
  /** Runs a slash command through the router (both paths); moderation is queued. */
  slash(facts: SlashFacts, appPermissions: bigint | null): Promise<DiscordMessage[]>
}

/** Secrets and the REST base, read from the environment by index.ts. */
export interface DiscordAdapterOptions {
  readonly token: string
  readonly apiUrl?: string | undefined
}

/** The adapter; discord.js is loaded when it starts (index.ts creates it only when a token is set). */
export function createDiscordAdapter(
  ctx: SetupContext<DiscordConfig>,
  handle: CollectorHandle<DiscordPayload>,
  options: DiscordAdapterOptions,
): DiscordAdapter {
  const log = ctx.log
  const cfg = ctx.config
  const dmPrefix = `discord:${DM_SERVER}:`
  let unsubscribe: (() => Promise<void>) | undefined
  let gateway: DiscordGateway | undefined

  const slash = (facts: SlashFacts, appPermissions: bigint | null) =>
    runSlash(
      { router: handle.router, log, maxParts: cfg.max_parts, enqueue: (item) => handle.queue.enqueue(item) },
      facts,
      appPermissions,
    )

  const handlers: GatewayHandlers = {
    serves: (guildId, channelId) => handle.coordination.isHeld(discordEntity(guildId, channelId)),
    servedChannels: (guildId) =>
      handle.coordination
        .held()
        .filter((e) => e.entity_id.startsWith(`discord:${guildId}:`))
        .map((e) => e.channel_id ?? e.entity_id.split(':')[2]!)
        .sort(),
    once: async (key, ttlMs) => (await ctx.cache.tryLock(key, ttlMs)) !== undefined,
    async event(event, origin) {
      try {
        if (origin.guildId !== null) {
          await handle.forward(event)
          return
        }
        const result = await handle.router.send(event)
        for (const item of adapter.render(discordEntity(null, origin.channelId), result.responses, event, 'reply'))
          handle.queue.enqueue(item)
      } catch (error) {
        log.warn(
          { err: error, entity: event.entity_id, type: event.message_type },
          'discord event not delivered to the router',
        )
      }
    },
    async slash(interaction, facts) {
      const answer: InteractionAnswer = gatewayAnswer(interaction.client.rest, {
        id: interaction.id,
        token: interaction.token,
        applicationId: interaction.applicationId,
      })
      await answerInteraction(
        answer,
        slash(facts, interaction.appPermissions?.bitfield ?? null),
        cfg.interaction_deadline_ms,
      )
    },
  }

  const connectedGateway = (): DiscordGateway => {
    if (!gateway) throw new Error('the discord gateway is not started')
    return gateway
  }

  const adapter: DiscordAdapter = {
    get gateway() {
      return gateway
    },
    slash,
    async start() {
      const { createDiscordGateway } = await import('./gateway.js')
      gateway = createDiscordGateway({ apiUrl: options.apiUrl, log, registerCommands: cfg.register_commands, handlers })
      unsubscribe = await handle.router.onAsyncResponses((entityId, responses, origin) => {
        if (!entityId.startsWith(dmPrefix)) return // guild entities: the core delivers them to the holder
        const digest = createHash('sha256')
          .update(JSON.stringify([entityId, responses]))
          .digest('hex')
          .slice(0, 32)
        void ctx.cache.tryLock(`discord:once:async:${digest}`, BROADCAST_TTL_MS).then((lock) => {
          if (lock) for (const item of adapter.render(entityId, responses, origin, 'reply')) handle.queue.enqueue(item)
        })
      })
      await gateway.connect(options.token, cfg.connect_timeout_ms)
    },
    async stop() {
      await unsubscribe?.()
      await gateway?.destroy()
    },
    connected: () => gateway?.connected() ?? false,
    join(entity) {
      const guildId = entity.server_id ?? entity.entity_id.split(':')[1]!
      if (gateway?.connected() && !gateway.guild(guildId))
        log.warn({ entity: entity.entity_id }, 'claimed a discord channel of a guild the bot is not in')
      else log.info({ entity: entity.entity_id }, 'serving discord channel')
    },
    leave(entityId) {
      log.info({ entity: entityId }, 'no longer serving discord channel')
    },
    render: (entityId, responses, origin, priority) =>
      renderItems(entityId, responses, origin, priority, { maxParts: cfg.max_parts, log }),
    send: (item) => {
      const g = connectedGateway()
      return sendItem({ rest: g.rest, log, botPermissions: g.botPermissions }, item)
    },
  }
  return adapter
}
