/**
 * The collector contract shared by the Twitch, Discord and Slack collectors: how a collector talks to the
 * router (events in, responses out), to coordination (which channels it serves), and to its platform
 * (an outbound queue with rate budgets and priorities). Implementations live beside this file.
 */
import type { InboundEvent } from '../../contract/events.js'
import type { Response } from '../../contract/responses.js'
import type { ClaimedEntity } from '../../contract/coordination.js'
import type { EventResult } from '../../contract/router.js'

/** Sends normalized events to the router (`POST /api/v1/events`, or `/batch` when several are gathered) with the collector's key. */
export interface RouterClient {
  /** Requests sent and events in them, when events are batched. */
  readonly batches?: { readonly requests: number; readonly events: number }
  send(event: InboundEvent): Promise<EventResult>
  /**
   * Async module replies published by the router (`responses` channel): entity id + responses. `origin` is
   * set when a collector relayed the reply to the holder of the entity (see collector-module.ts `deliver`).
   */
  onAsyncResponses(
    handler: (entityId: string, responses: Response[], origin?: InboundEvent) => void,
  ): Promise<() => Promise<void>>
}

export type { ClaimedEntity } from '../../contract/coordination.js'

/**
 * Keeps this collector process's claims: claims up to `maxClaims` entities at start, checks in on an
 * interval, reports live/offline and activity, releases offline entities and claims others, and releases
 * everything on stop. Emits the set changes so the platform client joins/leaves channels accordingly.
 */
export interface CoordinationClient {
  readonly containerId: string
  start(): Promise<void>
  stop(): Promise<void>
  /** The entities held right now. */
  held(): readonly ClaimedEntity[]
  onChange(handler: (change: { added: ClaimedEntity[]; removed: string[] }) => void): () => void
  reportStatus(
    entityId: string,
    status: { is_live?: boolean; viewer_count?: number; has_activity?: boolean },
  ): Promise<void>
  reportError(entityId: string, message: string): Promise<void>
}

/** Outbound priorities, highest first: moderation > replies > timers and announcements. */
export type OutboundPriority = 'moderation' | 'reply' | 'announcement'

export interface OutboundItem<TPayload = unknown> {
  readonly channel: string
  readonly priority: OutboundPriority
  readonly payload: TPayload
}

/**
 * A bounded per-platform queue that paces sends to each channel within its rate budget (a sliding window:
 * `limit` sends per `windowMs` per channel) and sends higher priorities first; when full, the lowest
 * priority, oldest item is dropped first (counted in metrics with the reason).
 */
export interface OutboundQueue<TPayload = unknown> {
  enqueue(item: OutboundItem<TPayload>): { accepted: boolean; dropped?: OutboundItem<TPayload> }
  /** Changes a channel's budget (e.g. Twitch: 100 / 30 s once the bot is a moderator). */
  setBudget(channel: string, budget: { limit: number; windowMs: number }): void
  depth(): number
  /** Resolves when everything queued has been sent (or `timeoutMs` passed). */
  drain(timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

/** Renders router responses for one platform. */
export interface ResponseRenderer<TMessage> {
  /** Chat split at the platform limit (never inside a word or a multi-byte character), capped per reply. */
  render(responses: readonly Response[]): TMessage[]
}
