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
import type { ModuleDefinition, SetupContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import { type CollectorConfig, secret } from './collector-config.js'
import { type CollectorAdapter, type CollectorHandle, createCollectorHandle } from './collector-handle.js'
import type { Budget } from './outbound-queue.js'
import { type WhisperSender, whisperRoute } from './whisper-route.js'

export type { CollectorAdapter, CollectorHandle, CollectorStatus } from './collector-handle.js'

/** A collector's state (`ctx.state`): the core's handle, and what the platform built beside it. */
export interface CollectorState<TPayload, TPlatform = undefined> {
  readonly handle: CollectorHandle<TPayload>
  readonly platform: TPlatform
}

export interface CollectorOptions<TConfig extends CollectorConfig, TPayload, TPlatform = undefined> {
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
  /**
   * Platform state built once at setup (e.g. Slack's bolt app; `() => undefined` when there is none), handed
   * to `createAdapter` and `routes`. Called when the adapter is created (token set), else right after the handle.
   */
  readonly createPlatform: (ctx: SetupContext<TConfig>, handle: CollectorHandle<TPayload>) => TPlatform
  /** Creates the platform adapter (only when every `chatEnv` variable is set). */
  readonly createAdapter: (
    ctx: SetupContext<TConfig>,
    handle: CollectorHandle<TPayload>,
    platform: TPlatform,
  ) => CollectorAdapter<TPayload>
  /** Platform additions to `GET /<platform>/status` (e.g. Twitch's EventSub state and subscriptions). */
  readonly status?: (state: CollectorState<TPayload, TPlatform>) => Readonly<Record<string, unknown>>
  /**
   * Platform additions to the `/health` detail, which the router and `waddlebot status` poll: counts and a few
   * warnings, never a list that grows with the channels (default: `status`).
   */
  readonly health?: (state: CollectorState<TPayload, TPlatform>) => Readonly<Record<string, unknown>>
  /**
   * How this platform sends one private message now (`POST /<platform>/whisper`, whisper-route.ts), or
   * undefined while it cannot (no token / not connected).
   */
  readonly whisper?: (state: CollectorState<TPayload, TPlatform>) => WhisperSender | undefined
  /** Platform routes (webhooks); registered encapsulated on the collector's server. */
  readonly routes?: (
    app: FastifyInstance,
    ctx: SetupContext<TConfig>,
    state: CollectorState<TPayload, TPlatform>,
  ) => Promise<void> | void
}

/** Why chat is off, or undefined when every variable it needs is set. */
function chatDisabledReason(ctx: SetupContext<unknown>, names: readonly string[]): string | undefined {
  const missing = names.filter((n) => secret(ctx, n) === undefined)
  return missing.length > 0 ? `${missing.join(', ')} not set` : undefined
}

/**
 * Declares a collector module. Its state is `{ handle, platform }`.
 * @example
 * export default defineCollector({ name: 'twitch', version: '0.1.0', summary: 'Twitch chat', port: 8002,
 *   config: collectorConfigSchema, defaultBudget: { limit: 20, windowMs: 30_000 }, chatEnv: ['TWITCH_BOT_TOKEN'],
 *   createPlatform: () => undefined, createAdapter: (ctx, handle) => createTwitchAdapter(ctx, handle) })
 */
export function defineCollector<TConfig extends CollectorConfig, TPayload, TPlatform = undefined>(
  options: CollectorOptions<TConfig, TPayload, TPlatform>,
): ModuleDefinition<TConfig, CollectorState<TPayload, TPlatform>> {
  const statusOf = (state: CollectorState<TPayload, TPlatform>) => ({
    ...state.handle.status(),
    ...options.status?.(state),
  })
  /** The status without its per-channel lists: the claims as a count, the platform's own health part. */
  const healthOf = (state: CollectorState<TPayload, TPlatform>) => {
    const { claims, ...status } = state.handle.status()
    return { ...status, claim_count: claims.length, ...(options.health ?? options.status)?.(state) }
  }
  return {
    name: options.name,
    version: options.version,
    kind: 'collector',
    summary: options.summary,
    port: options.port,
    config: options.config,
    async setup(ctx) {
      const webhook =
        options.webhookEnv === undefined ? 'none' : secret(ctx, options.webhookEnv) ? 'ready' : 'not configured'
      let platform: { value: TPlatform } | undefined
      const platformOf = (handle: CollectorHandle<TPayload>): TPlatform => {
        platform ??= { value: options.createPlatform(ctx, handle) }
        return platform.value
      }
      const handle = await createCollectorHandle<TPayload>({
        platform: options.name,
        ctx,
        defaultBudget: options.defaultBudget,
        chatDisabledReason: chatDisabledReason(ctx, options.chatEnv),
        webhook,
        createAdapter: (h) => options.createAdapter(ctx, h, platformOf(h)),
      })
      return { handle, platform: platformOf(handle) }
    },
    teardown: ({ state }) => state.handle.close(),
    async routes(app, ctx) {
      app.get(`/${options.name}/status`, async () => statusOf(ctx.state))
      whisperRoute(app, {
        platform: options.name,
        auth: { db: ctx.storage, serviceKey: resolveServiceKey(ctx.settings), requireKeys: true },
        log: ctx.log,
        sender: () => options.whisper?.(ctx.state),
        unavailableReason: () => {
          const status = statusOf(ctx.state)
          if (status.reason) return status.reason
          return status.chat === 'connected'
            ? 'whispers are not configured for this platform'
            : `chat is ${status.chat}`
        },
      })
      await options.routes?.(app, ctx, ctx.state)
    },
    /**
     * Unhealthy (503) only when chat should be connected and is not; otherwise returns the status detail
     * (e.g. `chat: 'not connected'` with the missing token while the webhook is served), its size
     * independent of the number of channels (the router polls it every few seconds).
     */
    health({ state }) {
      const status = healthOf(state)
      if (status.chat !== 'connected' && status.reason === undefined) throw new Error(`chat ${status.chat}`)
      if (status.chat !== 'connected') return { ...status, degraded: `chat ${status.chat}: ${status.reason}` }
      return { ...status }
    },
  }
}
