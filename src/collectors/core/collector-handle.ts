/**
 * The running state of one collector in one process: router client, coordination client, outbound queue
 * and the platform adapter, wired together. Built by `defineCollector` (collector-module.ts) at setup.
 */
import { entityIdOf, type InboundEvent, type Platform } from '../../contract/events.js'
import type { Response } from '../../contract/responses.js'
import type { EventResult } from '../../contract/router.js'
import { releaseClaimsInDatabase } from '../../modules/router/public.js'
import type { SetupContext } from '../../runtime/module.js'
import { type CollectorConfig, routerTarget } from './collector-config.js'
import { type CoordinationClientControl, createCoordinationClient } from './coordination-client.js'
import { type Budget, createOutboundQueue } from './outbound-queue.js'
import { createRouterClient, RESPONSES_CHANNEL } from './router-client.js'
import type { ClaimedEntity, OutboundItem, OutboundPriority, OutboundQueue, RouterClient } from './types.js'

/** What a platform provides to the collector core. */
export interface CollectorAdapter<TPayload> {
  /** Connects to the platform's chat; resolves once connected (the adapter reconnects on its own). */
  start(): Promise<void>
  stop(): Promise<void>
  connected(): boolean
  /** Starts / stops serving an entity this process claimed / lost. */
  join(entity: ClaimedEntity): Promise<void> | void
  leave(entityId: string): Promise<void> | void
  /** Turns router responses for `entityId` into outbound items (`origin`: the event they answer). */
  render(
    entityId: string,
    responses: readonly Response[],
    origin: InboundEvent | undefined,
    priority: OutboundPriority,
  ): OutboundItem<TPayload>[]
  /** Sends one item (called by the outbound queue within the channel's budget). */
  send(item: OutboundItem<TPayload>): Promise<void>
}

/** What `/health` and `GET /<platform>/status` say about a collector. */
export interface CollectorStatus {
  readonly platform: string
  readonly chat: 'connected' | 'connecting' | 'not connected'
  readonly reason?: string
  readonly webhook: 'ready' | 'not configured' | 'none'
  readonly container_id: string
  readonly claims: readonly string[]
  readonly queue_depth: number
}

/** The handle a platform module gets: forward events, deliver responses, report stream state. */
export interface CollectorHandle<TPayload> {
  readonly platform: Platform
  readonly router: RouterClient
  readonly coordination: CoordinationClientControl
  readonly queue: OutboundQueue<TPayload> & { budgetOf(channel: string): Budget }
  /** The adapter, when the platform token is set. */
  readonly adapter: CollectorAdapter<TPayload> | undefined
  /** Sends an event to the router and delivers its responses; throws WB_ROUTER_* when refused/unreachable. */
  forward(event: InboundEvent): Promise<EventResult>
  /** Delivers responses for an entity: queued here when this process holds it, else relayed to the holder. */
  deliver(entityId: string, responses: readonly Response[], origin?: InboundEvent): Promise<void>
  /** Live / offline of an entity, reported to coordination by whichever process holds it. */
  reportLive(entityId: string, isLive: boolean): Promise<void>
  status(): CollectorStatus
  close(): Promise<void>
}

export interface HandleOptions<TPayload> {
  readonly platform: Platform
  readonly ctx: SetupContext<CollectorConfig>
  readonly defaultBudget: Budget
  /** Why chat is off (token missing); undefined when the adapter should be created. */
  readonly chatDisabledReason: string | undefined
  readonly webhook: 'ready' | 'not configured' | 'none'
  readonly createAdapter: (handle: CollectorHandle<TPayload>) => CollectorAdapter<TPayload>
}

/** Activity is reported at most this often per entity. */
const ACTIVITY_EVERY_MS = 60_000

