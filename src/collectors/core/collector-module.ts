/**
 * `defineCollector`: builds a collector's ModuleDefinition (kind `collector`) around a platform adapter.
 * It wires the router client, the coordination client (joins/leaves follow the claims), the outbound
 * queue (render + send of every response, async replies by entity), `GET /<platform>/status` and the
 * `/health` detail (chat not connected when the token is missing), and a graceful stop (drain the queue
 * briefly, disconnect, release the claims).
 */
import type { FastifyInstance } from 'fastify'
import type { z } from 'zod'
import type { Platform } from '../../contract/events.js'
import type { HealthDetail, ModuleContext, ModuleDefinition } from '../../runtime/module.js'
import { type CollectorConfig, secret } from './collector-config.js'
import { type CollectorAdapter, type CollectorHandle, createCollectorHandle } from './collector-handle.js'
import type { Budget } from './outbound-queue.js'

export type { CollectorAdapter, CollectorHandle, CollectorStatus } from './collector-handle.js'

export interface CollectorOptions<TConfig extends CollectorConfig, TPayload> {
  readonly name: Platform
  readonly version: string
  readonly summary: string
  readonly port: number
  /** `collectorConfigSchema.extend({...})` (collector-config.ts). */
  readonly config: z.ZodType<TConfig>
  /** Per-channel budget of the outbound queue (e.g. Twitch 20 / 30 s). */
  readonly defaultBudget: Budget
  /** The env variable(s) chat needs; chat stays off (webhooks still served) while one is unset. */
  readonly chatEnv: readonly string[]
  /** The env variable of the webhook secret, if the platform has webhooks. */
  readonly webhookEnv?: string
  /** Creates the platform adapter (only when every `chatEnv` variable is set). */
  readonly createAdapter: (ctx: ModuleContext<TConfig>, handle: CollectorHandle<TPayload>) => CollectorAdapter<TPayload>
  /** Platform routes (webhooks); registered encapsulated on the collector's server. */
  readonly routes?: (app: FastifyInstance, ctx: ModuleContext<TConfig>, handle: CollectorHandle<TPayload>) => Promise<void> | void
}

const handles = new WeakMap<ModuleContext<never>, CollectorHandle<unknown>>()

/** The handle of a hosted collector (tests and in-process callers). */
export function collectorOf<TPayload = unknown>(ctx: ModuleContext<never> | ModuleContext<CollectorConfig>): CollectorHandle<TPayload> {
  const handle = handles.get(ctx as ModuleContext<never>)
  if (!handle) throw new Error('the collector is not set up in this context')
  return handle as CollectorHandle<TPayload>
}

/** Why chat is off, or undefined when every variable it needs is set. */
function chatDisabledReason(ctx: ModuleContext<unknown>, names: readonly string[]): string | undefined {
  const missing = names.filter((n) => secret(ctx, n) === undefined)
  return missing.length > 0 ? `${missing.join(', ')} not set` : undefined
}

/**
 * Declares a collector module.
 * @example
 * export default defineCollector({ name: 'twitch', version: '0.1.0', summary: 'Twitch chat', port: 8002,
 *   config: collectorConfigSchema, defaultBudget: { limit: 20, windowMs: 30_000 }, chatEnv: ['TWITCH_BOT_TOKEN'],
 *   createAdapter: (ctx, handle) => createTwitchAdapter(ctx, handle) })
 */
export function defineCollector<TConfig extends CollectorConfig, TPayload>(options: CollectorOptions<TConfig, TPayload>): ModuleDefinition<TConfig> {
  const handleOf = (ctx: ModuleContext<TConfig>) => collectorOf<TPayload>(ctx as unknown as ModuleContext<never>)
  return {
    name: options.name,
    version: options.version,
    kind: 'collector',
    summary: options.summary,
    port: options.port,
    config: options.config,
    async setup(ctx) {
      const webhook = options.webhookEnv === undefined ? 'none' : secret(ctx, options.webhookEnv) ? 'ready' : 'not configured'
      const handle = await createCollectorHandle<TPayload>({
        platform: options.name,
        ctx: ctx as unknown as ModuleContext<CollectorConfig>,
        defaultBudget: options.defaultBudget,
        chatDisabledReason: chatDisabledReason(ctx, options.chatEnv),
        webhook,
        createAdapter: (h) => options.createAdapter(ctx, h),
      })
      handles.set(ctx as unknown as ModuleContext<never>, handle as CollectorHandle<unknown>)
      return () => handle.close()
    },
    async routes(app, ctx) {
      const handle = handleOf(ctx)
      app.get(`/${options.name}/status`, async () => handle.status())
      await options.routes?.(app, ctx, handle)
    },
    /**
     * Unhealthy (503) only when chat should be connected and is not; otherwise returns the status detail
     * (e.g. `chat: 'not connected'` with the missing token while the webhook is served).
     */
    health(ctx) {
      const status = handleOf(ctx).status()
      if (status.chat !== 'connected' && status.reason === undefined) throw new Error(`chat ${status.chat}`)
      if (status.chat !== 'connected') return { ...status, degraded: `chat ${status.chat}: ${status.reason}` } as unknown as HealthDetail
      return status as unknown as HealthDetail
    },
  }
}
