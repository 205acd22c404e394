/**
 * Runs one slash command (from the gateway or the HTTP endpoint) through the router and answers the
 * interaction: the chat, form and media responses become the interaction's reply (answerInteraction);
 * moderation goes to the outbound queue like any other moderation (or, without a bot token, is reported
 * in the reply because nothing can carry it out).
 */
import type { REST } from 'discord.js'
import type { Response } from '../../contract/responses.js'
import type { Logger } from '../../runtime/logger.js'
import type { OutboundItem, RouterClient } from '../core/types.js'
import { route } from './discord-api.js'
import type { InteractionAnswer } from './interactions.js'
import { type SlashFacts, discordEntity, slashEvent } from './normalize.js'
import { type DiscordPayload, renderItems } from './outbound.js'
import { type DiscordMessage, renderDiscord } from './render.js'

/** What runSlash needs. */
export interface SlashDeps {
  readonly router: RouterClient
  readonly log: Logger
  readonly maxParts: number
  /** Queues moderation (present while chat is connected). */
  readonly enqueue?: ((item: OutboundItem<DiscordPayload>) => void) | undefined
}

/** Sends the slash command to the router; resolves with the messages of the interaction reply. */
export async function runSlash(
  deps: SlashDeps,
  facts: SlashFacts,
  appPermissions: bigint | null,
): Promise<DiscordMessage[]> {
  const event = slashEvent(facts)
  const result = await deps.router.send(event)
  const moderation = result.responses.filter(
    (r): r is Extract<Response, { type: 'moderation' }> => r.type === 'moderation',
  )
  const messages = renderDiscord(
    result.responses.filter((r) => r.type !== 'moderation'),
    { maxParts: deps.maxParts },
  ).filter((o): o is DiscordMessage => o.kind === 'message')
  if (moderation.length === 0) return messages
  if (deps.enqueue) {
    const entity = discordEntity(facts.guildId, facts.channelId)
    for (const item of renderItems(entity, moderation, event, 'moderation', {
      maxParts: deps.maxParts,
      log: deps.log,
      appPermissions,
    }))
      deps.enqueue(item)
    return messages
  }
  deps.log.warn(
    { interaction: facts.interactionId, actions: moderation.map((m) => m.action) },
    'discord moderation not done: chat is not connected',
  )
  return [
    ...messages,
    ...moderation.map(
      (m): DiscordMessage => ({
        kind: 'message',
        content: `I could not ${m.action}: I am not connected to Discord chat.`,
        ephemeral: true,
      }),
    ),
  ]
}

/** Answers a gateway interaction through REST (the same calls Discord expects from an HTTP endpoint). */
export function gatewayAnswer(
  rest: REST,
  interaction: { id: string; token: string; applicationId: string },
): InteractionAnswer {
  const callback = route.interactionCallback(interaction.id, interaction.token)
  return {
    reply: async (body) => {
      await rest.post(callback, { body: { type: 4, data: body }, auth: false })
    },
    defer: async () => {
      await rest.post(callback, { body: { type: 5 }, auth: false })
    },
    editOriginal: async (body) => {
      await rest.patch(route.webhookOriginal(interaction.applicationId, interaction.token), { body, auth: false })
    },
    followUp: async (body) => {
      await rest.post(route.webhook(interaction.applicationId, interaction.token), { body, auth: false })
    },
  }
}