/** Builds the handle and starts it in the background (chat connect, then claims). */
export async function createCollectorHandle<TPayload>(o: HandleOptions<TPayload>): Promise<CollectorHandle<TPayload>> {
  const { ctx, platform } = o
  const cfg = ctx.config
  const target = routerTarget(ctx)
  const log = ctx.log
  const router = createRouterClient({
    url: target.url,
    key: target.key,
    cache: ctx.cache,
    lingerMs: cfg.batch_linger_ms,
  })
  const coordination = createCoordinationClient({
    routerUrl: target.url,
    key: target.key,
    platform,
    maxClaims: cfg.max_claims,
    claimIntervalMs: cfg.claim_interval_ms,
    checkinIntervalMs: cfg.checkin_interval_ms,
    rotateOffline: cfg.rotate_offline,
    log,
    // Same database as the router: at stop, when the router's server is already closed (one process hosting
    // both), the claims are released there rather than left to expire.
    releaseFallback: (id) => releaseClaimsInDatabase(ctx.storage, ctx.settings, id),
    ...(cfg.container_id ? { containerId: cfg.container_id } : {}),
  })
  let adapter: CollectorAdapter<TPayload> | undefined
  const queue = createOutboundQueue<TPayload>({
    platform,
    defaultBudget: o.defaultBudget,
    maxSize: cfg.queue_size,
    maxAgeMs: cfg.max_queue_age_ms,
    send: (item) => (adapter ? adapter.send(item) : Promise.reject(new Error('chat is not connected'))),
    onDrop: (item, reason, err) =>
      log.warn({ channel: item.channel, priority: item.priority, reason, err }, 'outbound message dropped'),
  })
  const lastActivity = new Map<string, number>()
  const statusChannel = `collector:${platform}:status`
  let connecting = false
  let closed = false

  const enqueue = (entityId: string, responses: readonly Response[], origin: InboundEvent | undefined) => {
    if (!adapter) return
    const priority: OutboundPriority =
      origin === undefined || origin.message_type === 'chatMessage' || origin.message_type === 'slashCommand'
        ? 'reply'
        : 'announcement'
    for (const item of adapter.render(entityId, responses, origin, priority)) queue.enqueue(item)
  }

  const handle: CollectorHandle<TPayload> = {
    platform,
    router,
    coordination,
    queue,
    get adapter() {
      return adapter
    },

    async forward(event) {
      const result = await router.send(event)
      const entityId = entityIdOf(event)
      if (result.responses.length > 0) await handle.deliver(entityId, result.responses, event)
      if (event.message_type === 'chatMessage' && coordination.isHeld(entityId)) {
        const t = Date.now()
        if (t - (lastActivity.get(entityId) ?? 0) >= ACTIVITY_EVERY_MS) {
          lastActivity.set(entityId, t)
          void coordination.reportStatus(entityId, { has_activity: true })
        }
      }
      return result
    },

    async deliver(entityId, responses, origin) {
      if (adapter && coordination.isHeld(entityId)) return enqueue(entityId, responses, origin)
      await ctx.cache.publish(RESPONSES_CHANNEL, { entity_id: entityId, responses, ...(origin ? { origin } : {}) })
    },

    async reportLive(entityId, isLive) {
      if (coordination.isHeld(entityId)) await coordination.reportStatus(entityId, { is_live: isLive })
      else await ctx.cache.publish(statusChannel, { entity_id: entityId, is_live: isLive })
    },

    status() {
      const chat = adapter?.connected() ? 'connected' : adapter && connecting ? 'connecting' : 'not connected'
      return {
        platform,
        chat,
        ...(o.chatDisabledReason ? { reason: o.chatDisabledReason } : {}),
        webhook: o.webhook,
        container_id: coordination.containerId,
        claims: coordination.held().map((e) => e.entity_id),
        queue_depth: queue.depth(),
      }
    },

    async close() {
      if (closed) return
      closed = true
      await Promise.allSettled(unsubscribes.map((u) => u()))
      await queue.drain(2000)
      await adapter?.stop().catch((err: unknown) => log.warn({ err }, 'chat disconnect failed'))
      await coordination.stop()
      await queue.close()
    },
  }

  const unsubscribes = [
    await router.onAsyncResponses((entityId, responses, origin) => {
      if (entityId.startsWith(`${platform}:`) && coordination.isHeld(entityId)) enqueue(entityId, responses, origin)
    }),
    await ctx.cache.subscribe(statusChannel, (message) => {
      const m = message as { entity_id?: unknown; is_live?: unknown }
      if (typeof m.entity_id === 'string' && typeof m.is_live === 'boolean' && coordination.isHeld(m.entity_id)) {
        void coordination.reportStatus(m.entity_id, { is_live: m.is_live })
      }
    }),
  ]

  if (o.chatDisabledReason === undefined) {
    const chat = o.createAdapter(handle)
    adapter = chat
    coordination.onChange(({ added, removed }) => {
      for (const id of removed)
        void Promise.resolve(chat.leave(id)).catch((err: unknown) => log.warn({ err, entity: id }, 'leave failed'))
      for (const e of added)
        void Promise.resolve(chat.join(e)).catch((err: unknown) =>
          log.warn({ err, entity: e.entity_id }, 'join failed'),
        )
    })
    connecting = true
    void chat
      .start()
      .then(() => (closed ? undefined : coordination.start()))
      .catch((err: unknown) => log.error({ err }, 'chat connection failed'))
      .finally(() => {
        connecting = false
      })
  } else {
    log.info({ reason: o.chatDisabledReason }, 'chat not connected')
  }
  return handle
}
