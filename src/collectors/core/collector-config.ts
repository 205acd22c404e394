/**
 * Settings every collector shares: `modules.<platform>.*` in waddlebot.yaml or `WADDLEBOT_<PLATFORM>_*` in
 * the environment (e.g. `WADDLEBOT_TWITCH_MAX_CLAIMS=10`, `WADDLEBOT_TWITCH_ROUTER_KEY=wbot_collector_…`).
 */
import { z } from 'zod'
import type { SetupContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'

const positive = z.number().int().positive()

/** The shared part of a collector's config schema; platforms `.extend()` it. */
export const collectorConfigSchema = z.object({
  /** A `collector` key for the router; the shared service key when absent. Prefer the env variable. */
  router_key: z.string().min(1).optional(),
  /** Coordination entities this process serves at most. */
  max_claims: positive.max(1000).default(5),
  /** How often to claim more entities while below `max_claims`. */
  claim_interval_ms: positive.default(30_000),
  /** Check-in period; the router's `checkin_interval_ms` wins when shorter. */
  checkin_interval_ms: positive.default(5 * 60_000),
  /** Release entities that are not live and claim others on every claim round. */
  rotate_offline: z.boolean().default(false),
  /** Chat messages per reply at most (a longer reply ends with `…`). */
  max_parts: positive.max(20).default(3),
  /** Outbound queue size; the lowest priority is dropped first beyond it. */
  queue_size: positive.max(100_000).default(1000),
  /** Outbound items waiting longer are dropped (`too_old`). */
  max_queue_age_ms: positive.default(5 * 60_000),
  /**
   * How long the first event of a batch to the router waits for others, in ms (0 = every event on its own
   * `POST /api/v1/events`).
   */
  batch_linger_ms: z.number().int().min(0).max(50).default(1),
  /** Fixed coordination container id (default: unique per process). */
  container_id: z.string().min(1).max(200).optional(),
})

export type CollectorConfig = z.infer<typeof collectorConfigSchema>

/** Where the router is and the key to use with it. */
export function routerTarget(ctx: SetupContext<CollectorConfig>): { url: string; key: string } {
  return {
    url: ctx.modules.url('router'),
    key: ctx.config.router_key ?? resolveServiceKey(ctx.settings),
  }
}

/** A platform secret from the environment (`.env` included); undefined when unset or empty. */
export function secret(ctx: SetupContext<unknown>, name: string): string | undefined {
  const value = ctx.settings.env[name]
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}
