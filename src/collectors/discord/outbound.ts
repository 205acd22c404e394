/**
 * What the Discord collector puts on its outbound queue and how each item is sent. Messages are
 * `POST /channels/<channel>/messages` through discord.js REST (which keeps Discord's per-route rate-limit
 * buckets and retries after a 429); moderation runs moderation.ts, and a refusal is posted back to the
 * channel (and logged) so the moderators see that the bot lacked the right.
 */
import type { REST } from 'discord.js'
import type { InboundEvent } from '../../contract/events.js'
import type { Response } from '../../contract/responses.js'
import type { Logger } from '../../runtime/logger.js'
import type { OutboundItem, OutboundPriority } from '../core/types.js'
import { route } from './discord-api.js'
import { type MessageBody, messageBody } from './interactions.js'
import { type ModerationTarget, moderate } from './moderation.js'
import { DM_SERVER } from './normalize.js'
import { type DiscordModeration, renderDiscord } from './render.js'

/** One outbound queue item's payload: a message to a channel, or a moderation action. */
export type DiscordPayload =
  | { readonly kind: 'message'; readonly channelId: string; readonly body: MessageBody }
  | {
      readonly kind: 'moderation'
      readonly action: DiscordModeration['action']
      readonly reason: string
      readonly duration?: number
      readonly target: ModerationTarget
      /** The bot's permissions as an interaction reported them (`app_permissions`); else read from the gateway. */
      readonly appPermissions?: bigint | null
    }

/** `discord:<guild>:<channel>` → its parts (`@me` ⇒ a DM, guild null); undefined when not a Discord entity. */
export function parseEntity(entityId: string): { guildId: string | null; channelId: string } | undefined {
  const m = /^discord:([^:]+):([^:]+)$/.exec(entityId)
  if (!m) return undefined
  return { guildId: m[1] === DM_SERVER ? null : m[1]!, channelId: m[2]! }
}

/** The moderation target an event implies: its author, and its message when it was one. */
export function targetOf(origin: InboundEvent, guildId: string | null, channelId: string): ModerationTarget {
  const isMessage = origin.message_type === 'chatMessage' && origin.message_id !== undefined
  return { guildId, channelId, userId: origin.user_id, ...(isMessage ? { messageId: origin.message_id } : {}) }
}

/**
 * Router responses for `entityId` → queue items. Moderation without an origin (an async reply that does
 * not say whom it is about) is logged and skipped.
 */
export function renderItems(
  entityId: string,
  responses: readonly Response[],
  origin: InboundEvent | undefined,
  priority: OutboundPriority,
  options: { maxParts: number; log: Logger; appPermissions?: bigint | null },
): OutboundItem<DiscordPayload>[] {
  const place = parseEntity(entityId)
  if (!place) return []
  const items: OutboundItem<DiscordPayload>[] = []
  for (const out of renderDiscord(responses, { maxParts: options.maxParts })) {
    if (out.kind === 'message') {
      items.push({
        channel: place.channelId,
        priority,
        payload: { kind: 'message', channelId: place.channelId, body: messageBody(out) },
      })
    } else if (!origin) {
      options.log.warn(
        { entity: entityId, action: out.action },
        'moderation response without the event it is about: skipped',
      )
    } else {
      items.push({
        channel: place.channelId,
        priority: 'moderation',
        payload: {
          kind: 'moderation',
          action: out.action,
          reason: out.reason,
          target: targetOf(origin, place.guildId, place.channelId),
          ...(out.duration !== undefined ? { duration: out.duration } : {}),
          ...(options.appPermissions !== undefined ? { appPermissions: options.appPermissions } : {}),
        },
      })
    }
  }
  return items
}

/** What sendItem needs from the gateway. */
export interface SendDeps {
  readonly rest: REST
  readonly log: Logger
  /** The bot's permissions in a channel from the gateway cache (null when unknown). */
  readonly botPermissions: (guildId: string, channelId: string) => bigint | null
}

/** Sends one queue item. Rejects when Discord refuses a message (the queue counts it as `send_failed`). */
export async function sendItem(deps: SendDeps, item: OutboundItem<DiscordPayload>): Promise<void> {
  const p = item.payload
  if (p.kind === 'message') {
    await deps.rest.post(route.channelMessages(p.channelId), { body: p.body })
    return
  }
  const { guildId, channelId } = p.target
  const perms = p.appPermissions ?? (guildId ? deps.botPermissions(guildId, channelId) : null)
  const outcome = await moderate(deps.rest, p.action, p.reason, p.target, perms, p.duration)
  if (outcome.done)
    deps.log.info(
      { action: p.action, guild: guildId, channel: channelId, user: p.target.userId },
      'discord moderation done',
    )
  else
    deps.log.warn(
      { action: p.action, guild: guildId, channel: channelId, user: p.target.userId, why: outcome.message },
      'discord moderation not done',
    )
  if (outcome.message) {
    await deps.rest.post(route.channelMessages(channelId), {
      body: messageBody({ kind: 'message', content: outcome.message }),
    })
  }
}
