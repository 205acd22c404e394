/**
 * Where every Twitch event fact enters the router, whichever way it came: EventSub webhook, EventSub over
 * WebSocket or an IRC USERNOTICE. Two cache locks (shared by every process on Redis) keep it to one event:
 * - the EventSub message id (`twitch:eventsub:<id>`): Twitch re-sends a message with the same id, and the
 *   same message may arrive both as a webhook and over a WebSocket;
 * - the fact itself (`twitch:fact:<kind>:<channel>:<user>`): a raid, sub, resub or gift arrives once in chat
 *   (USERNOTICE) and once more over EventSub with a different id; whichever comes first is forwarded.
 */
import type { InboundEvent } from '../../contract/events.js'
import type { Lock } from '../../runtime/cache/index.js'
import type { SetupContext } from '../../runtime/module.js'
import type { CollectorHandle } from '../core/collector-handle.js'
import { eventSubToEvent } from './eventsub-map.js'

/** How long a message id is remembered (Twitch's replay window). */
export const MESSAGE_ID_TTL_MS = 10 * 60_000
/** How long a fact is remembered: chat and EventSub deliver the same raid seconds apart. */
export const FACT_TTL_MS = 5 * 60_000

/** The dedup key of the facts chat and EventSub both deliver; undefined for the others. */
export function factKey(event: InboundEvent): string | undefined {
  const channel = event.channel_id
  switch (event.message_type) {
    case 'raid':
    case 'subscription':
    case 'resub':
      return `${event.message_type}:${channel}:${event.user_id}`
    case 'subgift':
      return `subgift:${channel}:${event.user_id}:${String(event.metadata?.['total'] ?? '')}`
    default:
      return undefined
  }
}

export type IntakeResult = 'forwarded' | 'duplicate' | 'already heard' | 'unmapped'

/**
 * Forwards `event` unless its fact was already forwarded; on a failure the locks are freed (so a retry
 * is processed) and the error is thrown.
 */
export async function forwardFact(
  ctx: SetupContext<unknown>,
  handle: CollectorHandle<unknown>,
  event: InboundEvent,
  held: Lock[] = [],
): Promise<IntakeResult> {
  const key = factKey(event)
  const fact = key ? await ctx.cache.tryLock(`twitch:fact:${key}`, FACT_TTL_MS) : undefined
  if (key && !fact) {
    ctx.log.info(
      { fact: key, message_id: event.message_id },
      'Twitch event already heard another way; not forwarded again',
    )
    return 'already heard'
  }
  const locks = fact ? [...held, fact] : held
  try {
    await handle.forward(event)
  } catch (error) {
    await Promise.allSettled(locks.map((l) => l.release()))
    throw error
  }
  if (event.message_type === 'stream_online' || event.message_type === 'stream_offline') {
    await handle.reportLive(event.entity_id!, event.message_type === 'stream_online')
  }
  return 'forwarded'
}

/** One EventSub notification (webhook or WebSocket): dedup by message id, map, forward. */
export async function intakeNotification(
  ctx: SetupContext<unknown>,
  handle: CollectorHandle<unknown>,
  n: {
    messageId: string
    subscriptionType: string
    event: Readonly<Record<string, unknown>>
    via: 'webhook' | 'websocket'
  },
): Promise<IntakeResult> {
  const lock = await ctx.cache.tryLock(`twitch:eventsub:${n.messageId}`, MESSAGE_ID_TTL_MS)
  if (!lock) {
    ctx.log.info({ id: n.messageId, via: n.via }, 'EventSub duplicate ignored')
    return 'duplicate'
  }
  const event = eventSubToEvent(n.subscriptionType, n.event, n.messageId)
  if (!event) {
    ctx.log.info({ type: n.subscriptionType }, 'EventSub notification of an unmapped type ignored')
    return 'unmapped'
  }
  return forwardFact(ctx, handle, { ...event, metadata: { ...event.metadata, via: n.via } }, [lock])
}
